import { failure, type Result, success } from "../domain/failures.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { ProviderRepository } from "../domain/ports/repositories.ts";
import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import type { SamlProviderLookup } from "../domain/ports/saml-sign-in.ts";
import type { ConfiguredSamlProvider } from "../domain/saml-provider.ts";
import { type OrganisationLookup, organisationOf } from "./organisation.ts";

export interface ProviderLookup extends OrganisationLookup {
  readonly providers: Pick<ProviderRepository, "configured">;
}

/** The named provider of an organisation, with the redirect URI checked against its registered ones. */
export async function findProvider(
  deps: Pick<ProviderLookup, "providers">,
  organisation: Organisation,
  providerName: string,
  redirectUri: string,
): Promise<Result<ConfiguredProvider>> {
  const provider = await deps.providers.configured(organisation.id, providerName);
  if (!provider) return failure("PROVIDER_NOT_FOUND", `No OAuth provider named "${providerName}" is configured for your organisation.`);
  // Exact match (RFC 9700 §2.1): checked before anything is sent to the provider.
  if (!provider.settings.redirectUris.includes(redirectUri)) {
    return failure("REDIRECT_URI_MISMATCH", "redirectUri is not one of the provider's registered redirect URIs.");
  }
  return success(provider);
}

/** Resolves the organisation from the email (unless `resolved`), then the named provider in it (see findProvider). */
export async function resolveProvider(
  deps: ProviderLookup,
  email: string,
  providerName: string,
  redirectUri: string,
  resolved?: Result<Organisation>,
): Promise<Result<{ organisation: Organisation; provider: ConfiguredProvider }>> {
  const org = await organisationOf(deps, email, resolved);
  if (!org.ok) return org;
  const provider = await findProvider(deps, org.value, providerName, redirectUri);
  return provider.ok ? success({ organisation: org.value, provider: provider.value }) : provider;
}

/** The named SAML provider of an organisation, with the redirect URI checked against its registered ones. */
export async function findSamlProvider(
  deps: { readonly samlProviders: Pick<SamlProviderLookup, "configured"> },
  organisation: Organisation,
  providerName: string,
  redirectUri: string,
): Promise<Result<ConfiguredSamlProvider>> {
  const provider = await deps.samlProviders.configured(organisation.id, providerName);
  if (!provider) return failure("PROVIDER_NOT_FOUND", `No SAML provider named "${providerName}" is configured for your organisation.`);
  if (!provider.settings.redirectUris.includes(redirectUri)) {
    return failure("REDIRECT_URI_MISMATCH", "redirectUri is not one of the provider's registered redirect URIs.");
  }
  return success(provider);
}
