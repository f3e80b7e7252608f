/**
 * A real OpenID Provider on a loopback port: the `oidc-provider` package with plain login and
 * consent pages of its own. It is the demo provider `npm start` runs when nothing is configured,
 * and the provider every test signs in at (authorizeWithScriptedBrowser drives its pages).
 *
 * Nothing here fabricates protocol artefacts: codes, tokens and ID tokens are all minted by
 * oidc-provider, and every check (client authentication, PKCE, single-use codes, redirect_uri
 * matching) is oidc-provider's own.
 *
 * Besides the OpenID Provider the same server answers a GitHub-style plain OAuth 2.0 "user" API
 * (GET /api/user), for providers configured without ID token or userinfo endpoint, and a SAML 2.0
 * identity provider for the same users (`server.saml`: /saml/metadata, /saml/sso).
 *
 * Plain http on 127.0.0.1 only: this is a stand-in for trying things out, never an identity
 * provider for real accounts.
 */
export { startOidcProviderServer } from "./oidc-provider-server.ts";
export { generateSigningKeySet } from "./signing-keys.ts";
export { authorizeWithScriptedBrowser, type AuthorizeParams, type AuthorizeResult } from "./scripted-browser.ts";
export type { OidcProviderServer, OidcProviderServerOptions, ProviderClient, ProviderUser, SigningKeySet } from "./types.ts";
// The SAML 2.0 identity provider's parts: the demo IdP's and, in the server's tests, the test IdP's.
export { makeSamlKeyPair, type CertificateValidity, type SamlKeyPair } from "./saml-certificate.ts";
export {
  NAMEID_EMAIL,
  NAMEID_PERSISTENT,
  SAML_ASSERTION_NS,
  SAML_PROTOCOL_NS,
  SAML_SUCCESS,
  samlAssertionXml,
  samlId,
  samlResponseFields,
  samlResponseXml,
  signSamlElement,
  type SamlResponseFields,
  type SamlResponseFor,
  type SamlSignatureAlgorithm,
} from "./saml-response.ts";
export {
  certificateBase64,
  readRedirectAuthnRequest,
  redirectSignatureValid,
  SAML_POST_FORM_SCRIPT,
  samlIdpMetadataXml,
  samlPostFormHtml,
  type ReceivedAuthnRequest,
} from "./saml-request.ts";
