import { type Result, success } from "../domain/failures.ts";
import type { ProviderSettingsInput } from "../domain/provider-settings.ts";
import { clientSettings, type PresetClient, type PresetDefinition } from "./common.ts";

export const GOOGLE_ISSUER = "https://accounts.google.com";

/**
 * Google accounts and Google Workspace, over OpenID Connect (discovery at
 * https://accounts.google.com/.well-known/openid-configuration). Google's ID tokens carry
 * `email` and `email_verified`, so nothing needs trusting. Register a "Web application" OAuth
 * client in the Google Cloud console (APIs & Services → Credentials) with the redirect URIs.
 *
 * Any Google account can sign in at Google; which ones reach an organisation is decided here,
 * by the email's organisation and, without just-in-time provisioning, by the users you add.
 */
export function google(client: PresetClient): Result<ProviderSettingsInput> {
  const base = clientSettings("google", client);
  if (!base.ok) return base;
  return success({ ...base.value, issuer: GOOGLE_ISSUER, scope: "openid email profile" });
}

export const googlePreset: PresetDefinition = {
  name: "google",
  title: "Google",
  description: "Google accounts and Google Workspace (OpenID Connect, issuer https://accounts.google.com).",
  options: [],
  build: (_options, client) => google(client),
};
