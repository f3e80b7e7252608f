import type { Organisation } from "../domain/organisation.ts";
import type { SamlProviderLookup } from "../domain/ports/saml-sign-in.ts";
import type { PublicOAuthProvider } from "./sign-in-options.ts";

/** The organisation's SAML providers in the public shape (see PublicOAuthProvider), from their views: no key is opened. */
export async function publicSamlProviders(
  deps: { readonly samlProviders: Pick<SamlProviderLookup, "list"> },
  org: Organisation,
): Promise<PublicOAuthProvider[]> {
  const views = await deps.samlProviders.list(org.id);
  return views.map((view) => ({
    providerName: view.providerName,
    type: "saml" as const,
    clientId: view.spEntityId,
    authorizationUrl: view.idpSsoUrl,
    tokenEndpoint: view.acsUrl,
    scope: "",
    enableJit: view.enableJit,
  }));
}
