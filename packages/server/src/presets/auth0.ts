import { type Result, success } from "../domain/failures.ts";
import type { ProviderSettingsInput } from "../domain/provider-settings.ts";
import { clientSettings, hostNameOption, type PresetClient, type PresetDefinition } from "./common.ts";

export interface Auth0PresetOptions extends PresetClient {
  /** The tenant's domain (`acme.us.auth0.com`) or its custom domain. */
  readonly domain: string;
}

/**
 * Auth0, over OpenID Connect. Auth0's issuer is `https://{domain}/` **with** the trailing slash:
 * it is part of the issuer identifier and of every ID token's `iss`, which is compared exactly.
 * Auth0's ID tokens carry `email` and `email_verified`. Create a "Regular Web Application" and
 * list the redirect URIs as Allowed Callback URLs.
 */
export function auth0(options: Auth0PresetOptions): Result<ProviderSettingsInput> {
  const base = clientSettings("auth0", options);
  if (!base.ok) return base;
  const domain = hostNameOption("auth0", "domain", options.domain, "acme.us.auth0.com");
  if (!domain.ok) return domain;
  return success({ ...base.value, issuer: `https://${domain.value}/`, scope: "openid email profile" });
}

export const auth0Preset: PresetDefinition = {
  name: "auth0",
  title: "Auth0",
  description: "Auth0 (OpenID Connect): issuer https://{domain}/ (the trailing slash is part of Auth0's issuer).",
  options: [{ name: "domain", required: true, description: "Auth0 tenant domain (or custom domain)", example: "acme.us.auth0.com" }],
  build: (options, client) => auth0({ ...client, domain: options.domain ?? "" }),
};
