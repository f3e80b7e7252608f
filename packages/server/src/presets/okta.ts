import { type Result, success } from "../domain/failures.ts";
import type { ProviderSettingsInput } from "../domain/provider-settings.ts";
import { clientSettings, hostNameOption, type PresetClient, type PresetDefinition, presetInvalid } from "./common.ts";

export interface OktaPresetOptions extends PresetClient {
  /** The Okta org's domain (`acme.okta.com`) or its custom domain. */
  readonly domain: string;
  /**
   * A custom authorization server's ID (`default`, or `aus…`): issuer
   * `https://{domain}/oauth2/{id}`. Without it, the org authorization server (`https://{domain}`).
   */
  readonly authorizationServerId?: string;
}

const AUTHORIZATION_SERVER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Okta, over OpenID Connect: the org authorization server (issuer `https://{domain}`) or a
 * custom one (`https://{domain}/oauth2/default`). Okta's ID tokens carry `email` and
 * `email_verified`. Create an OIDC "Web Application" integration with the redirect URIs.
 */
export function okta(options: OktaPresetOptions): Result<ProviderSettingsInput> {
  const base = clientSettings("okta", options);
  if (!base.ok) return base;
  const domain = hostNameOption("okta", "domain", options.domain, "acme.okta.com");
  if (!domain.ok) return domain;
  let issuer = `https://${domain.value}`;
  if (options.authorizationServerId !== undefined) {
    if (!AUTHORIZATION_SERVER_ID.test(options.authorizationServerId)) {
      return presetInvalid("okta", 'authorizationServerId must be an authorization server ID such as "default"');
    }
    issuer += `/oauth2/${options.authorizationServerId}`;
  }
  return success({ ...base.value, issuer, scope: "openid email profile" });
}

export const oktaPreset: PresetDefinition = {
  name: "okta",
  title: "Okta",
  description:
    "Okta (OpenID Connect): issuer https://{domain}, or https://{domain}/oauth2/{authorizationServerId} for a custom authorization server.",
  options: [
    { name: "domain", required: true, description: "Okta domain (or custom domain)", example: "acme.okta.com" },
    {
      name: "authorizationServerId",
      required: false,
      description: "Custom authorization server ID; omit for the org authorization server",
      example: "default",
    },
  ],
  build: (options, client) =>
    okta({
      ...client,
      domain: options.domain ?? "",
      ...(options.authorizationServerId !== undefined && { authorizationServerId: options.authorizationServerId }),
    }),
};
