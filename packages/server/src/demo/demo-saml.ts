import type { AdminCaller } from "../admin/admin-actions.ts";
import { saveSamlProvider } from "../admin/saml-providers.ts";
import type { Store } from "../store/store.ts";
import type { OidcProviderServer } from "@pipeshub-auth/demo-provider";

/** The Demo organisation's SAML provider: the demo provider's SAML IdP, for the same demo user. */
export const DEMO_SAML_PROVIDER_NAME = "demo-saml";

/**
 * Seeds (or, when the demo provider moved or its certificate changed, re-saves) the Demo
 * organisation's SAML provider from the demo IdP's own values — no metadata URL, so nothing is
 * fetched — keeping an admin's other edits.
 */
export async function seedDemoSamlProvider(
  store: Store,
  orgId: string,
  provider: OidcProviderServer,
  redirectUris: readonly string[],
  caller: AdminCaller,
): Promise<void> {
  const saml = provider.saml;
  const current = await store.samlProviders.configured(orgId, DEMO_SAML_PROVIDER_NAME);
  const certificate = saml.keyPair.certificatePem;
  if (
    current &&
    current.settings.idpEntityId === saml.entityId &&
    current.settings.idpSsoUrl === saml.ssoUrl &&
    current.settings.idpCertificates.includes(certificate) &&
    redirectUris.every((uri) => current.settings.redirectUris.includes(uri))
  )
    return;
  const saved = await saveSamlProvider(
    {
      ...store,
      outbound: () => Promise.reject(new Error("the demo's SAML provider is saved from the IdP's values, never fetched")),
    },
    orgId,
    DEMO_SAML_PROVIDER_NAME,
    {
      ...(current && { enableJit: current.settings.enableJit, clockSkewSeconds: current.settings.clockSkewSeconds }),
      idpEntityId: saml.entityId,
      idpSsoUrl: saml.ssoUrl,
      idpCertificates: [certificate],
      redirectUris: [...redirectUris],
      enableJit: current?.settings.enableJit ?? true,
      emailAttribute: "email",
    },
    { allowInsecureLoopback: true },
    caller,
  );
  if (!saved.ok) throw new Error(`could not save the demo SAML provider: ${saved.message}`);
}
