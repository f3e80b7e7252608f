import { type Result, success } from "../domain/failures.ts";
import type { ProviderSettingsInput } from "../domain/provider-settings.ts";
import { baseUrlOption, clientSettings, type PresetClient, type PresetDefinition, presetInvalid } from "./common.ts";

export interface KeycloakPresetOptions extends PresetClient {
  /** The server's address, with `/auth` for Keycloak before 17 (`https://sso.example.com`). */
  readonly baseUrl: string;
  /** The realm's name. */
  readonly realm: string;
}

/**
 * Keycloak, over OpenID Connect: issuer `{baseUrl}/realms/{realm}`. Keycloak's ID tokens carry
 * `email` and `email_verified`. Create an OpenID Connect client with "Client authentication" on
 * and the redirect URIs as Valid redirect URIs.
 */
export function keycloak(options: KeycloakPresetOptions): Result<ProviderSettingsInput> {
  const base = clientSettings("keycloak", options);
  if (!base.ok) return base;
  const baseUrl = baseUrlOption("keycloak", "baseUrl", options.baseUrl, "https://sso.example.com");
  if (!baseUrl.ok) return baseUrl;
  const realm = options.realm ?? "";
  if (realm.trim() === "" || realm.length > 255 || /[/\\?#]/.test(realm) || realm === "." || realm === "..") {
    return presetInvalid("keycloak", 'realm is required: the realm\'s name, e.g. "acme" (no "/", "?" or "#")');
  }
  return success({ ...base.value, issuer: `${baseUrl.value}/realms/${encodeURIComponent(realm)}`, scope: "openid email profile" });
}

export const keycloakPreset: PresetDefinition = {
  name: "keycloak",
  title: "Keycloak",
  description: "Keycloak (OpenID Connect): issuer {baseUrl}/realms/{realm}.",
  options: [
    {
      name: "baseUrl",
      required: true,
      description: "Keycloak address (with /auth before Keycloak 17)",
      example: "https://sso.example.com",
    },
    { name: "realm", required: true, description: "Realm name", example: "acme" },
  ],
  build: (options, client) => keycloak({ ...client, baseUrl: options.baseUrl ?? "", realm: options.realm ?? "" }),
};
