import { failure, type Result, success } from "../domain/failures.ts";
import type { ProviderSettings } from "../domain/provider-settings.ts";
import { discoversMetadata } from "../domain/provider-urls.ts";
import type { ProviderSnapshot } from "../domain/provider-watch.ts";
import type { OutboundFetch } from "./outbound.ts";
import { discoveryUrl, probe } from "./provider-probe.ts";

/**
 * Reads a provider's discovery document and key set afresh (no cache: the watch wants what the
 * provider serves now) through the guarded outbound path, reduced to a snapshot. Settings that
 * name endpoints or a JWKS URI win over discovery, as they do for sign-ins.
 */
export async function readProviderSnapshot(outbound: OutboundFetch, settings: ProviderSettings): Promise<Result<ProviderSnapshot>> {
  const discovered = discoversMetadata(settings)
    ? await readJsonObject(outbound, settings, discoveryUrl(settings.issuer))
    : success<Record<string, unknown>>({});
  if (!discovered.ok) return discovered;
  const text = (name: string) => (typeof discovered.value[name] === "string" ? (discovered.value[name] as string) : null);
  const jwksUri = settings.jwksUri ?? text("jwks_uri");
  const jwks = jwksUri ? await readJsonObject(outbound, settings, jwksUri) : success<Record<string, unknown>>({ keys: [] });
  if (!jwks.ok) return jwks;
  const keys = Array.isArray(jwks.value.keys) ? (jwks.value.keys as Record<string, unknown>[]) : [];
  const algorithms = discovered.value.id_token_signing_alg_values_supported;
  return success({
    issuer: text("issuer") ?? settings.issuer ?? null,
    authorizationEndpoint: settings.authorizationUrl ?? text("authorization_endpoint"),
    tokenEndpoint: settings.tokenEndpoint ?? text("token_endpoint"),
    userinfoEndpoint: settings.userInfoEndpoint ?? text("userinfo_endpoint"),
    jwksUri,
    algorithms: Array.isArray(algorithms) ? algorithms.filter((a): a is string => typeof a === "string").sort() : [],
    keys: keys.map((k) => `${String(k.kid ?? "(no kid)")} (${String(k.kty ?? "?")} ${String(k.alg ?? "any")})`).sort(),
  });
}

async function readJsonObject(outbound: OutboundFetch, settings: ProviderSettings, url: string): Promise<Result<Record<string, unknown>>> {
  const probed = await probe(outbound, url, { headers: { accept: "application/json" } });
  const name = settings.providerName;
  if (!probed.reached) return failure("PROVIDER_UNAVAILABLE", `The provider "${name}" could not be read: ${probed.reason}.`);
  const { status, json } = probed.answer;
  if (status !== 200 || typeof json !== "object" || json === null || Array.isArray(json)) {
    return failure("PROVIDER_ERROR", `The provider "${name}" answered ${status} without a JSON object at ${new URL(url).host}.`);
  }
  return success(json as Record<string, unknown>);
}
