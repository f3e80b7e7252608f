import { type Result, success } from "../domain/failures.ts";
import type { ProviderRepository } from "../domain/ports/repositories.ts";
import type { ProviderSettings, ProviderSettingsInput } from "../domain/provider-settings.ts";
import { discoversMetadata } from "../domain/provider-urls.ts";
import {
  describeSecretBinding,
  keepsAStoredSecret,
  keptSecretRefusal,
  type SecretBinding,
  secretBindingOfSettings,
  type SecretsKept,
  sameSecretBinding,
} from "../domain/secret-binding.ts";
import type { Discovery } from "../oauth/discovery.ts";

/** What binding a provider's secrets at save needs: the stored provider, and discovery to resolve a token endpoint. */
export interface SecretBindingDeps {
  readonly providers: Pick<ProviderRepository, "configured">;
  /** Without it (the demo's seeding), a provider configured by issuer is bound to its issuer. */
  readonly discovery?: Pick<Discovery, "endpoints">;
}

/**
 * The origin of the token endpoint `settings` lead to: an explicit endpoint's, or the one the
 * issuer's discovery names (through the outbound guard). When discovery cannot be read now, the
 * issuer: the secret then goes where that issuer's discovery names, resolved at each use, so a
 * provider that is briefly down can still be saved.
 */
async function resolveSecretBinding(deps: SecretBindingDeps, orgId: string, settings: ProviderSettings): Promise<SecretBinding> {
  if (!discoversMetadata(settings) || !deps.discovery) return secretBindingOfSettings(settings);
  const endpoints = await deps.discovery.endpoints({
    id: "",
    orgId,
    settings,
    clientSecret: undefined,
    // Discovery reads only the settings; a provider being saved is trusted for nothing yet.
    linking: { identitySettingsSavedBy: "delegated", linkExistingUsers: false },
  });
  if (endpoints.ok && endpoints.value.tokenEndpoint) return { origin: new URL(endpoints.value.tokenEndpoint).origin };
  return { issuer: settings.issuer };
}

/**
 * How the token endpoint moves from where the stored secrets are bound, when it leaves that
 * origin (or whether it does cannot be told); undefined when it stays. Settings whose token
 * endpoint comes from the same place (the same issuer's discovery, or an explicit endpoint on
 * the same origin) keep it without asking the network.
 */
async function moveOf(
  deps: SecretBindingDeps,
  orgId: string,
  bound: SecretBinding,
  before: ProviderSettings,
  after: ProviderSettings,
): Promise<string | undefined> {
  if (sameSecretBinding(secretBindingOfSettings(before), secretBindingOfSettings(after))) return undefined;
  const to = await resolveSecretBinding(deps, orgId, after);
  const from =
    "origin" in bound ? bound : await resolveSecretBinding(deps, orgId, { ...before, issuer: bound.issuer, tokenEndpoint: undefined });
  if (sameSecretBinding(from, to)) return undefined;
  const unknown = "issuer" in from || "issuer" in to ? " (discovery could not be read to tell whether it stays on the same origin)" : "";
  return `the token endpoint moves from ${describeSecretBinding(from)} to ${describeSecretBinding(to)}${unknown}`;
}

/**
 * Where a save binds the provider's secrets: the stored binding when it keeps a stored secret,
 * the token endpoint's origin as resolved now when every secret is new. A save that keeps a
 * stored secret while moving the token endpoint to another origin, or changing `clientId`, is
 * INVALID_PROVIDER_SETTINGS naming the secret to give again (store/providers.ts checks the same
 * again in its transaction).
 */
export async function bindSecretsForSave(
  deps: SecretBindingDeps,
  orgId: string,
  after: ProviderSettings,
  given: Pick<ProviderSettingsInput, "clientSecret" | "nextClientSecret">,
): Promise<Result<SecretBinding>> {
  const stored = await deps.providers.configured(orgId, after.providerName);
  const kept: SecretsKept = {
    clientSecretStored: stored?.clientSecret !== undefined,
    nextClientSecretStored: stored?.nextClientSecret !== undefined,
    clientSecret: given.clientSecret,
    nextClientSecret: given.nextClientSecret,
  };
  if (!stored || !keepsAStoredSecret(kept)) return success(await resolveSecretBinding(deps, orgId, after));
  const bound = stored.secretBinding ?? secretBindingOfSettings(stored.settings);
  const moved = await moveOf(deps, orgId, bound, stored.settings, after);
  const refusal = keptSecretRefusal(
    { ...(moved !== undefined && { moved }), clientIdChanged: stored.settings.clientId !== after.clientId },
    kept,
  );
  return refusal ?? success(bound);
}
