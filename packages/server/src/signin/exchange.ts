import { failure, type Result, success } from "../domain/failures.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { AuditTrail, ProviderRepository } from "../domain/ports/repositories.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import type { User } from "../domain/user.ts";
import type { ProviderGateway } from "../oauth/provider-client.ts";
import { AUTH_SESSION_TTL_MS, type AuthSessions, stateKey } from "./auth-session.ts";
import { consumeAuthorization, type PendingAuthorization } from "./authorization-requests.ts";
import { type AccountLinking, checkIdentityEmail, linkOrProvisionAccount } from "./account-linking.ts";
import { type OrganisationLookup, resolveOrganisation } from "./organisation.ts";
import { findProvider } from "./provider-resolution.ts";

export interface ExchangeRequest {
  readonly code: string;
  readonly email: string;
  readonly provider: string;
  readonly redirectUri: string;
  /** The `iss` authorization response parameter, when the client passes it on (RFC 9207). */
  readonly iss?: string;
  /** The `state` of an authorization request started at /userAccount/oauth/authorize. */
  readonly state?: string;
  /** x-session-token: must be the session the authorization request was started under, if any. */
  readonly sessionToken?: string;
  readonly ip: string | null;
}

export interface ExchangedTokens {
  readonly access_token: string;
  readonly id_token?: string;
  readonly token_type: string;
  readonly expires_in?: number;
}

export interface ExchangeOutcome {
  readonly tokens: ExchangedTokens;
  readonly user: User;
  readonly organisation: Organisation;
  readonly provider: ConfiguredProvider;
}

export interface ExchangeDeps extends Omit<OrganisationLookup, "users">, Omit<AccountLinking, "users"> {
  readonly users: OrganisationLookup["users"] & AccountLinking["users"];
  readonly providers: Pick<ProviderRepository, "configured">;
  readonly audit: Pick<AuditTrail, "record">;
  readonly gateway: ProviderGateway;
  readonly state: ShortLivedState;
  readonly sessions: AuthSessions;
}

/**
 * Redeems an authorization code the organisation's provider sent back (RFC 6749 §4.1.3),
 * establishes who signed in, and links or provisions the account. Every outcome, success or
 * failure, leaves exactly one audit record.
 */
export async function redeemAuthorizationCode(deps: ExchangeDeps, request: ExchangeRequest): Promise<Result<ExchangeOutcome>> {
  let orgId: string | null = null;
  let userId: string | null = null;
  const result = await (async (): Promise<Result<ExchangeOutcome>> => {
    const org = await resolveOrganisation(deps, request.email);
    if (!org.ok) return org;
    const organisation = org.value;
    // Known from here on, so every later failure lands in the organisation's audit trail.
    orgId = organisation.id;
    const found = await findProvider(deps, organisation, request.provider, request.redirectUri);
    if (!found.ok) return found;
    const provider = found.value;
    let binding: PendingAuthorization | undefined;
    if (request.state !== undefined) {
      const pending = await consumeAuthorization(deps.state, request.state, { ...request, orgId: organisation.id });
      if (!pending.ok) return pending;
      binding = pending.value;
    } else if (provider.settings.requirePkce) {
      return failure("STATE_REQUIRED", "This provider requires sign-in to start at /userAccount/oauth/authorize; pass its state.");
    }
    const redeemed = await deps.gateway.redeemCode(provider, {
      code: request.code,
      redirectUri: request.redirectUri,
      ...(binding && { codeVerifier: binding.codeVerifier }),
      ...(binding?.nonce && { expectedNonce: binding.nonce }),
      ...(request.iss !== undefined && { issuer: request.iss }),
    });
    if (!redeemed.ok) return redeemed;
    const email = checkIdentityEmail(redeemed.value.identity, request.email, provider);
    if (!email.ok) return email;
    const user = await linkOrProvisionAccount(deps, organisation, provider, redeemed.value.identity, request.email);
    if (!user.ok) return user;
    userId = user.value.id;
    if (binding?.sessionToken) await rememberProviderOnSession(deps.sessions, binding);
    const t = redeemed.value;
    await rememberRedeemedAccessToken(deps.state, provider, t.accessToken);
    return success({
      tokens: {
        access_token: t.accessToken,
        ...(t.idToken !== undefined && { id_token: t.idToken }),
        token_type: t.tokenType,
        ...(t.expiresIn !== undefined && { expires_in: t.expiresIn }),
      },
      user: user.value,
      organisation,
      provider,
    });
  })();
  await deps.audit.record({
    orgId,
    userId,
    email: request.email,
    provider: request.provider,
    event: "oauth.exchange",
    outcome: result.ok ? "success" : "failure",
    error: result.ok ? null : result.error,
    ip: request.ip,
  });
  return result;
}

/** Lets authenticate check the ID token's nonce for the session this sign-in started under. */
async function rememberProviderOnSession(sessions: AuthSessions, binding: PendingAuthorization): Promise<void> {
  const session = await sessions.load(binding.sessionToken!);
  if (!session) return;
  await sessions.save(binding.sessionToken!, { ...session, email: session.email ?? binding.email, orgId: session.orgId ?? binding.orgId, provider: binding.provider, nonce: binding.nonce });
}

/**
 * Remembers that this service redeemed `accessToken` from `provider`. An access token names
 * no client (RFC 6749 §10.16): one that any other application obtained for the same user is
 * just as good at the provider's userinfo endpoint, so authenticate accepts an identity from
 * userinfo only for an access token this service redeemed itself.
 */
async function rememberRedeemedAccessToken(state: ShortLivedState, provider: ConfiguredProvider, accessToken: string): Promise<void> {
  await state.set(stateKey("redeemed", accessToken), provider.id, AUTH_SESSION_TTL_MS);
}

/** Whether this service redeemed `accessToken` from `provider` (see rememberRedeemedAccessToken). */
export async function wasRedeemedHere(state: ShortLivedState, provider: ConfiguredProvider, accessToken: string): Promise<boolean> {
  return (await state.get(stateKey("redeemed", accessToken))) === provider.id;
}
