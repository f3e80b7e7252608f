import { failure, type Failure } from "./failures.ts";
import type { ProviderSettings } from "./provider-settings.ts";
import { discoversMetadata } from "./provider-urls.ts";

/**
 * Where a provider's stored client secrets may be sent: the origin of the token endpoint they
 * were given for, as resolved when they were saved (Google's issuer and token endpoint differ;
 * the token endpoint's origin is what counts). When the issuer's discovery could not be read at
 * save, the issuer itself: "the token endpoint this issuer's discovery names", resolved at use.
 */
export type SecretBinding = { readonly origin: string } | { readonly issuer: string };

const ISSUER_PREFIX = "issuer ";

/** The binding as stored (one text column): an origin, or `issuer <url>`. */
export function encodeSecretBinding(binding: SecretBinding): string {
  return "origin" in binding ? binding.origin : `${ISSUER_PREFIX}${binding.issuer}`;
}

export function decodeSecretBinding(stored: string): SecretBinding {
  return stored.startsWith(ISSUER_PREFIX) ? { issuer: stored.slice(ISSUER_PREFIX.length) } : { origin: stored };
}

/** Where the token endpoint of these settings comes from, without asking the network: an explicit endpoint's origin, or the issuer's discovery. */
export function secretBindingOfSettings(settings: ProviderSettings): SecretBinding {
  return discoversMetadata(settings) ? { issuer: settings.issuer } : { origin: new URL(settings.tokenEndpoint!).origin };
}

export const sameSecretBinding = (a: SecretBinding, b: SecretBinding) => encodeSecretBinding(a) === encodeSecretBinding(b);

export const describeSecretBinding = (binding: SecretBinding) =>
  "origin" in binding ? binding.origin : `wherever ${binding.issuer}'s discovery puts it`;

/** What a provider write keeps: whether a secret of each kind is stored, and whether the write gives a new one. */
export interface SecretsKept {
  readonly clientSecretStored: boolean;
  readonly nextClientSecretStored: boolean;
  readonly clientSecret: string | undefined;
  readonly nextClientSecret: string | undefined;
}

/** Whether the write keeps a stored secret (one it gives no new value for). */
export const keepsAStoredSecret = (k: SecretsKept) =>
  (k.clientSecretStored && k.clientSecret === undefined) || (k.nextClientSecretStored && k.nextClientSecret === undefined);

/**
 * A stored secret goes only where it was given: a write that moves the token endpoint to another
 * origin (`moved` says how), or changes the client id, must give every stored secret anew.
 * Answers the refusal naming the first secret missing, or undefined.
 */
export function keptSecretRefusal(change: { moved?: string; clientIdChanged: boolean }, kept: SecretsKept): Failure | undefined {
  if (change.moved === undefined && !change.clientIdChanged) return undefined;
  const why = change.moved ?? "clientId changes, and the stored secret was given for the old client";
  const missing =
    kept.clientSecretStored && kept.clientSecret === undefined
      ? "clientSecret"
      : kept.nextClientSecretStored && kept.nextClientSecret === undefined
        ? "nextClientSecret"
        : undefined;
  if (missing === undefined) return undefined;
  return failure(
    "INVALID_PROVIDER_SETTINGS",
    `${missing} is required: ${why}. A stored secret is sent only to the token endpoint origin it was given for; give ${missing} again with these settings.`,
  );
}
