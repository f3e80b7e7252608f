import { randomBytes } from "node:crypto";
import { SAML } from "@node-saml/node-saml";
import type { ConfiguredSamlProvider } from "../domain/saml-provider.ts";

export interface SamlRedirect {
  /** The IdP's SSO URL carrying the deflated, base64 AuthnRequest and the RelayState (HTTP-Redirect binding). */
  readonly url: string;
  /** The AuthnRequest's ID: the response must answer it (InResponseTo). */
  readonly requestId: string;
}

/**
 * The URL that sends a browser to the provider's IdP with a fresh AuthnRequest: its ID, this
 * provider's ACS URL (HTTP-POST binding) and SP entity ID as Issuer, ForceAuthn when asked (a
 * test sign-in's prompt=login), and a query signature with the SP key when the provider signs its
 * requests. No NameIDPolicy format and no RequestedAuthnContext: the IdP chooses, so an IdP set to
 * send a persistent NameID, or to require MFA, is not refused by our request.
 */
export async function samlRedirectUrl(
  provider: ConfiguredSamlProvider,
  options: { relayState: string; forceAuthn?: boolean },
): Promise<SamlRedirect> {
  const requestId = `_${randomBytes(20).toString("hex")}`;
  const signing = provider.settings.signAuthnRequests;
  if (signing && provider.spKey === undefined)
    throw new Error(`SAML provider ${provider.settings.providerName} signs its requests but has no SP key`);
  const saml = new SAML({
    // Required by node-saml's constructor; not used for a request.
    idpCert: [...provider.settings.idpCertificates],
    issuer: provider.sp.spEntityId,
    callbackUrl: provider.sp.acsUrl,
    entryPoint: provider.settings.idpSsoUrl,
    generateUniqueId: () => requestId,
    forceAuthn: options.forceAuthn ?? false,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    ...(signing ? { privateKey: provider.spKey!.privateKeyPem, signatureAlgorithm: "sha256" as const } : {}),
  });
  const url = await saml.getAuthorizeUrlAsync(options.relayState, undefined, {});
  return { url, requestId };
}
