import type { SealedSecrets, SigningKeys } from "../domain/ports/keys.ts";

/** The ports key administration needs. */
export interface KeyAdministration {
  readonly keys: Pick<SigningKeys, "rotate">;
  readonly sealedSecrets: SealedSecrets;
}

/**
 * Starts signing new tokens with a new key. The previous key stays published (and accepted)
 * until every token it signed has expired, so nobody is signed out by a rotation.
 */
export function rotateSigningKey(deps: KeyAdministration): Promise<{ kid: string }> {
  return deps.keys.rotate();
}

/**
 * Moves every client secret and sealed signing key onto the first ENCRYPTION_KEY, so the keys
 * after it can be dropped from the list. Values already under it are left alone.
 */
export function reencryptSecrets(deps: KeyAdministration): Promise<{ reencrypted: number }> {
  return deps.sealedSecrets.reencrypt();
}
