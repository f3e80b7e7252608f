import { failure, type Result, success } from "../errors.ts";
import { isUniqueViolation } from "../store/database.ts";
import type { ProviderView } from "../store/providers.ts";
import type { Store } from "../store/store.ts";
import type { Organisation, User } from "../signin/model.ts";
import { type ProviderSettingsInput, validateProviderSettings } from "../signin/provider-settings.ts";
import { expandPreset, type PresetSelection } from "../presets/index.ts";

export type AdminStore = Pick<Store, "organisations" | "users" | "providers">;

export async function createOrganisation(store: AdminStore, name: string, domains: readonly string[]): Promise<Result<Organisation>> {
  try {
    return success(await store.organisations.create(name.trim(), domains));
  } catch (error) {
    if (isUniqueViolation(error)) return failure("CONFLICT", "One of these domains is already claimed by another organisation.");
    throw error;
  }
}

export async function requireOrganisation(store: AdminStore, orgId: string): Promise<Result<Organisation>> {
  const org = await store.organisations.get(orgId);
  return org ? success(org) : failure("ORG_NOT_FOUND", `No organisation with id "${orgId}".`);
}

/**
 * Validates and stores provider settings: creates, or replaces keeping the secret when none is
 * given. A `preset` is expanded first; the fields given explicitly override the preset's.
 */
export async function saveProvider(
  store: AdminStore,
  orgId: string,
  name: string,
  given: ProviderSettingsInput & PresetSelection,
  options: { allowInsecureLoopback: boolean },
): Promise<Result<{ view: ProviderView; created: boolean }>> {
  const org = await requireOrganisation(store, orgId);
  if (!org.ok) return org;
  const input = expandPreset(given);
  if (!input.ok) return input;
  const existingSecret = await store.providers.hasSecret(orgId, name);
  const settings = validateProviderSettings(name, input.value, { allowInsecureLoopback: options.allowInsecureLoopback, existingSecret });
  if (!settings.ok) return settings;
  return success(await store.providers.put(orgId, settings.value, input.value.clientSecret));
}

export async function createUser(store: AdminStore, orgId: string, email: string, fullName: string | null): Promise<Result<User>> {
  const org = await requireOrganisation(store, orgId);
  if (!org.ok) return org;
  try {
    return success(await store.users.create(orgId, email, fullName));
  } catch (error) {
    if (isUniqueViolation(error)) return failure("CONFLICT", "A user with this email already exists in the organisation.");
    throw error;
  }
}

/** The organisation PipesHub's single-organisation endpoints mean: the named one, or the only one. */
export async function implicitOrganisation(store: AdminStore, orgId: string | undefined): Promise<Result<Organisation>> {
  if (orgId) return requireOrganisation(store, orgId);
  const all = await store.organisations.list(2);
  if (all.length === 1) return success(all[0]!);
  return failure(all.length === 0 ? "ORG_NOT_FOUND" : "VALIDATION_ERROR", all.length === 0 ? "No organisation exists yet." : "Several organisations exist: pass orgId.");
}
