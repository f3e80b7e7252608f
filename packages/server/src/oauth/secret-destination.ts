import { failure, type Failure } from "../domain/failures.ts";
import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import { secretBindingOfSettings } from "../domain/secret-binding.ts";

/** A provider's stored secret would go to another origin than the one it was given for: it is not sent. */
export class SecretWithheld extends Error {
  readonly failure: Failure;
  constructor(providerName: string, bound: string, target: string) {
    super(`the client secret is bound to ${bound}, not ${target}`);
    this.name = "SecretWithheld";
    this.failure = failure(
      "INVALID_PROVIDER_SETTINGS",
      `The client secret of provider "${providerName}" was given for the token endpoint at ${bound}; its token endpoint is now at ${target}, and the secret is not sent there. Save the provider with the clientSecret (and nextClientSecret, when one is stored) for its token endpoint.`,
    );
  }
}

/**
 * Throws SecretWithheld unless `tokenEndpoint` is on the origin the provider's secrets are bound
 * to (domain/secret-binding.ts): the one check before the secrets go into a client configuration,
 * so no sign-in, doctor probe, test sign-in or rotation fallback sends them elsewhere. An issuer
 * binding is resolved through `tokenEndpointOf` (that issuer's discovery).
 */
export async function checkSecretDestination(
  provider: ConfiguredProvider,
  tokenEndpoint: string | undefined,
  tokenEndpointOf: (issuer: string) => Promise<string | undefined>,
): Promise<void> {
  if ((provider.clientSecret === undefined && provider.nextClientSecret === undefined) || tokenEndpoint === undefined) return;
  const binding = provider.secretBinding ?? secretBindingOfSettings(provider.settings);
  const boundEndpoint = "origin" in binding ? binding.origin : await tokenEndpointOf(binding.issuer);
  const bound = boundEndpoint === undefined ? undefined : new URL(boundEndpoint).origin;
  const target = new URL(tokenEndpoint).origin;
  if (bound !== target) throw new SecretWithheld(provider.settings.providerName, bound ?? "an unknown origin", target);
}
