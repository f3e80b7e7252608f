import { decodeJwt } from "jose";

/**
 * The `iss` an ID token names, read without verifying it (undefined when it is not a JWT). Only
 * for choosing which provider's keys to verify it with: the verification decides.
 */
export function unverifiedIssuer(idToken: string): unknown {
  try {
    return decodeJwt(idToken).iss;
  } catch {
    return undefined;
  }
}
