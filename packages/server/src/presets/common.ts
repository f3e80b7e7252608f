import { failure, type Failure, type Result, success } from "../domain/failures.ts";
import type { ProviderSettingsInput } from "../domain/provider-settings.ts";

/** The values every preset takes: the client registered at the provider. */
export interface PresetClient {
  readonly clientId: string;
  /** Write-only; omitted on a replace keeps the stored secret. */
  readonly clientSecret?: string;
  readonly redirectUris?: readonly string[];
}

/** One value a preset needs besides the client, as `GET /api/v1/provider-presets` lists it. */
export interface PresetOption {
  readonly name: string;
  readonly required: boolean;
  readonly description: string;
  readonly example: string;
}

/** A provider preset: what it is, what it needs, and the settings it produces. */
export interface PresetDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly options: readonly PresetOption[];
  /** Builds the settings; `options` holds only names from `options` (checked by the caller). */
  build(options: Readonly<Record<string, string>>, client: PresetClient): Result<ProviderSettingsInput>;
}

export function presetInvalid(preset: string, message: string): Failure {
  return failure("INVALID_PROVIDER_SETTINGS", `preset "${preset}": ${message}`);
}

/** The client fields of the settings; presets validate only clientId, the rest is validated on save. */
export function clientSettings(
  preset: string,
  client: PresetClient,
): Result<Pick<ProviderSettingsInput, "clientId" | "clientSecret" | "redirectUris">> {
  if (typeof client.clientId !== "string" || client.clientId.trim() === "") return presetInvalid(preset, "clientId must not be empty");
  return success({
    clientId: client.clientId,
    ...(client.clientSecret !== undefined && { clientSecret: client.clientSecret }),
    ...(client.redirectUris !== undefined && { redirectUris: [...client.redirectUris] }),
  });
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** A DNS host name with at least one dot (`acme.okta.com`), lower-cased; no scheme, port or path. */
export function hostNameOption(preset: string, option: string, value: string | undefined, example: string): Result<string> {
  if (value === undefined || value.trim() === "") return presetInvalid(preset, `${option} is required, e.g. "${example}"`);
  if (!HOST_NAME.test(value)) return presetInvalid(preset, `${option} must be a host name like "${example}" (no https://, port or path)`);
  return success(value.toLowerCase());
}

/**
 * An absolute http(s) base URL without query, fragment or credentials; the trailing slash is
 * dropped. Whether plain http is allowed is decided where all provider URLs are (on save).
 */
export function baseUrlOption(preset: string, option: string, value: string | undefined, example: string): Result<string> {
  if (value === undefined || value.trim() === "") return presetInvalid(preset, `${option} is required, e.g. "${example}"`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return presetInvalid(preset, `${option} must be an absolute URL like "${example}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return presetInvalid(preset, `${option} must be an https URL like "${example}"`);
  if (url.search || url.hash || url.username || url.password)
    return presetInvalid(preset, `${option} must not contain a query, fragment or credentials`);
  return success(url.href.replace(/\/+$/, ""));
}
