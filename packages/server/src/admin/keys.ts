import type { SigningKeys } from "../domain/ports/keys.ts";

/** The ports key administration needs. */
export interface KeyAdministration {
  readonly keys: Pick<SigningKeys, "rotate">;
}

/**
 * Starts signing new tokens with a new key. The previous key stays published (and accepted)
 * until every token it signed has expired, so nobody is signed out by a rotation.
 */
export function rotateSigningKey(deps: KeyAdministration): Promise<{ kid: string }> {
  return deps.keys.rotate();
}
