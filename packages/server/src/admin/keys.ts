import type { SealedSecrets, SigningKeyFacts, SigningKeys } from "../domain/ports/keys.ts";
import { type AdminActionDeps, type AdminCaller, recordAdminAction } from "./admin-actions.ts";

/** The ports key administration needs; its writes belong to no organisation and are recorded outside any. */
export interface KeyAdministration extends AdminActionDeps {
  readonly keys: Pick<SigningKeys, "rotate" | "list">;
  readonly sealedSecrets: SealedSecrets;
}

/** The service's published signing keys, newest first: which signs new tokens, and which a rotation retired (public facts only). */
export function listSigningKeys(deps: Pick<KeyAdministration, "keys">): Promise<SigningKeyFacts[]> {
  return deps.keys.list();
}

/**
 * Starts signing new tokens with a new key. The previous key stays published (and accepted)
 * until every token it signed has expired, so nobody is signed out by a rotation. Recorded as
 * `keys.rotated` with the new key's id.
 */
export async function rotateSigningKey(deps: KeyAdministration, caller: AdminCaller): Promise<{ kid: string }> {
  const rotated = await deps.keys.rotate();
  const changes = [{ field: "kid", before: null, after: rotated.kid }];
  await recordAdminAction(deps, caller, { event: "keys.rotated", orgId: null, changes });
  return rotated;
}

/**
 * Moves every client secret and sealed signing key onto the first ENCRYPTION_KEY, so the keys
 * after it can be dropped from the list. Values already under it are left alone. Recorded as
 * `keys.reencrypted`: the sealed secrets changed when any was re-sealed (never a value).
 */
export async function reencryptSecrets(deps: KeyAdministration, caller: AdminCaller): Promise<{ reencrypted: number }> {
  const done = await deps.sealedSecrets.reencrypt();
  const changes = done.reencrypted > 0 ? [{ field: "sealedSecrets", changed: true } as const] : [];
  await recordAdminAction(deps, caller, { event: "keys.reencrypted", orgId: null, changes });
  return done;
}
