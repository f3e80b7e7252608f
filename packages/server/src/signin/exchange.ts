import { failure, type Result, success } from "../errors.ts";
import type { ProviderGateway } from "../oauth/provider-client.ts";
import type { AuditTrailRepository } from "../store/audit-trail.ts";
import type { ProviderRepository } from "../store/providers.ts";
import { type AccountLinking, checkIdentityEmail, linkOrProvisionAccount } from "./account-linking.ts";
import type { ConfiguredProvider, Organisation, User } from "./model.ts";
import { type OrganisationLookup, resolveOrganisation } from "./organisation.ts";

export interface ExchangeRequest {
  readonly code: string;
  readonly email: string;
  readonly provider: string;
  readonly redirectUri: string;
  /** The `iss` authorization response parameter, when the client passes it on (RFC 9207). */
  readonly iss?: string;
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

/** PKCE verifier and nonce of an authorization request this service started. */
export interface AuthorizationBinding {
  readonly codeVerifier: string;
  readonly nonce: string | undefined;
}

export interface ExchangeDeps extends Omit<OrganisationLookup, "users">, Omit<AccountLinking, "users"> {
  readonly users: OrganisationLookup["users"] & AccountLinking["users"];
  readonly providers: Pick<ProviderRepository, "configured">;
  readonly audit: Pick<AuditTrailRepository, "record">;
  readonly gateway: ProviderGateway;
}

/** Resolves the organisation and the named provider in it, and checks the redirect URI. */
export async function resolveProvider(
  deps: Pick<ExchangeDeps, "organisations" | "users" | "providers">,
  email: string,
  providerName: string,
  redirectUri: string,
): Promise<Result<{ organisation: Organisation; provider: ConfiguredProvider }>> {
  const org = await resolveOrganisation(deps, email);
  if (!org.ok) return org;
  const provider = await deps.providers.configured(org.value.id, providerName);
  if (!provider) return failure("PROVIDER_NOT_FOUND", `No OAuth provider named "${providerName}" is configured for your organisation.`);
  // Exact match (RFC 9700 §2.1): checked before anything is sent to the provider.
  if (!provider.settings.redirectUris.includes(redirectUri)) {
    return failure("REDIRECT_URI_MISMATCH", "redirectUri is not one of the provider's registered redirect URIs.");
  }
  return success({ organisation: org.value, provider });
}

/**
 * Redeems an authorization code the organisation's provider sent back (RFC 6749 §4.1.3),
 * establishes who signed in, and links or provisions the account. Every outcome, success or
 * failure, leaves exactly one audit record.
 */
export async function redeemAuthorizationCode(
  deps: ExchangeDeps,
  request: ExchangeRequest,
  binding?: AuthorizationBinding,
): Promise<Result<ExchangeOutcome>> {
  let orgId: string | null = null;
  let userId: string | null = null;
  const result = await (async (): Promise<Result<ExchangeOutcome>> => {
    const resolved = await resolveProvider(deps, request.email, request.provider, request.redirectUri);
    if (!resolved.ok) return resolved;
    const { organisation, provider } = resolved.value;
    orgId = organisation.id;
    if (provider.settings.requirePkce && !binding) {
      return failure("STATE_REQUIRED", "This provider requires sign-in to start at /userAccount/oauth/authorize; pass its state.");
    }
    const redeemed = await deps.gateway.redeemCode(provider, {
      code: request.code,
      redirectUri: request.redirectUri,
      ...(binding && { codeVerifier: binding.codeVerifier }),
      ...(binding?.nonce !== undefined && { expectedNonce: binding.nonce }),
      ...(request.iss !== undefined && { issuer: request.iss }),
    });
    if (!redeemed.ok) return redeemed;
    const email = checkIdentityEmail(redeemed.value.identity, request.email, provider);
    if (!email.ok) return email;
    const user = await linkOrProvisionAccount(deps, organisation, provider, redeemed.value.identity, request.email);
    if (!user.ok) return user;
    userId = user.value.id;
    const t = redeemed.value;
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
