/**
 * A ConfiguredSamlProvider pointing at a test IdP (support/saml-idp.ts), as the sign-in would
 * receive it from the repository: for the saml/ tests, which call the protocol functions directly.
 */
import type { ConfiguredSamlProvider, SamlProviderSettings } from "../../src/domain/saml-provider.ts";
import { serviceProviderEndpoints } from "../../src/domain/saml-provider.ts";
import type { SamlIdp } from "./saml-idp.ts";

export const SAML_PUBLIC_URL = "https://auth.example.test";
export const SAML_ORG_ID = "org-saml";

export function samlProviderFor(
  idp: Pick<SamlIdp, "entityId" | "ssoUrl" | "keys">,
  overrides: Partial<SamlProviderSettings> & Pick<Partial<ConfiguredSamlProvider>, "spKey"> = {},
): ConfiguredSamlProvider {
  const { spKey, ...settings } = overrides;
  const providerName = settings.providerName ?? "idp";
  return {
    id: `saml-${providerName}`,
    orgId: SAML_ORG_ID,
    settings: {
      providerName,
      idpEntityId: idp.entityId,
      idpSsoUrl: idp.ssoUrl,
      idpCertificates: idp.keys.map((key) => key.certificatePem),
      redirectUris: ["https://app.example.test/callback"],
      enableJit: false,
      clockSkewSeconds: 60,
      allowIdpInitiated: false,
      allowSha1: false,
      signAuthnRequests: false,
      ...settings,
    },
    sp: serviceProviderEndpoints(SAML_PUBLIC_URL, SAML_ORG_ID, providerName),
    ...(spKey === undefined ? {} : { spKey }),
    linking: { identitySettingsSavedBy: "operator", linkExistingUsers: false },
  };
}
