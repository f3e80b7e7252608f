import type { Result } from "../failures.ts";
import type { ConfiguredSamlProvider, SamlProviderView } from "../saml-provider.ts";

/**
 * What the SAML sign-in (signin/saml-*.ts) needs of the SAML protocol and of the stored SAML
 * providers, as ports: `saml/` builds requests and validates responses, `store/` keeps the
 * providers. The wiring hands in the real ones (saml/authn-request.ts, saml/response.ts,
 * store/saml-providers.ts); the shapes are the ones the SAML parts agreed on.
 */

/** What a valid assertion says, read from its signed bytes only (saml/response.ts validates it). */
export interface SamlAssertion {
  readonly assertionId: string;
  /** ISO time until which the assertion could still be presented (its latest NotOnOrAfter plus the skew): how long to remember its ID. */
  readonly notOnOrAfter: string;
  readonly inResponseTo?: string;
  /** The IdP's entity ID. */
  readonly issuer: string;
  /** The Subject's NameID ("" when the IdP sends none: the subject then comes from an attribute). */
  readonly nameId: string;
  readonly nameIdFormat?: string;
  readonly sessionIndex?: string;
  readonly attributes: Record<string, string[]>;
  readonly authnInstant?: string;
}

/** The protocol steps: an AuthnRequest to send the browser with, and a response's validation. */
export interface SamlProtocol {
  /** The IdP's SSO URL with a deflated `SAMLRequest` (HTTP-Redirect binding) and `RelayState`. */
  redirectUrl(
    provider: ConfiguredSamlProvider,
    options: { relayState: string; forceAuthn?: boolean },
  ): Promise<{ url: string; requestId: string }>;
  /**
   * Signature, conditions, audience, destination, recipient, InResponseTo (`requestId`
   * undefined: an unsolicited response). No replay check and no identity rules: the sign-in's.
   */
  validateResponse(
    provider: ConfiguredSamlProvider,
    samlResponse: string,
    expect: { requestId: string | undefined; now: Date },
  ): Promise<Result<SamlAssertion>>;
}

/** The organisation's SAML providers, as the sign-in reads them (the SAML provider repository's reads). */
export interface SamlProviderLookup {
  configured(orgId: string, name: string): Promise<ConfiguredSamlProvider | undefined>;
  /** The organisation's SAML providers by name, as initAuth lists them (no key is opened). */
  list(orgId: string): Promise<readonly Pick<SamlProviderView, "providerName" | "spEntityId" | "acsUrl" | "idpSsoUrl" | "enableJit">[]>;
}

/** No SAML providers anywhere: what a service without the SAML store wires. */
export const NO_SAML_PROVIDERS: SamlProviderLookup = {
  configured: async () => undefined,
  list: async () => [],
};
