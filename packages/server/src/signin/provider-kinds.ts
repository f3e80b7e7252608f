import { type Result, success } from "../domain/failures.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { ProviderRepository } from "../domain/ports/repositories.ts";
import type { SamlProviderLookup } from "../domain/ports/saml-sign-in.ts";
import { type AuthorizationDeps, type AuthorizationRequest, startAuthorization } from "./authorization-requests.ts";
import { type ExchangeDeps, type ExchangedTokens, type ExchangeRequest, redeemAuthorizationCode } from "./exchange.ts";
import { type OrganisationLookup, resolveOrganisation } from "./organisation.ts";
import { type SamlAuthorizationDeps, startSamlAuthorization } from "./saml-authorize.ts";
import { redeemSamlCode, type SamlExchangeDeps } from "./saml-exchange.ts";

/*
 * The seed's authorize and exchange serve both kinds of provider under one name space: the
 * provider's kind decides which flow a request goes to (names are unique across OAuth and SAML).
 * The organisation is resolved once here and handed to the flow; both provider reads are the
 * sign-in's cached ones, the OAuth one first (the flow reads it again, from the cache).
 */

interface KindDeps extends OrganisationLookup {
  readonly providers: Pick<ProviderRepository, "configured">;
  readonly samlProviders: Pick<SamlProviderLookup, "configured">;
}

/** The email's organisation, and whether `name` is a SAML provider of it (else the OAuth flow answers, also when unknown). */
async function providerKind(deps: KindDeps, email: string, name: string): Promise<{ organisation: Result<Organisation>; saml: boolean }> {
  const organisation = await resolveOrganisation(deps, email);
  if (!organisation.ok) return { organisation, saml: false };
  const orgId = organisation.value.id;
  const saml =
    (await deps.providers.configured(orgId, name)) === undefined && (await deps.samlProviders.configured(orgId, name)) !== undefined;
  return { organisation, saml };
}

/** `GET /userAccount/oauth/authorize`: an OAuth authorization request, or a SAML AuthnRequest (`prompt=login` → ForceAuthn). */
export async function startAnyAuthorization(
  deps: AuthorizationDeps & SamlAuthorizationDeps,
  request: AuthorizationRequest,
): Promise<Result<{ authorizationUrl: string; state: string }>> {
  const { organisation, saml } = await providerKind(deps, request.email, request.provider);
  if (saml) {
    const { prompt, ...rest } = request;
    return startSamlAuthorization(deps, { ...rest, ...(prompt === "login" && { forceAuthn: true }) }, organisation);
  }
  return startAuthorization(deps, request, organisation);
}

/** `POST /userAccount/oauth/exchange`: the provider's tokens, or for a SAML provider the handle and id_token of the ACS's code. */
export async function exchangeAnyCode(deps: ExchangeDeps & SamlExchangeDeps, request: ExchangeRequest): Promise<Result<ExchangedTokens>> {
  const { organisation, saml } = await providerKind(deps, request.email, request.provider);
  if (saml) return redeemSamlCode(deps, request, organisation);
  const exchanged = await redeemAuthorizationCode(deps, request, organisation);
  return exchanged.ok ? success(exchanged.value.tokens) : exchanged;
}
