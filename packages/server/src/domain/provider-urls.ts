import type { ProviderSettings } from "./provider-settings.ts";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]"]);

/**
 * Whether a URL may be used to reach a provider: https, or plain http on a loopback address
 * when the operator allowed it (demo and tests). Checked when settings are saved and again on
 * every outbound call.
 */
export function isPermittedProviderUrl(url: URL, allowInsecureLoopback: boolean): boolean {
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && allowInsecureLoopback && LOOPBACK_HOSTS.has(url.hostname);
}

/** Where a provider's endpoints come from, as far as its settings say. */
type EndpointSettings = Pick<ProviderSettings, "issuer" | "tokenEndpoint" | "authorizationUrl" | "userInfoEndpoint" | "jwksUri">;

/** A provider configured by its issuer alone is read through OpenID Connect discovery; one with a token endpoint is not. */
export function discoversMetadata(settings: EndpointSettings): settings is EndpointSettings & { readonly issuer: string } {
  return settings.issuer !== undefined && settings.tokenEndpoint === undefined;
}

/** The metadata of a provider configured by its endpoints (discoversMetadata false), in discovery's field names. */
export function explicitMetadata(settings: EndpointSettings) {
  return {
    // Without an issuer the provider is plain OAuth 2.0; the token endpoint's origin stands in.
    issuer: settings.issuer ?? new URL(settings.tokenEndpoint!).origin,
    ...(settings.authorizationUrl && { authorization_endpoint: settings.authorizationUrl }),
    ...(settings.tokenEndpoint && { token_endpoint: settings.tokenEndpoint }),
    ...(settings.userInfoEndpoint && { userinfo_endpoint: settings.userInfoEndpoint }),
    ...(settings.jwksUri && { jwks_uri: settings.jwksUri }),
  };
}
