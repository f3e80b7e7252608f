import { type Result, success } from "../domain/failures.ts";
import type { SamlProviderLookup } from "../domain/ports/saml-sign-in.ts";
import { type AuthorizationDeps, type AuthorizationRequest, startAuthorization } from "./authorization-requests.ts";
import { type ExchangeDeps, type ExchangedTokens, type ExchangeRequest, redeemAuthorizationCode } from "./exchange.ts";
import { type OrganisationLookup, resolveOrganisation } from "./organisation.ts";
import { type SamlAuthorizationDeps, startSamlAuthorization } from "./saml-authorize.ts";
import { redeemSamlCode, type SamlExchangeDeps } from "./saml-exchange.ts";

/*
 * The seed's authorize and exchange serve both kinds of provider under one name space: the
 * provider's kind decides which flow a request goes to (names are unique across OAuth and SAML).
 */

/** Whether `name` is a SAML provider of the organisation the email signs in to. */
async function isSamlProvider(
  deps: OrganisationLookup & { readonly samlProviders: Pick<SamlProviderLookup, "configured"> },
  email: string,
  name: string,
): Promise<boolean> {
  const org = await resolveOrganisation(deps, email);
  return org.ok && (await deps.samlProviders.configured(org.value.id, name)) !== undefined;
}

/** `GET /userAccount/oauth/authorize`: an OAuth authorization request, or a SAML AuthnRequest (`prompt=login` → ForceAuthn). */
export async function startAnyAuthorization(
  deps: AuthorizationDeps & SamlAuthorizationDeps,
  request: AuthorizationRequest,
): Promise<Result<{ authorizationUrl: string; state: string }>> {
  if (await isSamlProvider(deps, request.email, request.provider)) {
    const { prompt, ...rest } = request;
    return startSamlAuthorization(deps, { ...rest, ...(prompt === "login" && { forceAuthn: true }) });
  }
  return startAuthorization(deps, request);
}

/** `POST /userAccount/oauth/exchange`: the provider's tokens, or for a SAML provider the handle and id_token of the ACS's code. */
export async function exchangeAnyCode(deps: ExchangeDeps & SamlExchangeDeps, request: ExchangeRequest): Promise<Result<ExchangedTokens>> {
  if (await isSamlProvider(deps, request.email, request.provider)) return redeemSamlCode(deps, request);
  const exchanged = await redeemAuthorizationCode(deps, request);
  return exchanged.ok ? success(exchanged.value.tokens) : exchanged;
}
