import type { Config } from "../config.ts";
import type { Clock } from "../domain/ports/clock.ts";
import type { SigningKeys } from "../domain/ports/keys.ts";
import { type SamlProtocol, type SamlProviderLookup } from "../domain/ports/saml-sign-in.ts";
import { samlRedirectUrl } from "../saml/authn-request.ts";
import { validateSamlResponse } from "../saml/response.ts";
import type { SamlTokenDeps } from "../signin/saml-tokens.ts";
import type { OpenedStore, SharedState } from "./backends.ts";

/** The SAML sign-in's ports: the stored SAML providers (read through the lookup cache), the protocol (saml/), the service's id_tokens. */
export interface SamlSignInParts {
  readonly samlProviders: SamlProviderLookup;
  readonly samlProtocol: SamlProtocol;
  readonly samlTokens: SamlTokenDeps;
}

export function samlSignInParts(
  config: Config,
  opened: OpenedStore,
  shared: SharedState,
  keys: SigningKeys,
  clock: Clock,
): SamlSignInParts {
  return {
    // Read through the cache: authorize and the exchange ask it about every provider name.
    samlProviders: opened.cached.samlProviders,
    samlProtocol: {
      redirectUrl: samlRedirectUrl,
      validateResponse: validateSamlResponse,
    },
    samlTokens: { keys, publicUrl: config.publicUrl, state: shared.state, clock },
  };
}
