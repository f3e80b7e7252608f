import { type Result, success } from "../domain/failures.ts";
import type { ProviderSettingsInput } from "../domain/provider-settings.ts";
import { baseUrlOption, clientSettings, type PresetClient, type PresetDefinition } from "./common.ts";

export interface GitHubPresetOptions extends PresetClient {
  /** GitHub Enterprise Server's address (`https://github.example.com`); default github.com. */
  readonly baseUrl?: string;
}

/**
 * GitHub OAuth apps, which speak plain OAuth 2.0 (no ID token, no discovery):
 * - authorize at `https://github.com/login/oauth/authorize`, redeem at
 *   `https://github.com/login/oauth/access_token` (client_secret_post);
 * - the subject is the user's numeric `id` from `https://api.github.com/user`, never the
 *   `login`, which its owner can rename (and someone else can then take);
 * - the email is the **verified primary** address from `https://api.github.com/user/emails`
 *   (scope `user:email`): the user API's `email` is whichever address the user made public,
 *   and GitHub does not say whether it is verified. No verified primary address: no sign-in.
 *
 * With `baseUrl`, the same on GitHub Enterprise Server (`{baseUrl}/login/oauth/…`,
 * `{baseUrl}/api/v3/user`, `{baseUrl}/api/v3/user/emails`).
 */
export function gitHub(options: GitHubPresetOptions): Result<ProviderSettingsInput> {
  const base = clientSettings("github", options);
  if (!base.ok) return base;
  let web = "https://github.com";
  let api = "https://api.github.com";
  if (options.baseUrl !== undefined) {
    const url = baseUrlOption("github", "baseUrl", options.baseUrl, "https://github.example.com");
    if (!url.ok) return url;
    web = url.value;
    api = `${url.value}/api/v3`;
  }
  return success({
    ...base.value,
    authorizationUrl: `${web}/login/oauth/authorize`,
    tokenEndpoint: `${web}/login/oauth/access_token`,
    userInfoEndpoint: `${api}/user`,
    emailsEndpoint: `${api}/user/emails`,
    scope: "read:user user:email",
    tokenEndpointAuthMethod: "client_secret_post",
    subjectClaim: "id",
  });
}

export const gitHubPreset: PresetDefinition = {
  name: "github",
  title: "GitHub",
  description:
    "GitHub OAuth apps (plain OAuth 2.0): the numeric user id as subject, the verified primary address from /user/emails as email.",
  options: [
    {
      name: "baseUrl",
      required: false,
      description: "GitHub Enterprise Server address; default github.com",
      example: "https://github.example.com",
    },
  ],
  build: (options, client) => gitHub({ ...client, ...(options.baseUrl !== undefined && { baseUrl: options.baseUrl }) }),
};
