import type { Failure, FailureId } from "../domain/failures.ts";
import { type AuthStep, type AuthMethodType } from "../domain/auth-steps.ts";
import { newOpaqueToken, tokenHash } from "../domain/ids.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { ProviderRepository } from "../domain/ports/repositories.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import type { SamlProviderLookup } from "../domain/ports/saml-sign-in.ts";
import { publicSamlProviders } from "./saml-listing.ts";
import { withoutConnectionCause } from "../domain/provider-connection.ts";
import type { Discovery } from "../oauth/discovery.ts";

/*
 * The sign-in flow, one place for what its steps hand each other:
 *
 *   initAuth ──► authorize ──► (the provider) ──► exchange ──► authenticate × each auth step
 *   a session     a pending authorization         a redeemed     the session advances; the
 *   (30 min)      (10 min, single use)            mark (30 min)  last step ends it
 *
 * Every record lives in short-lived shared state under the hash of its bearer value (stateKey),
 * never the value itself. The steps (init-auth.ts, authorization-requests.ts, exchange.ts,
 * authenticate.ts) read and write them only through the accessors below.
 */

/** How long a sign-in may take from initAuth to its last step. */
export const AUTH_SESSION_TTL_MS = 30 * 60 * 1000;
/** How long an authorization request waits for its code to come back. */
export const AUTHORIZATION_TTL_MS = 10 * 60 * 1000;
/** How long authenticate accepts userinfo for an access token the exchange redeemed: a sign-in session's life. */
export const REDEEMED_MARK_TTL_MS = AUTH_SESSION_TTL_MS;

/** The kinds of record, each a key prefix in shared state (the SAML sign-in's: saml-flow.ts). */
export const RECORD = {
  session: "session",
  authorization: "authz",
  redeemed: "redeemed",
  testSignIn: "test-signin",
  samlRequest: "saml-request",
  samlCode: "saml-code",
  samlHandle: "saml-handle",
  samlAssertion: "saml-assertion",
} as const;

/** Only a hash of a bearer value is used as a key, so shared state never holds the value itself. */
export function stateKey(kind: (typeof RECORD)[keyof typeof RECORD], token: string): string {
  return `${kind}:${tokenHash(token)}`;
}

/** Single-use JSON records of one kind, each under a bearer value. */
export function singleUseRecords<T>(state: ShortLivedState, kind: (typeof RECORD)[keyof typeof RECORD], ttlMs: number) {
  const parse = (raw: string) => JSON.parse(raw) as T;
  return {
    async put(id: string, record: T): Promise<void> {
      await state.set(stateKey(kind, id), JSON.stringify(record), ttlMs);
    },
    async take(id: string): Promise<T | undefined> {
      const raw = await state.take(stateKey(kind, id));
      return raw === undefined ? undefined : parse(raw);
    },
    /** Compare-and-consume on the record's `binding` field (ShortLivedState.takeIfBound). */
    async takeIfBound(
      id: string,
      bindings: readonly string[],
    ): Promise<{ kind: "taken"; value: T } | { kind: "absent" } | { kind: "refused" }> {
      const taken = await state.takeIfBound(stateKey(kind, id), bindings);
      return taken.kind === "taken" ? { kind: "taken", value: parse(taken.value) } : taken;
    },
  };
}

/** A sign-in in progress, between initAuth and the last authenticate step. */
export interface AuthSession {
  readonly email: string | null;
  readonly orgId: string | null;
  /** Index into the organisation's auth steps. */
  readonly currentStep: number;
  /** The user the first completed step proved; later steps must prove the same one. */
  readonly userId: string | null;
  /** Provider and nonce of an authorization request started under this session. */
  readonly provider: string | null;
  readonly nonce: string | null;
}

/** What the service remembers of an authorization request it started, until the code comes back. */
export interface PendingAuthorization {
  readonly orgId: string;
  readonly provider: string;
  readonly redirectUri: string;
  readonly email: string;
  readonly codeVerifier: string;
  readonly nonce: string | null;
  /** The auth session the request belongs to, when the client sent x-session-token. */
  readonly sessionToken: string | null;
  /** What an exchange must match to consume this record (see authorization-requests.ts). */
  readonly binding: string;
}

export function authSessions(state: ShortLivedState) {
  const save = (token: string, session: AuthSession) =>
    state.set(stateKey(RECORD.session, token), JSON.stringify(session), AUTH_SESSION_TTL_MS);
  const load = async (token: string): Promise<AuthSession | undefined> => {
    const raw = await state.get(stateKey(RECORD.session, token));
    return raw === undefined ? undefined : (JSON.parse(raw) as AuthSession);
  };
  return {
    /** initAuth: a new session at the first step; answers its bearer token. */
    async create(start: Pick<AuthSession, "email" | "orgId">): Promise<string> {
      const token = newOpaqueToken();
      await save(token, { ...start, currentStep: 0, userId: null, provider: null, nonce: null });
      return token;
    },
    load,
    /** The exchange completed an authorization request started under the session: authenticate checks its nonce. */
    async authorizationCompleted(token: string, pending: PendingAuthorization): Promise<void> {
      const session = await load(token);
      if (!session) return;
      await save(token, {
        ...session,
        email: session.email ?? pending.email,
        orgId: session.orgId ?? pending.orgId,
        provider: pending.provider,
        nonce: pending.nonce,
      });
    },
    /** authenticate proved `userId` at the session's current step, and more steps follow. */
    async stepCompleted(token: string, session: AuthSession, proven: { email: string; orgId: string; userId: string }): Promise<void> {
      await save(token, { ...session, ...proven, currentStep: session.currentStep + 1 });
    },
    /** A SAML sign-in's code was exchanged: authenticate will expect that provider. */
    async providerUsed(token: string, used: { email: string; orgId: string; provider: string }): Promise<void> {
      const session = await load(token);
      if (!session) return;
      await save(token, {
        ...session,
        email: session.email ?? used.email,
        orgId: session.orgId ?? used.orgId,
        provider: used.provider,
        nonce: null,
      });
    },
    /** The last step is done (or the session is abandoned). */
    async end(token: string): Promise<void> {
      await state.delete(stateKey(RECORD.session, token));
    },
  };
}

export type AuthSessions = ReturnType<typeof authSessions>;

/** Authorization requests waiting for their code, by `state`: taken once by the exchange. */
export function pendingAuthorizations(state: ShortLivedState) {
  return singleUseRecords<PendingAuthorization>(state, RECORD.authorization, AUTHORIZATION_TTL_MS);
}

/** What an authorization request binds of the session it was started under ("" for none). */
export function sessionBinding(sessionToken: string | undefined): string {
  return sessionToken === undefined ? "" : stateKey(RECORD.session, sessionToken);
}

/** An administrator's test sign-ins waiting for their code, by `state` (signin/test-sign-in.ts). */
export function pendingTestSignIns<T extends { readonly binding: string }>(state: ShortLivedState) {
  return singleUseRecords<T>(state, RECORD.testSignIn, AUTHORIZATION_TTL_MS);
}

/**
 * The access tokens this service redeemed, by provider (a hash of each, in shared state: bounded
 * in memory, expiring in Redis). An access token names no client (RFC 6749 §10.16): one that any
 * other application obtained for the same user is just as good at the provider's userinfo
 * endpoint, so authenticate accepts an identity from userinfo only for one the exchange redeemed.
 */
export function redeemedAccessTokens(marks: ShortLivedState) {
  return {
    async remember(provider: ConfiguredProvider, accessToken: string): Promise<void> {
      await marks.set(stateKey(RECORD.redeemed, accessToken), provider.id, REDEEMED_MARK_TTL_MS);
    },
    async wereRedeemedHere(provider: ConfiguredProvider, accessToken: string): Promise<boolean> {
      return (await marks.get(stateKey(RECORD.redeemed, accessToken))) === provider.id;
    },
  };
}

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
