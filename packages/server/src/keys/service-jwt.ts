import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify, SignJWT } from "jose";

/**
 * The JWT work of the service's own tokens (signin/session-tokens.ts decides what they say and
 * when they are accepted): ES256 over the signing keys of `signing-keys.ts`, and nothing else.
 */

/** What one token says, besides its own claims. */
export interface ServiceJwt {
  /** The JWT header's `typ` (e.g. `at+jwt`). */
  readonly typ: string;
  readonly claims: Record<string, unknown>;
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export async function signServiceJwt(signing: { kid: string; key: CryptoKey }, token: ServiceJwt): Promise<string> {
  return new SignJWT(token.claims)
    .setProtectedHeader({ alg: "ES256", kid: signing.kid, typ: token.typ })
    .setIssuer(token.issuer)
    .setSubject(token.subject)
    .setAudience(token.audience)
    .setIssuedAt(token.issuedAt)
    .setExpirationTime(token.expiresAt)
    .setJti(token.jti)
    .sign(signing.key);
}

/** What a presented token must be. */
export interface ServiceJwtExpectation {
  readonly typ: string;
  readonly issuer: string;
  readonly audience: string;
  readonly clockToleranceSeconds: number;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

/** A verified payload, or why the token was refused (for the log, never the client). */
export type ServiceJwtVerdict = { readonly ok: true; readonly payload: JWTPayload } | { readonly ok: false; readonly detail: string };

/**
 * Verifies an ES256 token against the key its `kid` names (`keyFor` answers undefined for a key
 * that is not published): signature, `typ`, `iss`, `aud`, `exp`/`iat`, and `sub`, `jti` present.
 */
export async function verifyServiceJwt(
  token: string,
  keyFor: (kid: string) => Promise<CryptoKey | undefined>,
  expected: ServiceJwtExpectation,
): Promise<ServiceJwtVerdict> {
  let kid: unknown;
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== "ES256") return { ok: false, detail: "not ES256" };
    kid = header.kid;
  } catch {
    return { ok: false, detail: "not a JWT" };
  }
  if (typeof kid !== "string") return { ok: false, detail: "no kid" };
  const key = await keyFor(kid);
  if (!key) return { ok: false, detail: "unknown or unpublished kid" };
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["ES256"],
      typ: expected.typ,
      issuer: expected.issuer,
      audience: expected.audience,
      requiredClaims: ["sub", "jti", "iat", "exp"],
      clockTolerance: expected.clockToleranceSeconds,
      currentDate: new Date(expected.now),
    });
    return { ok: true, payload };
  } catch (error) {
    if (error instanceof errors.JOSEError) return { ok: false, detail: error.code };
    throw error;
  }
}
