import type { JWTPayload } from "jose";
import { jwtClaimRefusal, keyObjectOf, parseCompactJws, signCompactJws, verifyJwsSignature } from "../domain/compact-jws.ts";

/**
 * The JWT work of the service's own tokens (signin/session-tokens.ts decides what they say and
 * when they are accepted): ES256 over the signing keys of `signing-keys.ts`, and nothing else,
 * signed and checked with their node:crypto KeyObjects (domain/compact-jws.ts).
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
  const payload = {
    ...token.claims,
    iss: token.issuer,
    sub: token.subject,
    aud: token.audience,
    iat: token.issuedAt,
    exp: token.expiresAt,
    jti: token.jti,
  };
  return signCompactJws({ alg: "ES256", kid: signing.kid, typ: token.typ }, payload, keyObjectOf(signing.key));
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
  const jws = parseCompactJws(token);
  if (typeof jws === "string") return { ok: false, detail: jws === "crit" ? "an unknown critical header" : "not a JWT" };
  if (jws.header.alg !== "ES256") return { ok: false, detail: "not ES256" };
  const kid = jws.header.kid;
  if (typeof kid !== "string") return { ok: false, detail: "no kid" };
  const key = await keyFor(kid);
  if (!key) return { ok: false, detail: "unknown or unpublished kid" };
  const signature = verifyJwsSignature(jws, keyObjectOf(key));
  if (signature !== true) return { ok: false, detail: `signature: ${signature}` };
  const typ = jws.header.typ;
  if (typeof typ !== "string" || mediaType(typ) !== mediaType(expected.typ)) return { ok: false, detail: "unexpected typ" };
  const refusal = jwtClaimRefusal(jws.payload, {
    required: ["sub", "jti", "iat", "exp"],
    issuer: expected.issuer,
    audience: expected.audience,
    clockToleranceSeconds: expected.clockToleranceSeconds,
    now: Math.floor(expected.now / 1000),
  });
  if (refusal) return { ok: false, detail: `${refusal.claim}: ${refusal.reason}` };
  return { ok: true, payload: jws.payload as JWTPayload };
}

/** A `typ` as the media type it names (RFC 7515 §4.1.9: "application/" may be left out; case does not matter). */
function mediaType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith("application/") ? lower : `application/${lower}`;
}
