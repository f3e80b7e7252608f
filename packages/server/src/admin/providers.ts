import { failure, type Result, success } from "../domain/failures.ts";
import type { ProviderRepository } from "../domain/ports/repositories.ts";
import { type ProviderSettings, type ProviderSettingsInput, type ProviderView, subjectNamespace, validateProviderSettings } from "../domain/provider-settings.ts";
import { expandPreset, type PresetSelection } from "../presets/index.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";

export interface ProviderAdministration extends OrganisationAdministration {
  readonly providers: ProviderRepository;
}

/**
 * Whether a provider's identity links survive replacing `before` with `after`: only while its
 * subjects keep meaning the same accounts. Another issuer (or token endpoint) or subject claim
 * means other identifiers, and a subject from there must never match an old link.
 */
export function identityLinksSurvive(before: ProviderSettings, after: ProviderSettings): boolean {
  return subjectNamespace(before) === subjectNamespace(after);
}

/**
 * Validates and stores provider settings: creates, or replaces keeping the secret when none is
 * given. A `preset` is expanded first; the fields given explicitly override the preset's.
 */
export async function saveProvider(
  deps: ProviderAdministration,
  orgId: string,
  name: string,
  given: ProviderSettingsInput & PresetSelection,
  options: { allowInsecureLoopback: boolean },
): Promise<Result<{ view: ProviderView; created: boolean }>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const input = expandPreset(given);
  if (!input.ok) return input;
  const existingSecret = await deps.providers.hasSecret(orgId, name);
  const settings = validateProviderSettings(name, input.value, { allowInsecureLoopback: options.allowInsecureLoopback, existingSecret });
  if (!settings.ok) return settings;
  const after = settings.value;
  return success(await deps.providers.put(orgId, after, input.value.clientSecret, { identityLinksSurvive: (before) => identityLinksSurvive(before, after) }));
}

export async function listProviders(deps: ProviderAdministration, orgId: string): Promise<Result<ProviderView[]>> {
  const org = await requireOrganisation(deps, orgId);
  return org.ok ? success(await deps.providers.list(org.value.id)) : org;
}

const noSuchProvider = (name: string) => failure("NOT_FOUND", `No provider "${name}" in this organisation.`);

export async function viewProvider(deps: ProviderAdministration, orgId: string, name: string): Promise<Result<ProviderView>> {
  const view = await deps.providers.view(orgId, name);
  return view ? success(view) : noSuchProvider(name);
}

export async function removeProvider(deps: ProviderAdministration, orgId: string, name: string): Promise<Result<void>> {
  return (await deps.providers.remove(orgId, name)) ? success(undefined) : noSuchProvider(name);
}

