/**
 * An organisation's claim of an email domain. The operator's claims are verified when made; a
 * delegated admin's (an organisation admin or a setup session) stays `pending` until a DNS TXT
 * record proves it, and a pending claim counts nowhere: not in routing, the single-organisation
 * fallback, just-in-time provisioning, nor any email-domain check. A verified domain belongs to
 * one organisation; a pending claim reserves nothing — the first organisation to prove the domain
 * wins, and the others' pending claims of it stay listed but can never be verified.
 */
export type DomainStatus = "verified" | "pending";

export interface DomainClaim {
  readonly domain: string;
  readonly status: DomainStatus;
  /** The random part of the TXT record that proves this organisation's claim (one per organisation and domain). */
  readonly txtToken: string;
  readonly verifiedAt: string | null;
  /** When the service last looked the TXT record up (a check now, or the scheduled re-check). */
  readonly lastCheckedAt: string | null;
}

/** The name the TXT record is created at: `_pipeshub-auth.<domain>`. */
export function txtRecordName(domain: string): string {
  return `_pipeshub-auth.${domain}`;
}

/** The TXT record's whole value: `pipeshub-auth-verification=<token>`. */
export function txtRecordValue(claim: Pick<DomainClaim, "txtToken">): string {
  return `pipeshub-auth-verification=${claim.txtToken}`;
}

/** What a TXT lookup found: the records' values (each record's strings joined), or why there are none. */
export type TxtAnswer =
  | { readonly kind: "records"; readonly values: readonly string[] }
  /** The name exists but has no TXT record (NODATA). */
  | { readonly kind: "no-records" }
  | { readonly kind: "nxdomain" }
  | { readonly kind: "timeout" }
  /** Any other resolver failure: SERVFAIL, REFUSED, no reachable server… by its node:dns code. */
  | { readonly kind: "failed"; readonly code: string };

/** Looks up the TXT records at a name (the service's resolver: the system's, or DNS_SERVERS). */
export type TxtLookup = (name: string) => Promise<TxtAnswer>;
