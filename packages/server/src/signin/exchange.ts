import { failure, type Result, success } from "../domain/failures.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { AuditTrail, ProviderRepository } from "../domain/ports/repositories.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import type { User } from "../domain/user.ts";
import type { Discovery } from "../oauth/discovery.ts";
import { type AccountLinking, checkIdentityEmail, linkOrProvisionAccount } from "./account-linking.ts";
import { audited } from "./audited.ts";
import { consumeAuthorization } from "./authorization-requests.ts";
import { type AuthSessions, type PendingAuthorization, redeemedAccessTokens } from "./flow.ts";
import { identify, type IdentityDeps, verifyIdToken } from "./identity.ts";
import { type OrganisationLookup, organisationOf } from "./organisation.ts";
import { findProvider } from "./provider-resolution.ts";
import { redeemWithRotation } from "./secret-rotation.ts";

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

/** The provider's tokens, in the contract's OAuthTokenResponse shape. */
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

export interface ExchangeDeps extends Omit<OrganisationLookup, "users">, Omit<AccountLinking, "users">, IdentityDeps {
  readonly users: OrganisationLookup["users"] & AccountLinking["users"];
  readonly providers: Pick<ProviderRepository, "configured">;
  readonly audit: Pick<AuditTrail, "record">;
  readonly discovery: Pick<Discovery, "connect">;
  readonly state: ShortLivedState;
  /** Where redeemed-token marks are kept (flow.ts redeemedAccessTokens): bounded apart from the sign-ins in progress. */
  readonly redeemedMarks: ShortLivedState;
  readonly sessions: AuthSessions;
}

/**
 * Redeems an authorization code the organisation's provider sent back (RFC 6749 §4.1.3):
 * resolve the organisation and provider, consume the authorization request's state, then
 * redeem → verify → identify → link. Every outcome, success or failure, leaves exactly one
 * audit record. `resolved`: the email's organisation, when the caller resolved it already.
 */
export async function redeemAuthorizationCode(
  deps: ExchangeDeps,
  request: ExchangeRequest,
  resolved?: Result<Organisation>,
): Promise<Result<ExchangeOutcome>> {
  return audited(
    deps.audit,
    {
      event: "oauth.exchange",
      email: request.email,
      provider: request.provider,
      ip: request.ip,
      signInSession: request.sessionToken,
      redirectUri: request.redirectUri,
    },
    async (subject) => {
      const org = await organisationOf(deps, request.email, resolved);
      if (!org.ok) return org;
      const organisation = org.value;
      // Known from here on, so every later failure lands in the organisation's audit trail.
      subject.organisation(organisation.id);
      const found = await findProvider(deps, organisation, request.provider, request.redirectUri);
      if (!found.ok) return found;
      const provider = found.value;
      const bound = await authorizationBinding(deps.state, request, organisation, provider);
      if (!bound.ok) return bound;
      const binding = bound.value;
      // The sign-in the authorization request was started under: its authenticate is the same attempt.
      if (binding?.sessionToken) subject.signInSession(binding.sessionToken);
      const connected = await deps.discovery.connect(provider);
      if (!connected.ok) return connected;

      const redeemed = await redeemWithRotation(
        deps,
        connected.value,
        {
          code: request.code,
          redirectUri: request.redirectUri,
          ...(binding && { codeVerifier: binding.codeVerifier }),
          ...(binding?.nonce && { expectedNonce: binding.nonce }),
          ...(request.iss !== undefined && { issuer: request.iss }),
        },
        { orgId: organisation.id, email: request.email, ip: request.ip },
      );
      if (!redeemed.ok) return redeemed;
      const { tokens, connection } = redeemed.value;
      const idTokenClaims = await verifyIdToken(deps, connection, tokens.idToken, binding?.nonce ?? undefined);
      if (!idTokenClaims.ok) return idTokenClaims;
      const identity = await identify(connection, tokens.accessToken, idTokenClaims.value);
      if (!identity.ok) return identity;
      const email = checkIdentityEmail(identity.value, request.email, provider);
      if (!email.ok) return email;
      const user = await linkOrProvisionAccount(deps, organisation, provider, identity.value, request.email, request);
      if (!user.ok) return user;
      subject.user(user.value.id);

      if (binding?.sessionToken) {
        await deps.sessions.authorizationCompleted(binding.sessionToken, binding);
        // authenticate, presented this token in this session, trusts this verification instead of repeating it.
        if (tokens.idToken !== undefined && idTokenClaims.value)
          await deps.sessions.idTokenVerified(
            binding.sessionToken,
            tokens.idToken,
            { provider, nonce: binding.nonce ?? undefined },
            idTokenClaims.value,
          );
      }
      await redeemedAccessTokens(deps.redeemedMarks).remember(provider, tokens.accessToken);
      return success({
        tokens: {
          access_token: tokens.accessToken,
          ...(tokens.idToken !== undefined && { id_token: tokens.idToken }),
          token_type: tokens.tokenType,
          ...(tokens.expiresIn !== undefined && { expires_in: tokens.expiresIn }),
        },
        user: user.value,
        organisation,
        provider,
      });
    },
  );
}

/**
 * The authorization request this exchange completes: the one `state` names, consumed once; none
 * without a state, unless the provider requires sign-in to start at our authorization endpoint.
 */
async function authorizationBinding(
  state: ShortLivedState,
  request: ExchangeRequest,
  organisation: Organisation,
  provider: ConfiguredProvider,
): Promise<Result<PendingAuthorization | undefined>> {
  if (request.state !== undefined) return consumeAuthorization(state, request.state, { ...request, orgId: organisation.id });
  if (provider.settings.requirePkce)
    return failure("STATE_REQUIRED", "This provider requires sign-in to start at /userAccount/oauth/authorize; pass its state.");
  return success(undefined);
}
