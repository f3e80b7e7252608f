import type { Failure, FailureId } from "../domain/failures.ts";
import type { AuthMethodType, AuthStep } from "../domain/auth-steps.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { ProviderRepository } from "../domain/ports/repositories.ts";
import type { SamlProviderLookup } from "../domain/ports/saml-sign-in.ts";
import { withoutConnectionCause } from "../domain/provider-connection.ts";
import type { Discovery } from "../oauth/discovery.ts";
import { publicSamlProviders } from "./saml-listing.ts";

// What one step of a sign-in offers: initAuth answers the first step's, authenticate each next one's.

/**
 * The contract's AuthProviderOAuthPublicConfig: what a client needs, never the secret. A SAML
 * provider is listed in the same shape (`type: "saml"`): its SP entity ID as `clientId`, the
 * IdP's SSO URL as `authorizationUrl`, the ACS URL as `tokenEndpoint`; a client starts it at
 * /userAccount/oauth/authorize like the others.
 */
export interface PublicOAuthProvider {
  providerName: string;
  /** Addition: `oidc`, `oauth2` or `saml`. */
  type: "oidc" | "oauth2" | "saml";
  clientId: string;
  authorizationUrl: string;
  tokenEndpoint: string;
  userInfoEndpoint?: string;
  scope: string;
  enableJit: boolean;
}

/** A provider that is set up but cannot be used right now: its endpoints could not be learnt. */
export interface UnavailableOAuthProvider {
  providerName: string;
  /** PROVIDER_UNAVAILABLE ("Could not connect to the provider.", whatever the cause, timeouts too) or PROVIDER_ERROR. */
  error: FailureId;
  message: string;
}

/** What one step of an organisation's sign-in offers (initAuth answers the first, authenticate the next). */
export interface SignInOptions {
  allowedMethods: AuthMethodType[];
  /** `saml` (PipesHub's key) names the first SAML provider. */
  authProviders: { oauth?: PublicOAuthProvider; saml?: PublicOAuthProvider };
  oauthProviders: PublicOAuthProvider[];
  jitEnabled: boolean;
  /**
   * Addition to the contract, present only when not empty: the providers left out of
   * `oauthProviders` because they cannot be reached right now, so a client can say so instead
   * of "no provider set up". Their `detail` (the cause, for the log) is never sent.
   */
  unavailableProviders?: (UnavailableOAuthProvider & { readonly detail?: string })[];
}

export interface StepOptionsDeps {
  readonly providers: Pick<ProviderRepository, "list" | "configured">;
  readonly discovery: Pick<Discovery, "endpoints">;
  readonly samlProviders: SamlProviderLookup;
}

/** What a sign-in offers before its organisation is known: nothing. */
export function noSignInOptions(): SignInOptions {
  return { allowedMethods: [], authProviders: {}, oauthProviders: [], jitEnabled: false };
}

/**
 * The methods and providers of one step of an organisation's sign-in. The default provider
 * (`authProviders.oauth`) is the first usable one by name; `oauthProviders` lists the usable
 * ones. A provider whose endpoints cannot be learnt right now (discovery down) is not shown
 * broken there: it is listed in `unavailableProviders` with the failure authorize would answer.
 */
export async function signInOptions(deps: StepOptionsDeps, org: Organisation, step: AuthStep): Promise<SignInOptions> {
  const allowedMethods = step.allowedMethods.map((m) => m.type);
  const oauthAllowed = allowedMethods.includes("oauth");
  if (!oauthAllowed && !allowedMethods.includes("samlSso")) return { ...noSignInOptions(), allowedMethods };
  const views = oauthAllowed ? await deps.providers.list(org.id) : [];
  const described = await Promise.all(
    views.map(async (view): Promise<PublicOAuthProvider | { unavailable: Failure; providerName: string } | undefined> => {
      const provider = await deps.providers.configured(org.id, view.providerName);
      if (!provider) return undefined;
      const endpoints = await deps.discovery.endpoints(provider);
      if (!endpoints.ok) return { unavailable: endpoints, providerName: view.providerName };
      return {
        providerName: view.providerName,
        type: view.issuer !== undefined ? "oidc" : "oauth2",
        clientId: view.clientId,
        authorizationUrl: endpoints.value.authorizationEndpoint,
        tokenEndpoint: endpoints.value.tokenEndpoint,
        ...(endpoints.value.userinfoEndpoint !== undefined && { userInfoEndpoint: endpoints.value.userinfoEndpoint }),
        scope: view.scope,
        enableJit: view.enableJit,
      };
    }),
  );
  const oauthProviders: PublicOAuthProvider[] = [];
  const unavailableProviders: NonNullable<SignInOptions["unavailableProviders"]> = [];
  for (const entry of described) {
    if (entry === undefined) continue;
    if ("unavailable" in entry) {
      // Public: a failure to connect is one answer, its cause only in the log (domain/provider-connection.ts).
      const { error, message, detail } = withoutConnectionCause(entry.unavailable);
      unavailableProviders.push({ providerName: entry.providerName, error, message, ...(detail !== undefined && { detail }) });
    } else {
      oauthProviders.push(entry);
    }
  }
  // SAML providers: with `samlSso`, and with `oauth` too (the seed's clients know only that method).
  const samlProviders = await publicSamlProviders(deps, org);
  oauthProviders.push(...samlProviders);
  const firstOAuth = oauthProviders.find((p) => p.type !== "saml");
  return {
    allowedMethods,
    authProviders: { ...(firstOAuth && { oauth: firstOAuth }), ...(samlProviders[0] && { saml: samlProviders[0] }) },
    oauthProviders,
    jitEnabled: oauthProviders.some((p) => p.enableJit),
    ...(unavailableProviders.length > 0 && { unavailableProviders }),
  };
}
