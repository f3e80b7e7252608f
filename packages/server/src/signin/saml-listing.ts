import type { Organisation } from "../domain/organisation.ts";
import type { SamlProviderLookup } from "../domain/ports/saml-sign-in.ts";
import type { PublicOAuthProvider } from "./flow.ts";

/** The organisation's SAML providers in the public shape (see PublicOAuthProvider). */
export async function publicSamlProviders(
  deps: { readonly samlProviders: SamlProviderLookup },
  org: Organisation,
): Promise<PublicOAuthProvider[]> {
  const views = await deps.samlProviders.list(org.id);
  const configured = await Promise.all(views.map((view) => deps.samlProviders.configured(org.id, view.providerName)));
  return configured.flatMap((provider) =>
    provider
      ? [
          {
            providerName: provider.settings.providerName,
            type: "saml" as const,
            clientId: provider.sp.spEntityId,
            authorizationUrl: provider.settings.idpSsoUrl,
            tokenEndpoint: provider.sp.acsUrl,
            scope: "",
            enableJit: provider.settings.enableJit,
          },
        ]
      : [],
  );
}
