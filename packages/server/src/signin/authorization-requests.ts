import { createHash } from "node:crypto";
import { failure, type Result, success } from "../domain/failures.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import { authorizationUrl, newPkcePair } from "../oauth/authorization.ts";
import type { Discovery, ProviderConnection } from "../oauth/discovery.ts";
import { newOpaqueToken } from "../domain/ids.ts";
import { AUTHORIZATION_TTL_MS, type AuthSessions, type PendingAuthorization, pendingAuthorizations, sessionBinding } from "./flow.ts";
import { type ProviderLookup, resolveProvider } from "./provider-resolution.ts";

export { AUTHORIZATION_TTL_MS, type PendingAuthorization };

/** What an exchange names of the sign-in it completes. */
interface BindingFields {
  readonly orgId: string;
  readonly provider: string;
  readonly redirectUri: string;
  readonly email: string;
}

/**
 * The binding of an authorization request: a hash of its organisation, provider, redirect URI,
 * email and the sign-in session it was started under ("" for none). The exchange's own binding is
 * compared with it before the record is consumed, so a wrong session or organisation cannot burn it.
 */
function authorizationBinding(fields: BindingFields, sessionToken: string | undefined): string {
  return createHash("sha256")
    .update(JSON.stringify([fields.orgId, fields.provider, fields.redirectUri, fields.email.toLowerCase(), sessionBinding(sessionToken)]))
    .digest("base64url");
}

export interface AuthorizationDeps extends ProviderLookup {
  readonly state: ShortLivedState;
  readonly sessions: AuthSessions;
  readonly discovery: Pick<Discovery, "connect">;
}

/** The `prompt` values (OpenID Connect Core §3.1.2.1) a client may ask the provider for. */
export const AUTHORIZATION_PROMPTS = ["login", "select_account", "consent", "none"] as const;
export type AuthorizationPrompt = (typeof AUTHORIZATION_PROMPTS)[number];

/** What a client asks /userAccount/oauth/authorize for. */
export interface AuthorizationRequest {
  readonly provider: string;
  readonly email: string;
  readonly redirectUri: string;
  readonly sessionToken: string | undefined;
  readonly prompt?: AuthorizationPrompt | undefined;
}

/**
 * Starts an authorization request (RFC 6749 §4.1.1) with `state`, PKCE S256 (RFC 7636) and, for
 * OpenID Connect providers, a `nonce`; remembers them server-side, single-use, for 10 minutes.
 * The email goes along as `login_hint`, so the provider can offer that account; `prompt`, when
 * given, too (e.g. `login` after the provider signed in another account than the email's).
 * Providers ignore parameters they do not know (RFC 6749 §3.1). `resolvedOrganisation`: the email's, when the caller resolved it.
 */
export async function startAuthorization(
  deps: AuthorizationDeps,
  request: AuthorizationRequest,
  resolvedOrganisation?: Result<Organisation>,
): Promise<Result<{ authorizationUrl: string; state: string }>> {
  if (request.sessionToken !== undefined && !(await deps.sessions.load(request.sessionToken))) {
    return failure("SESSION_EXPIRED", "Your sign-in session has expired. Start again.");
  }
  const resolved = await resolveProvider(deps, request.email, request.provider, request.redirectUri, resolvedOrganisation);
  if (!resolved.ok) return resolved;
  const { organisation, provider } = resolved.value;
  const connection = await deps.discovery.connect(provider);
  if (!connection.ok) return connection;
  const { url, state, codeVerifier, nonce } = await newAuthorizationRequest(connection.value, {
    redirectUri: request.redirectUri,
    loginHint: request.email,
    ...(request.prompt !== undefined && { prompt: request.prompt }),
  });
  const pending: PendingAuthorization = {
    orgId: organisation.id,
    provider: provider.settings.providerName,
    redirectUri: request.redirectUri,
    email: request.email,
    codeVerifier,
    nonce,
    sessionToken: request.sessionToken ?? null,
    binding: authorizationBinding(
      { orgId: organisation.id, provider: provider.settings.providerName, redirectUri: request.redirectUri, email: request.email },
      request.sessionToken,
    ),
  };
  await pendingAuthorizations(deps.state).put(state, pending);
  return success({ authorizationUrl: url.href, state });
}

/**
 * A fresh authorization request at the provider: its `state`, a PKCE S256 verifier, for OpenID
 * Connect providers a `nonce`, and the URL that carries them (with `login_hint` and `prompt` when given).
 */
export async function newAuthorizationRequest(
  connection: ProviderConnection,
  params: { redirectUri: string; loginHint?: string; prompt?: AuthorizationPrompt },
): Promise<{ url: URL; state: string; codeVerifier: string; nonce: string | null }> {
  const settings = connection.provider.settings;
  const openid = settings.issuer !== undefined && settings.scope.split(/\s+/).includes("openid");
  const state = newOpaqueToken();
  const { codeVerifier, codeChallenge } = await newPkcePair();
  const nonce = openid ? newOpaqueToken() : null;
  const url = authorizationUrl(connection, {
    redirectUri: params.redirectUri,
    state,
    nonce: nonce ?? undefined,
    codeChallenge,
    ...(params.loginHint !== undefined && { loginHint: params.loginHint }),
    ...(params.prompt !== undefined && { prompt: params.prompt }),
  });
  return { url, state, codeVerifier, nonce };
}

/**
 * Consumes the record of `state` exactly once, and only when the exchange is for the same
 * organisation, provider, redirect URI and email, and comes with the session the request was
 * started under, if any: `state` and `code` both travel in the redirect's URL and the service
 * holds the PKCE verifier, so the session is what keeps whoever sees that URL from redeeming the
 * code (RFC 9700 §4.5). The comparison is part of the atomic take, so a mismatched exchange leaves
 * the record for the rightful session. Reuse, expiry and mismatch are all INVALID_STATE.
 */
export async function consumeAuthorization(
  state: ShortLivedState,
  stateValue: string,
  exchange: BindingFields & { sessionToken?: string | undefined },
): Promise<Result<PendingAuthorization>> {
  // A request started without a session binds "" and may be completed with or without one.
  const bindings = [authorizationBinding(exchange, undefined)];
  if (exchange.sessionToken !== undefined) bindings.push(authorizationBinding(exchange, exchange.sessionToken));
  const taken = await pendingAuthorizations(state).takeIfBound(stateValue, bindings);
  if (taken.kind === "absent") return failure("INVALID_STATE", "This sign-in attempt is unknown, expired or already used. Start again.");
  if (taken.kind === "refused") {
    return failure(
      "INVALID_STATE",
      "This sign-in attempt was started for another organisation, provider, redirect URI or email, or under another sign-in session (send its x-session-token). Start again.",
    );
  }
  return success(taken.value);
}
