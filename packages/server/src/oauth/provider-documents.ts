import { type Result, success } from "../domain/failures.ts";
import type { ProviderSettings } from "../domain/provider-settings.ts";
import type { ProviderSnapshot } from "../domain/provider-watch.ts";
import type { OutboundFetch } from "./outbound.ts";
import { providerFailure } from "./provider-failure.ts";

/**
 * Reads a provider's discovery document and key set afresh (no cache: the watch wants what the
 * provider serves now) through the guarded outbound path, reduced to a snapshot. Settings that
 * name endpoints or a JWKS URI win over discovery, as they do for sign-ins.
 */
export async function readProviderSnapshot(outbound: OutboundFetch, settings: ProviderSettings): Promise<Result<ProviderSnapshot>> {
  try {
    const discovered = settings.issuer && !settings.tokenEndpoint ? await readJson(outbound, discoveryUrl(settings.issuer)) : {};
    const text = (name: string) => (typeof discovered[name] === "string" ? (discovered[name] as string) : null);
    const jwksUri = settings.jwksUri ?? text("jwks_uri");
    const jwks = jwksUri ? await readJson(outbound, jwksUri) : { keys: [] };
    const keys = Array.isArray(jwks.keys) ? (jwks.keys as Record<string, unknown>[]) : [];
    const algorithms = discovered.id_token_signing_alg_values_supported;
    return success({
      issuer: text("issuer") ?? settings.issuer ?? null,
      authorizationEndpoint: settings.authorizationUrl ?? text("authorization_endpoint"),
      tokenEndpoint: settings.tokenEndpoint ?? text("token_endpoint"),
      userinfoEndpoint: settings.userInfoEndpoint ?? text("userinfo_endpoint"),
      jwksUri,
      algorithms: Array.isArray(algorithms) ? algorithms.filter((a): a is string => typeof a === "string").sort() : [],
      keys: keys.map((k) => `${String(k.kid ?? "(no kid)")} (${String(k.kty ?? "?")} ${String(k.alg ?? "any")})`).sort(),
    });
  } catch (error) {
    return providerFailure(settings.providerName, error, "reading its discovery document and keys");
  }
}

function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
}

async function readJson(outbound: OutboundFetch, url: string): Promise<Record<string, unknown>> {
  const response = await outbound(url, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`${new URL(url).host} answered ${response.status}`);
  const body = (await response.json()) as unknown;
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new Error(`${new URL(url).host} did not answer a JSON object`);
  return body as Record<string, unknown>;
}
