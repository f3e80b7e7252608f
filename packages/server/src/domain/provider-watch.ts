/**
 * What the provider watch compares: a provider's discovery document and key set, reduced to what
 * breaks sign-ins when it changes — the issuer, the endpoints, the signing algorithms, the keys.
 */
export interface ProviderSnapshot {
  readonly issuer: string | null;
  readonly authorizationEndpoint: string | null;
  readonly tokenEndpoint: string | null;
  readonly userinfoEndpoint: string | null;
  readonly jwksUri: string | null;
  /** `id_token_signing_alg_values_supported`, sorted. */
  readonly algorithms: readonly string[];
  /** Each key as `kid (kty alg)`, sorted. */
  readonly keys: readonly string[];
}

/** One difference between two snapshots: a field that changed, or keys/algorithms added and removed. */
export type ProviderChange =
  | { readonly field: ScalarField; readonly before: string | null; readonly after: string | null }
  | { readonly field: "keys" | "algorithms"; readonly added: readonly string[]; readonly removed: readonly string[] };

type ScalarField = "issuer" | "authorizationEndpoint" | "tokenEndpoint" | "userinfoEndpoint" | "jwksUri";
const SCALAR_FIELDS: readonly ScalarField[] = ["issuer", "authorizationEndpoint", "tokenEndpoint", "userinfoEndpoint", "jwksUri"];

/** A provider event in an organisation's event list. */
export interface ProviderEvent {
  readonly id: string;
  readonly type: "provider.changed";
  readonly orgId: string;
  readonly provider: string;
  readonly changes: readonly ProviderChange[];
  readonly at: string;
}

/** What changed from `before` to `after`; empty when nothing that matters did. */
export function diffSnapshots(before: ProviderSnapshot, after: ProviderSnapshot): ProviderChange[] {
  const changes: ProviderChange[] = [];
  for (const field of SCALAR_FIELDS) {
    if (before[field] !== after[field]) changes.push({ field, before: before[field], after: after[field] });
  }
  for (const field of ["algorithms", "keys"] as const) {
    const added = after[field].filter((v) => !before[field].includes(v));
    const removed = before[field].filter((v) => !after[field].includes(v));
    if (added.length > 0 || removed.length > 0) changes.push({ field, added, removed });
  }
  return changes;
}
