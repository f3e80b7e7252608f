import { failure, type Result, success } from "../errors.ts";
import type { ProviderRepository } from "../store/providers.ts";
import type { ConfiguredProvider, Organisation } from "./model.ts";
import { type OrganisationLookup, resolveOrganisation } from "./organisation.ts";

export interface ProviderLookup extends OrganisationLookup {
  readonly providers: Pick<ProviderRepository, "configured">;
}

/** Resolves the organisation and the named provider in it, and checks the redirect URI. */
export async function resolveProvider(
  deps: ProviderLookup,
  email: string,
  providerName: string,
  redirectUri: string,
): Promise<Result<{ organisation: Organisation; provider: ConfiguredProvider }>> {
  const org = await resolveOrganisation(deps, email);
  if (!org.ok) return org;
  const provider = await deps.providers.configured(org.value.id, providerName);
  if (!provider) return failure("PROVIDER_NOT_FOUND", `No OAuth provider named "${providerName}" is configured for your organisation.`);
  // Exact match (RFC 9700 §2.1): checked before anything is sent to the provider.
  if (!provider.settings.redirectUris.includes(redirectUri)) {
    return failure("REDIRECT_URI_MISMATCH", "redirectUri is not one of the provider's registered redirect URIs.");
  }
  return success({ organisation: org.value, provider });
}

