import { constants, KeyObject, sign, verify } from "node:crypto";

/**
 * Signed JWTs in the JWS Compact Serialization (RFC 7515 §7.1), signed and checked synchronously
 * with `node:crypto` KeyObjects. WebCrypto (jose's way on Node) runs each check as an async job
 * on the thread pool and converts its key on every call; the sign-in's hot path checks and signs
 * several tokens, so the keys are converted once (`keyObjectOf`) and the checks are plain calls.
 * Only the asymmetric algorithms are known here: a token naming any other (`none`, HS256) fails.
 * What a token must say (claims, `typ`) is the caller's to check; this is the signature alone.
 */

/** The algorithms this module can check, with the key each needs (RFC 7518 §3, RFC 8037). */
const ALGORITHMS: Readonly<Record<string, { hash: string | null; key: "rsa" | "rsa-pss" | "ec" | "okp"; curve?: string }>> = {
  RS256: { hash: "sha256", key: "rsa" },
  RS384: { hash: "sha384", key: "rsa" },
  RS512: { hash: "sha512", key: "rsa" },
  PS256: { hash: "sha256", key: "rsa-pss" },
  PS384: { hash: "sha384", key: "rsa-pss" },
  PS512: { hash: "sha512", key: "rsa-pss" },
  ES256: { hash: "sha256", key: "ec", curve: "prime256v1" },
  ES384: { hash: "sha384", key: "ec", curve: "secp384r1" },
  ES512: { hash: "sha512", key: "ec", curve: "secp521r1" },
  EdDSA: { hash: null, key: "okp" },
  Ed25519: { hash: null, key: "okp", curve: "ed25519" },
};

/** A token split into its parts, its header and payload parsed; nothing about it checked yet. */
export interface CompactJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  /** `BASE64URL(header) || '.' || BASE64URL(payload)`: what the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** Why a token was refused, for the caller to name (never sent to a client). */
export type JwsRefusal = "malformed" | "crit" | "algorithm" | "key" | "signature";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function jsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(strictUtf8.decode(Buffer.from(part, "base64url")));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * The token's parts, or "malformed" (not three base64url parts, a header or payload that is not a
 * JSON object, no `alg`) or "crit" (an extension it says must be understood and is not: RFC 7515
 * §4.1.11; only `b64`, and only as true, since a JWT's payload is always encoded: RFC 7797 §7).
 */
export function parseCompactJws(token: string): CompactJws | JwsRefusal {
  const parts = token.split(".");
  if (parts.length !== 3) return "malformed";
  const [h, p, s] = parts as [string, string, string];
  if (!BASE64URL.test(h) || !BASE64URL.test(p) || !BASE64URL.test(s)) return "malformed";
  const header = jsonObject(h);
  const payload = jsonObject(p);
  if (!header || !payload || typeof header.alg !== "string") return "malformed";
  const crit = header.crit;
  if (crit !== undefined) {
    if (!Array.isArray(crit) || crit.length === 0 || crit.some((name) => typeof name !== "string" || !(name in header))) return "crit";
    if (crit.some((name) => name !== "b64") || header.b64 !== true) return "crit";
  }
  return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, "base64url") };
}

const keyObjects = new WeakMap<object, KeyObject>();

/** The KeyObject of a key (a WebCrypto CryptoKey is converted once and the result kept with it). */
export function keyObjectOf(key: CryptoKey | KeyObject): KeyObject {
  if (key instanceof KeyObject) return key;
  let converted = keyObjects.get(key);
  if (!converted) {
    converted = KeyObject.from(key);
    keyObjects.set(key, converted);
  }
  return converted;
}

/** What `fits` reads of a key, read once per key: the getters build a new object on every call. */
const keyShapes = new WeakMap<KeyObject, { type: string | undefined; modulusLength: number; namedCurve: string | undefined }>();

function shapeOf(key: KeyObject) {
  let shape = keyShapes.get(key);
  if (!shape) {
    const details = key.asymmetricKeyDetails ?? {};
    shape = { type: key.asymmetricKeyType, modulusLength: details.modulusLength ?? 0, namedCurve: details.namedCurve };
    keyShapes.set(key, shape);
  }
  return shape;
}

/** Whether `key` is a public or private key fit for `alg` (and an RSA key at least 2048 bits: RFC 7518 §3.3, §3.5). */
function fits(alg: NonNullable<(typeof ALGORITHMS)[string]>, key: KeyObject): boolean {
  const { type, modulusLength, namedCurve } = shapeOf(key);
  if (alg.key === "rsa" || alg.key === "rsa-pss")
    return (type === "rsa" || (alg.key === "rsa-pss" && type === "rsa-pss")) && modulusLength >= 2048;
  if (alg.key === "ec") return type === "ec" && namedCurve === alg.curve;
  return alg.curve === undefined ? type === "ed25519" || type === "ed448" : type === alg.curve;
}

/** Bytes of each of r and s in a JWS ECDSA signature (RFC 7518 §3.4): its curve's order size. */
const EC_SIZE: Readonly<Record<string, number>> = { prime256v1: 32, secp384r1: 48, secp521r1: 66 };

/** RSA-PSS as JWS uses it (RFC 7518 §3.5): the salt as long as the digest. */
const pss = (key: KeyObject) => ({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });

function derLength(length: number): number[] {
  return length < 0x80 ? [length] : [0x81, length];
}

/**
 * A JWS ECDSA signature (r ‖ s, fixed size) as DER. node:crypto takes DER with the bare key; an
 * options object (for `dsaEncoding`) costs more per call than this conversion.
 */
function derFromJose(signature: Buffer, size: number): Buffer | undefined {
  if (signature.length !== 2 * size) return undefined;
  const integer = (bytes: Buffer) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const body = bytes.subarray(start);
    const positive = body[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), body]) : body;
    return Buffer.concat([Buffer.from([0x02, ...derLength(positive.length)]), positive]);
  };
  const content = Buffer.concat([integer(signature.subarray(0, size)), integer(signature.subarray(size))]);
  return Buffer.concat([Buffer.from([0x30, ...derLength(content.length)]), content]);
}

/** A DER ECDSA signature (what node:crypto makes) as JWS's r ‖ s, each left-padded to `size`. */
function joseFromDer(der: Buffer, size: number): Buffer {
  let offset = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
  const out = Buffer.alloc(2 * size);
  for (let i = 0; i < 2; i++) {
    const length = der[offset + 1]!;
    let value = der.subarray(offset + 2, offset + 2 + length);
    while (value.length > size && value[0] === 0) value = value.subarray(1);
    value.copy(out, (i + 1) * size - value.length);
    offset += 2 + length;
  }
  return out;
}

/** Checks the signature of a parsed token with `key`, for the token's own `alg`: true, or why not. */
export function verifyJwsSignature(jws: CompactJws, key: KeyObject): true | JwsRefusal {
  const algName = jws.header.alg as string;
  const alg = Object.hasOwn(ALGORITHMS, algName) ? ALGORITHMS[algName] : undefined;
  if (!alg) return "algorithm";
  if (!fits(alg, key)) return "key";
  const input = Buffer.from(jws.signingInput);
  try {
    if (alg.key === "ec") {
      const der = derFromJose(jws.signature, EC_SIZE[alg.curve!]!);
      return der !== undefined && verify(alg.hash, input, key, der) ? true : "signature";
    }
    return verify(alg.hash, input, alg.key === "rsa-pss" ? pss(key) : key, jws.signature) ? true : "signature";
  } catch {
    // A signature of the wrong length or shape for the key.
    return "signature";
  }
}

/** A compact token with `header` (which names `alg`) and `payload`, signed with the private `key`. */
export function signCompactJws(header: Readonly<Record<string, unknown>> & { alg: string }, payload: unknown, key: KeyObject): string {
  const alg = Object.hasOwn(ALGORITHMS, header.alg) ? ALGORITHMS[header.alg] : undefined;
  if (!alg || !fits(alg, key)) throw new Error(`cannot sign ${header.alg} with this key`);
  const signingInput = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  const input = Buffer.from(signingInput);
  const signature =
    alg.key === "ec"
      ? joseFromDer(sign(alg.hash, input, key), EC_SIZE[alg.curve!]!)
      : sign(alg.hash, input, alg.key === "rsa-pss" ? pss(key) : key);
  return `${signingInput}.${signature.toString("base64url")}`;
}

/** What a JWT's claims must say (RFC 7519 §4.1), as jose's jwtVerify checks them. */
export interface JwtClaimRules {
  /** Claims that must be present. */
  readonly required: readonly string[];
  readonly issuer: string;
  /** `aud` must be this, or an array holding it. */
  readonly audience: string;
  /** Seconds of clock skew tolerated on `exp` and `nbf`. */
  readonly clockToleranceSeconds: number;
  /** Seconds since the epoch. */
  readonly now: number;
}

/** Why a JWT's claims were refused: the claim, and whether it was missing, not a number, another value, or past. */
export type JwtClaimRefusal = { readonly claim: string; readonly reason: "missing" | "invalid" | "unexpected" | "expired" };

/**
 * The claim checks of a JWT: the required claims present, `iss` and `aud` as expected, `iat`,
 * `nbf` and `exp` numbers when present, `nbf` not in the future and `exp` not past (with the
 * tolerance). Answers the first refusal, or undefined when all pass.
 */
export function jwtClaimRefusal(claims: Readonly<Record<string, unknown>>, rules: JwtClaimRules): JwtClaimRefusal | undefined {
  for (const claim of new Set([...rules.required, "aud", "iss"])) if (!Object.hasOwn(claims, claim)) return { claim, reason: "missing" };
  if (claims.iss !== rules.issuer) return { claim: "iss", reason: "unexpected" };
  const aud = claims.aud;
  if (!(aud === rules.audience || (Array.isArray(aud) && aud.includes(rules.audience)))) return { claim: "aud", reason: "unexpected" };
  for (const claim of ["iat", "nbf", "exp"])
    if (claims[claim] !== undefined && typeof claims[claim] !== "number") return { claim, reason: "invalid" };
  const tolerance = rules.clockToleranceSeconds;
  if (typeof claims.nbf === "number" && claims.nbf > rules.now + tolerance) return { claim: "nbf", reason: "unexpected" };
  if (typeof claims.exp === "number" && claims.exp <= rules.now - tolerance) return { claim: "exp", reason: "expired" };
  return undefined;
}
