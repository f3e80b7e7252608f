import { type Result, success } from "../domain/failures.ts";
import type { ProviderSettingsInput } from "../domain/provider-settings.ts";
import { baseUrlOption, clientSettings, type PresetClient, type PresetDefinition } from "./common.ts";

export interface GitLabPresetOptions extends PresetClient {
  /** A self-managed GitLab's address (`https://gitlab.example.com`); default https://gitlab.com. */
  readonly baseUrl?: string;
}

/**
 * GitLab.com or a self-managed GitLab, over OpenID Connect: the issuer is the instance's
 * address (`https://gitlab.com`). GitLab's ID tokens carry `email` and `email_verified` with the
 * `email` scope. Register an application (User or Group settings → Applications) with the
 * scopes `openid`, `email` and `profile`.
 */
export function gitLab(options: GitLabPresetOptions): Result<ProviderSettingsInput> {
  const base = clientSettings("gitlab", options);
  if (!base.ok) return base;
  let issuer = "https://gitlab.com";
  if (options.baseUrl !== undefined) {
    const url = baseUrlOption("gitlab", "baseUrl", options.baseUrl, "https://gitlab.example.com");
    if (!url.ok) return url;
    issuer = url.value;
  }
  return success({ ...base.value, issuer, scope: "openid email profile" });
}

export const gitLabPreset: PresetDefinition = {
  name: "gitlab",
  title: "GitLab",
  description: "GitLab.com or self-managed GitLab (OpenID Connect, issuer https://gitlab.com or the instance's address).",
  options: [
    {
      name: "baseUrl",
      required: false,
      description: "Self-managed GitLab address; default https://gitlab.com",
      example: "https://gitlab.example.com",
    },
  ],
  build: (options, client) => gitLab({ ...client, ...(options.baseUrl !== undefined && { baseUrl: options.baseUrl }) }),
};
