import { probe } from "../oauth/provider-probe.ts";
import { keysOfKeySet, keyVerifies, type PublishedKey } from "../oauth/published-keys.ts";
import { worded } from "../domain/fix-wording.ts";
import { type DoctorContext, type DoctorFinding, fail, pass, settingsHere, unreached, warn } from "./doctor-types.ts";

/** What a provider that announces no signing algorithms signs with (OpenID Connect Discovery §3 default). */
const DEFAULT_ID_TOKEN_ALGS = ["RS256"];

/**
 * The key set ID tokens are verified against (OpenID Connect providers only): reachable, a JWKS
 * with keys, and for the algorithms the provider signs ID tokens with, a key that verifies them.
 */
export async function checkJwks(context: DoctorContext): Promise<DoctorFinding[]> {
  const { provider, metadata } = context;
  if (!provider.settings.issuer || !metadata) return [];
  const jwksUri = metadata.jwks_uri;
  const where = metadata.discovered ? "At the provider: its discovery document must give a jwks_uri" : settingsHere(provider, "jwksUri");
  if (!jwksUri) return [fail("jwks", "The provider names no key set (jwks_uri): ID tokens cannot be verified.", worded`${where}.`)];
  const probed = await probe(context.outbound, jwksUri, { headers: { accept: "application/json" } });
  const fix = metadata.discovered
    ? worded`At the provider: serve its key set at ${jwksUri} (the jwks_uri of its discovery document) — or ${settingsHere(provider, "jwksUri")} if it lives elsewhere.`
    : worded`${settingsHere(provider, "jwksUri")} to the provider's key set URL.`;
  if (!probed.reached) return [unreached("jwks", `The key set at ${jwksUri} could not be fetched`, probed, fix)];
  context.answers.push(probed.answer);
  const { status, json } = probed.answer;
  if (status !== 200) return [fail("jwks", `The key set at ${jwksUri} answered ${status}: ID tokens cannot be verified.`, fix)];
  const keys = keysOfKeySet(json);
  if (!keys) return [fail("jwks", `What ${jwksUri} answers is not a key set (JWKS).`, fix)];
  if (keys.length === 0) return [fail("jwks", `The key set at ${jwksUri} holds no keys: ID tokens cannot be verified.`, fix)];
  return [
    pass("jwks", `The key set at ${jwksUri} holds ${keys.length} key${keys.length === 1 ? "" : "s"}.`),
    await checkAlgorithms(context, keys),
  ];
}

/** The announced ID-token algorithms that a published key verifies; `none` and symmetric ones never count. */
async function checkAlgorithms({ metadata }: DoctorContext, keys: PublishedKey[]): Promise<DoctorFinding> {
  const announced = metadata?.id_token_signing_alg_values_supported ?? DEFAULT_ID_TOKEN_ALGS;
  const usable: string[] = [];
  for (const alg of announced) {
    if ((await Promise.all(keys.map((key) => keyVerifies(alg, key)))).some(Boolean)) usable.push(alg);
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
