/**
 * Provider presets: small functions that turn the few values an administrator knows (client,
 * tenant, domain, realm) into complete provider settings for a well-known provider. The admin
 * API takes `{ "preset": "okta", "presetOptions": { "domain": "acme.okta.com" }, …settings }`;
 * explicit settings override the preset's, and the result is validated like any settings.
 */
import { failure, type Result, success } from "../domain/failures.ts";
import type { ProviderSettingsInput } from "../domain/provider-settings.ts";
import { auth0Preset } from "./auth0.ts";
import type { PresetDefinition } from "./common.ts";
import { entraIdPreset } from "./entra-id.ts";
import { gitHubPreset } from "./github.ts";
import { gitLabPreset } from "./gitlab.ts";
import { googlePreset } from "./google.ts";
import { keycloakPreset } from "./keycloak.ts";
import { oktaPreset } from "./okta.ts";

export { auth0, type Auth0PresetOptions } from "./auth0.ts";
export type { PresetClient, PresetDefinition, PresetOption } from "./common.ts";
export { entraId, type EntraIdPresetOptions } from "./entra-id.ts";
export { gitHub, type GitHubPresetOptions } from "./github.ts";
export { gitLab, type GitLabPresetOptions } from "./gitlab.ts";
export { google, GOOGLE_ISSUER } from "./google.ts";
export { keycloak, type KeycloakPresetOptions } from "./keycloak.ts";
export { okta, type OktaPresetOptions } from "./okta.ts";

/** Every preset, in the order they are listed. */
export const PRESETS: readonly PresetDefinition[] = [
  googlePreset,
  entraIdPreset,
  gitHubPreset,
  gitLabPreset,
  oktaPreset,
  auth0Preset,
  keycloakPreset,
];

/** What a settings write may carry besides the settings: a preset and its options. */
export interface PresetSelection {
  preset?: string;
  presetOptions?: Record<string, string>;
}

export function findPreset(name: string): PresetDefinition | undefined {
  return PRESETS.find((p) => p.name === name.toLowerCase());
}

function invalid(message: string) {
  return failure("INVALID_PROVIDER_SETTINGS", message);
}

/**
 * Expands `preset` + `presetOptions` into settings, with every explicitly given field taking
 * precedence over the preset's. Without a preset the input is returned as it is (minus the
 * selection fields). Unknown presets and options are refused, naming the known ones.
 */
export function expandPreset(input: ProviderSettingsInput & PresetSelection): Result<ProviderSettingsInput> {
  const { preset, presetOptions, ...explicit } = input;
  if (preset === undefined) {
    if (presetOptions !== undefined && Object.keys(presetOptions).length > 0)
      return invalid("presetOptions are only meaningful with preset");
    return success(explicit);
  }
  const definition = findPreset(preset);
  if (!definition) return invalid(`unknown preset "${preset}"; known presets: ${PRESETS.map((p) => p.name).join(", ")}`);
  const options = presetOptions ?? {};
  const known = new Set(definition.options.map((o) => o.name));
  for (const [name, value] of Object.entries(options)) {
    if (!known.has(name)) {
      const takes = definition.options.length === 0 ? "takes no options" : `takes ${definition.options.map((o) => o.name).join(", ")}`;
      return invalid(`preset "${definition.name}" has no option "${name}"; it ${takes}`);
    }
    if (typeof value !== "string") return invalid(`preset option "${name}" must be a string`);
  }
  const built = definition.build(options, {
    clientId: explicit.clientId,
    ...(explicit.clientSecret !== undefined && { clientSecret: explicit.clientSecret }),
    ...(explicit.redirectUris !== undefined && { redirectUris: explicit.redirectUris }),
  });
  if (!built.ok) return built;
  const overrides = Object.fromEntries(Object.entries(explicit).filter(([, value]) => value !== undefined));
  return success({ ...built.value, ...overrides } as ProviderSettingsInput);
}

/** The presets as `GET /api/v1/provider-presets` lists them. */
export function describePresets() {
  return PRESETS.map((p) => ({ name: p.name, title: p.title, description: p.description, options: p.options.map((o) => ({ ...o })) }));
}
