import { newOpaqueToken, tokenHash } from "../domain/ids.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import type { IdTokenClaims } from "../oauth/id-token.ts";

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
  verified: "verified",
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

/**
 * An ID token the exchange verified for a sign-in session: authenticate, presented the same token
 * in the same session, for the same provider and nonce, uses these claims instead of verifying
 * it again (each check paid once). Anything else is verified in full.
 */
type VerifiedIdToken = { readonly against: string; readonly claims: IdTokenClaims };

/** What the token was verified against: the provider, its issuer and client, and the nonce. */
type VerifiedAgainst = { readonly provider: ConfiguredProvider; readonly nonce: string | undefined };
function verifiedAgainst({ provider, nonce }: VerifiedAgainst): string {
  return JSON.stringify([provider.id, provider.settings.issuer ?? null, provider.settings.clientId, nonce ?? null]);
}

/** Under both bearer values' hashes: the record is found only with the same session and the same token. */
function verifiedIdTokenKey(sessionToken: string, idToken: string): string {
  return `${stateKey(RECORD.verified, sessionToken)}:${tokenHash(idToken)}`;
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
    /**
     * The exchange verified `idToken` under the session: remembered for the session's lifetime,
     * never past the token's own `exp` (checked against the wall clock, as the verifier does).
     */
    async idTokenVerified(token: string, idToken: string, against: VerifiedAgainst, claims: IdTokenClaims): Promise<void> {
      const untilExpiry = typeof claims.exp === "number" ? claims.exp * 1000 - Date.now() : 0;
      const ttlMs = Math.min(AUTH_SESSION_TTL_MS, untilExpiry);
      if (ttlMs <= 0) return;
      const record: VerifiedIdToken = { against: verifiedAgainst(against), claims };
      await state.set(verifiedIdTokenKey(token, idToken), JSON.stringify(record), ttlMs);
    },
    /**
     * The claims the exchange verified for this session, token, provider and nonce; undefined for
     * anything else. Taken, not read: one per sign-in, so a busy hour's records never crowd the
     * sign-ins in progress out of a capped memory state; a second use verifies in full.
     */
    async verifiedIdToken(token: string, idToken: string, against: VerifiedAgainst): Promise<IdTokenClaims | undefined> {
      const raw = await state.take(verifiedIdTokenKey(token, idToken));
      if (raw === undefined) return undefined;
      const record = JSON.parse(raw) as VerifiedIdToken;
      return record.against === verifiedAgainst(against) ? record.claims : undefined;
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
