import type { Failure, FailureId, Result } from "../domain/failures.ts";
import { failure, success } from "../domain/failures.ts";
import { type AuthMethodType, type AuthStep, effectiveAuthSteps } from "../domain/auth-steps.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { AuthStepRepository, ProviderRepository } from "../domain/ports/repositories.ts";
import { withoutConnectionCause } from "../domain/provider-connection.ts";
import type { Discovery } from "../oauth/discovery.ts";
import type { AuthSessions } from "./auth-session.ts";
import { type OrganisationLookup, resolveOrganisation } from "./organisation.ts";

/** The contract's AuthProviderOAuthPublicConfig: what a client needs, never the secret. */
export interface PublicOAuthProvider {
  providerName: string;
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

export interface SignInOptions {
  allowedMethods: AuthMethodType[];
  authProviders: { oauth?: PublicOAuthProvider };
  oauthProviders: PublicOAuthProvider[];
  jitEnabled: boolean;
  /**
   * Addition to the contract, present only when not empty: the providers left out of
   * `oauthProviders` because they cannot be reached right now, so a client can say so instead
   * of "no provider set up". Their `detail` (the cause, for the log) is never sent.
   */
  unavailableProviders?: (UnavailableOAuthProvider & { readonly detail?: string })[];
}

export interface InitAuthDeps extends OrganisationLookup {
  readonly providers: Pick<ProviderRepository, "list" | "configured">;
  readonly authSteps: Pick<AuthStepRepository, "get">;
  readonly sessions: AuthSessions;
  readonly discovery: Pick<Discovery, "endpoints">;
}

export interface InitAuthResponse extends SignInOptions {
  currentStep: 0;
  message: string;
  /** Addition to the contract: the name of the organisation the email signs in to, once known. */
  orgName?: string;
}

/**
 * The methods and providers of one step of an organisation's sign-in. The default provider
 * (`authProviders.oauth`) is the first usable one by name; `oauthProviders` lists the usable
 * ones. A provider whose endpoints cannot be learnt right now (discovery down) is not shown
 * broken there: it is listed in `unavailableProviders` with the failure authorize would answer.
 */
export async function signInOptions(
  deps: Pick<InitAuthDeps, "providers" | "discovery">,
  org: Organisation,
  step: AuthStep,
): Promise<SignInOptions> {
  const allowedMethods = step.allowedMethods.map((m) => m.type);
  if (!allowedMethods.includes("oauth")) return { allowedMethods, authProviders: {}, oauthProviders: [], jitEnabled: false };
  const views = await deps.providers.list(org.id);
  const described = await Promise.all(
    views.map(async (view): Promise<PublicOAuthProvider | { unavailable: Failure; providerName: string } | undefined> => {
      const provider = await deps.providers.configured(org.id, view.providerName);
      if (!provider) return undefined;
      const endpoints = await deps.discovery.endpoints(provider);
      if (!endpoints.ok) return { unavailable: endpoints, providerName: view.providerName };
      return {
        providerName: view.providerName,
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
  return {
    allowedMethods,
    authProviders: oauthProviders[0] ? { oauth: oauthProviders[0] } : {},
    oauthProviders,
    jitEnabled: oauthProviders.some((p) => p.enableJit),
    ...(unavailableProviders.length > 0 && { unavailableProviders }),
  };
}

/**
 * Starts a sign-in: a session (its token goes in x-session-token) and the first step's methods.
 * Without an email, the only organisation is assumed; with several, the client learns nothing
 * until it names an email.
 */
export async function initAuth(
  deps: InitAuthDeps,
  email: string | undefined,
): Promise<Result<{ sessionToken: string; response: InitAuthResponse }>> {
  let org: Organisation | undefined;
  if (email !== undefined) {
    const resolved = await resolveOrganisation(deps, email);
    if (!resolved.ok) return resolved;
    org = resolved.value;
  } else {
    const all = await deps.organisations.list(2);
    org = all.length === 1 ? all[0] : undefined;
  }
  const steps = org ? effectiveAuthSteps(await deps.authSteps.get(org.id)) : undefined;
  const options =
    org && steps?.[0]
      ? await signInOptions(deps, org, steps[0])
      : { allowedMethods: [], authProviders: {}, oauthProviders: [], jitEnabled: false };
  if (org && options.allowedMethods.length === 0) return failure("INTERNAL_ERROR", "The organisation has no sign-in steps.");
  const sessionToken = await deps.sessions.create({
    email: email ?? null,
    orgId: org?.id ?? null,
    currentStep: 0,
    userId: null,
    provider: null,
    nonce: null,
  });
  return success({
    sessionToken,
    response: {
      currentStep: 0,
      message: org ? "Authentication initialized" : "Authentication initialized; send your email to continue",
      ...(org && { orgName: org.name }),
      ...options,
    },
  });
}
