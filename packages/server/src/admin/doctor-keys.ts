import * as jose from "jose";
import { probe } from "../oauth/provider-probe.ts";
import { type DoctorContext, type DoctorFinding, fail, pass, settingsHere, unreached, warn } from "./doctor-types.ts";

/** What a provider that announces no signing algorithms signs with (OpenID Connect Discovery §3 default). */
const DEFAULT_ID_TOKEN_ALGS = ["RS256"];

/** The key type (and curve) each JWS algorithm verifies with (RFC 7518 §3, RFC 8037). */
function keyFits(alg: string, key: jose.JWK): boolean {
  if (key.use !== undefined && key.use !== "sig") return false;
  if (key.alg !== undefined && key.alg !== alg) return false;
  if (/^(RS|PS)(256|384|512)$/.test(alg)) return key.kty === "RSA";
  const curve: Record<string, string> = { ES256: "P-256", ES384: "P-384", ES512: "P-521", ES256K: "secp256k1" };
  if (alg in curve) return key.kty === "EC" && key.crv === curve[alg];
  if (alg === "EdDSA" || alg === "Ed25519") return key.kty === "OKP" && (key.crv === "Ed25519" || key.crv === "Ed448");
  return false;
}

/** Whether jose can import the key for the algorithm: a key that fits on paper but is malformed is no key. */
async function importable(alg: string, key: jose.JWK): Promise<boolean> {
  try {
    await jose.importJWK(key, alg);
    return true;
  } catch {
    return false;
  }
}

/**
 * The key set ID tokens are verified against (OpenID Connect providers only): reachable, a JWKS
 * with keys, and for the algorithms the provider signs ID tokens with, a key that verifies them.
 */
export async function checkJwks(context: DoctorContext): Promise<DoctorFinding[]> {
  const { provider, metadata } = context;
  if (!provider.settings.issuer || !metadata) return [];
  const jwksUri = metadata.jwks_uri;
  const where = metadata.discovered ? "At the provider: its discovery document must give a jwks_uri" : settingsHere(provider, "jwksUri");
  if (!jwksUri) return [fail("jwks", "The provider names no key set (jwks_uri): ID tokens cannot be verified.", `${where}.`)];
  const probed = await probe(context.outbound, jwksUri, { headers: { accept: "application/json" } });
  const fix = metadata.discovered
    ? `At the provider: serve its key set at ${jwksUri} (the jwks_uri of its discovery document) — or ${settingsHere(provider, "jwksUri")} if it lives elsewhere.`
    : `${settingsHere(provider, "jwksUri")} to the provider's key set URL.`;
  if (!probed.reached) return [unreached("jwks", `The key set at ${jwksUri} could not be fetched`, probed, fix)];
  context.answers.push(probed.answer);
  const { status, json } = probed.answer;
  if (status !== 200) return [fail("jwks", `The key set at ${jwksUri} answered ${status}: ID tokens cannot be verified.`, fix)];
  let keys: jose.JWK[];
  try {
    jose.createLocalJWKSet(json as jose.JSONWebKeySet);
    keys = (json as jose.JSONWebKeySet).keys;
  } catch {
    return [fail("jwks", `What ${jwksUri} answers is not a key set (JWKS).`, fix)];
  }
  if (keys.length === 0) return [fail("jwks", `The key set at ${jwksUri} holds no keys: ID tokens cannot be verified.`, fix)];
  return [
    pass("jwks", `The key set at ${jwksUri} holds ${keys.length} key${keys.length === 1 ? "" : "s"}.`),
    await checkAlgorithms(context, keys),
  ];
}

/** The announced ID-token algorithms that a published key verifies; `none` and symmetric ones never count. */
async function checkAlgorithms({ metadata }: DoctorContext, keys: jose.JWK[]): Promise<DoctorFinding> {
  const announced = metadata?.id_token_signing_alg_values_supported ?? DEFAULT_ID_TOKEN_ALGS;
  const usable: string[] = [];
  for (const alg of announced) {
    const fitting = keys.filter((key) => keyFits(alg, key));
    if ((await Promise.all(fitting.map((key) => importable(alg, key)))).some(Boolean)) usable.push(alg);
  }
  const unusable = announced.filter((alg) => !usable.includes(alg));
  const keyKinds = [...new Set(keys.map((k) => [k.kty, k.crv, k.alg].filter(Boolean).join("/")))].join(", ");
  if (usable.length === 0)
    return fail(
      "signing-algorithms",
      `No published key verifies the ID-token algorithms the provider announces (${announced.join(", ")}); its keys are ${keyKinds}.`,
      "At the provider: sign ID tokens with an asymmetric algorithm (RS256 or ES256) and publish its key in the key set.",
    );
  if (unusable.length > 0)
    return warn(
      "signing-algorithms",
      `ID tokens signed with ${usable.join(", ")} can be verified; ${unusable.join(", ")} announced too, with no key for ${unusable.length === 1 ? "it" : "them"}.`,
      `At the provider: keep signing this client's ID tokens with ${usable.join(" or ")} (an ID token signed with ${unusable.join(" or ")} is refused).`,
    );
  return pass("signing-algorithms", `Published keys verify every announced ID-token algorithm (${usable.join(", ")}).`);
}
