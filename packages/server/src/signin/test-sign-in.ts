import { FAILURE_FIX } from "../domain/failure-fixes.ts";
import { failure, type FailureId, type Result, success } from "../domain/failures.ts";
import type { ProviderIdentity } from "../domain/identity.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { IdentityLinkRepository, OrganisationRepository, ProviderRepository, UserRepository } from "../domain/ports/repositories.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import type { Discovery } from "../oauth/discovery.ts";
import { fetchUserinfo, type UserinfoClaims } from "../oauth/userinfo.ts";
import { checkIdentityEmail, previewAccount } from "./account-linking.ts";
import { newAuthorizationRequest } from "./authorization-requests.ts";
import { pendingTestSignIns } from "./flow.ts";
import { identify, type IdentityDeps, verifyIdToken } from "./identity.ts";
import type { SamlTestSignInOutcome } from "./saml-test-sign-in.ts";
import { redeemWithRotation, type RotationDeps } from "./secret-rotation.ts";

/**
 * A test sign-in: an administrator signs in at an organisation's provider to see what the
 * service would make of it — the verified claims, userinfo, and the decision — through the real
 * redemption and every check, while creating no user, link, session or lockout count.
 */
export interface TestSignInDeps extends IdentityDeps {
  readonly organisations: Pick<OrganisationRepository, "get">;
  readonly providers: Pick<ProviderRepository, "configured">;
  readonly users: Pick<UserRepository, "findInOrganisation">;
  readonly links: Pick<IdentityLinkRepository, "userFor" | "subjectOf" | "hasIdentity">;
  readonly discovery: Pick<Discovery, "connect">;
  readonly state: ShortLivedState;
}

export type TestSignInDecision =
  | { readonly outcome: "would-sign-in"; readonly userId: string; readonly reason?: undefined; readonly fix?: undefined }
  | { readonly outcome: "would-create"; readonly userId?: undefined; readonly reason?: undefined; readonly fix?: undefined }
  | { readonly outcome: "refused"; readonly userId?: undefined; readonly reason: FailureId; readonly fix: string };

export interface TestSignInResult {
  readonly orgId: string;
  readonly provider: string;
  /** The verified ID token's claims (none from a plain OAuth 2.0 provider). */
  readonly claims: Record<string, unknown> | null;
  /** What the userinfo endpoint said, when the provider has one and answered. */
  readonly userinfo: UserinfoClaims | null;
  readonly decision: TestSignInDecision;
}

interface PendingTestSignIn {
  readonly orgId: string;
  /** The organisation again, as the field a scoped caller's compare-and-consume checks. */
  readonly binding: string;
  readonly provider: string;
  readonly redirectUri: string;
  readonly codeVerifier: string;
  readonly nonce: string | null;
}

/** Starts a test sign-in at one of the organisation's providers: its authorization URL, and the state to complete it with. */
export async function startTestSignIn(
  deps: TestSignInDeps,
  request: { orgId: string; provider: string; redirectUri?: string | undefined; loginHint?: string | undefined },
): Promise<Result<{ authorizationUrl: string; state: string; redirectUri: string }>> {
  const org = await deps.organisations.get(request.orgId);
  if (!org) return failure("ORG_NOT_FOUND", "No such organisation.");
  const provider = await deps.providers.configured(org.id, request.provider);
  if (!provider) return failure("NOT_FOUND", `No provider "${request.provider}" in this organisation.`);
  const redirectUri = request.redirectUri ?? provider.settings.redirectUris[0];
  if (redirectUri === undefined || !provider.settings.redirectUris.includes(redirectUri)) {
    return failure("REDIRECT_URI_MISMATCH", "redirectUri is not one of the provider's registered redirect URIs.");
  }
  const connection = await deps.discovery.connect(provider);
  if (!connection.ok) return connection;
  const { url, state, codeVerifier, nonce } = await newAuthorizationRequest(connection.value, {
    redirectUri,
    prompt: "login",
    ...(request.loginHint !== undefined && { loginHint: request.loginHint }),
  });
  const pending: PendingTestSignIn = {
    orgId: org.id,
    binding: org.id,
    provider: provider.settings.providerName,
    redirectUri,
    codeVerifier,
    nonce,
  };
  await pendingTestSignIns<PendingTestSignIn>(deps.state).put(state, pending);
  return success({ authorizationUrl: url.href, state, redirectUri });
}

/**
 * Completes a test sign-in with the code the provider sent back: redeems it, checks everything,
 * and says what a real sign-in would do. A caller limited to one organisation (`orgId`: a setup
 * link or an organisation admin) completes only that organisation's, and cannot burn another's.
 */
export async function completeTestSignIn(
  deps: TestSignInDeps,
  request: { state: string; code: string; orgId?: string | undefined },
): Promise<Result<TestSignInResult>> {
  const taken = await takePending(deps.state, request.state, request.orgId);
  if (!taken.ok) return taken;
  if ("saml" in taken.value) {
    // A SAML provider's: the ACS already validated and decided (saml-test-sign-in.ts).
    const { saml } = taken.value;
    return saml.code === request.code
      ? success(saml.result)
      : failure("INVALID_GRANT", "This is not the code the test sign-in returned with.");
  }
  const pending = taken.value;
  const org = await deps.organisations.get(pending.orgId);
  const provider = org && (await deps.providers.configured(org.id, pending.provider));
  if (!org || !provider) return failure("NOT_FOUND", "The provider was removed while the test sign-in was under way.");
  const connection = await deps.discovery.connect(provider);
  if (!connection.ok) return connection;
  const redeemed = await redeemWithRotation(
    { discovery: deps.discovery, audit: NOT_RECORDED },
    connection.value,
    {
      code: request.code,
      redirectUri: pending.redirectUri,
      codeVerifier: pending.codeVerifier,
      ...(pending.nonce && { expectedNonce: pending.nonce }),
    },
    // Nothing is recorded (NOT_RECORDED), so there is no one to name.
    { orgId: org.id, email: "", ip: null },
  );
  if (!redeemed.ok) return redeemed;
  const { tokens, connection: used } = redeemed.value;
  const claims = await verifyIdToken(deps, used, tokens.idToken, pending.nonce ?? undefined);
  if (!claims.ok) return claims;
  const sub = typeof claims.value?.sub === "string" ? claims.value.sub : undefined;
  const userinfo = used.metadata.userinfo_endpoint ? await fetchUserinfo(used, tokens.accessToken, sub) : undefined;
  const identity = await identify(used, tokens.accessToken, claims.value, userinfo);
  return success({
    orgId: org.id,
    provider: provider.settings.providerName,
    claims: claims.value ? { ...claims.value } : null,
    userinfo: userinfo?.ok ? userinfo.value : null,
    decision: identity.ok ? await decide(deps, org, provider, identity.value) : refused(identity.error),
  });
}

async function takePending(
  state: ShortLivedState,
  stateValue: string,
  orgId: string | undefined,
): Promise<Result<PendingTestSignIn | SamlTestSignInOutcome>> {
  const unknown = () => failure("INVALID_STATE", "This test sign-in is unknown, expired or already completed. Start another.");
  const pending = pendingTestSignIns<PendingTestSignIn | SamlTestSignInOutcome>(state);
  if (orgId === undefined) {
    const taken = await pending.take(stateValue);
    return taken === undefined ? unknown() : success(taken);
  }
  const taken = await pending.takeIfBound(stateValue, [orgId]);
  if (taken.kind === "refused") return failure("FORBIDDEN", "This test sign-in was started for another organisation.");
  return taken.kind === "absent" ? unknown() : success(taken.value);
}

/**
 * A test sign-in redeems as a real one does, falling back to a rotation's next client secret, but
 * records no `provider.next_secret_used`: that event (and its count on /metrics) tells of people's
 * sign-ins, and the doctor already says which secret the provider takes.
 */
const NOT_RECORDED: RotationDeps["audit"] = { record: async () => {} };

function refused(reason: FailureId): TestSignInDecision {
  return { outcome: "refused", reason, fix: FAILURE_FIX[reason] };
}

/**
 * What a real sign-in naming the identity's own email would decide, by the exchange's own rules
 * in its order — checkIdentityEmail, then linkOrProvisionAccount's decision read-only.
 */
async function decide(
  deps: TestSignInDeps,
  org: Organisation,
  provider: ConfiguredProvider,
  identity: ProviderIdentity,
): Promise<TestSignInDecision> {
  const email = checkIdentityEmail(identity, identity.email ?? "", provider);
  if (!email.ok) return refused(email.error);
  const user = await previewAccount(deps, org, provider, identity, email.value);
  if (!user.ok) return refused(user.error);
  return user.value ? { outcome: "would-sign-in", userId: user.value.id } : { outcome: "would-create" };
}
