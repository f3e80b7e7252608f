import * as jose from "jose";

/** A key a provider publishes in its key set (RFC 7517). */
export type PublishedKey = jose.JWK;

/** The keys of a key set document, or undefined when it is not a key set (JWKS). */
export function keysOfKeySet(json: unknown): PublishedKey[] | undefined {
  try {
    jose.createLocalJWKSet(json as jose.JSONWebKeySet);
    return (json as jose.JSONWebKeySet).keys;
  } catch {
    return undefined;
  }
}

/** The key type (and curve) each JWS algorithm verifies with (RFC 7518 §3, RFC 8037). */
function keyFits(alg: string, key: PublishedKey): boolean {
  if (key.use !== undefined && key.use !== "sig") return false;
  if (key.alg !== undefined && key.alg !== alg) return false;
  if (/^(RS|PS)(256|384|512)$/.test(alg)) return key.kty === "RSA";
  const curve: Record<string, string> = { ES256: "P-256", ES384: "P-384", ES512: "P-521", ES256K: "secp256k1" };
  if (alg in curve) return key.kty === "EC" && key.crv === curve[alg];
  if (alg === "EdDSA" || alg === "Ed25519") return key.kty === "OKP" && (key.crv === "Ed25519" || key.crv === "Ed448");
  return false;
}

/** Whether jose can import the key for the algorithm: a key that fits on paper but is malformed is no key. */
async function importable(alg: string, key: PublishedKey): Promise<boolean> {
  try {
    await jose.importJWK(key, alg);
    return true;
  } catch {
    return false;
  }
}

/** Whether the key verifies signatures of the algorithm: it fits it and can be imported for it. */
export async function keyVerifies(alg: string, key: PublishedKey): Promise<boolean> {
  return keyFits(alg, key) && (await importable(alg, key));
}
