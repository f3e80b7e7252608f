import { FAILURE_FIX } from "../domain/failure-fixes.ts";
import { failure, type FailureId, type Result, success } from "../domain/failures.ts";
import { newOpaqueToken } from "../domain/ids.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { IdentityLinkRepository, OrganisationRepository, UserRepository } from "../domain/ports/repositories.ts";
import type { SamlAssertion, SamlProtocol, SamlProviderLookup } from "../domain/ports/saml-sign-in.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import type { ConfiguredSamlProvider } from "../domain/saml-provider.ts";
import { previewAccount } from "./account-linking.ts";
import { pendingTestSignIns } from "./flow.ts";
import { type PendingSamlRequest, pendingSamlRequests } from "./saml-flow.ts";
import { samlIdentity } from "./saml-identity.ts";
import type { TestSignInDecision, TestSignInResult } from "./test-sign-in.ts";

/*
 * A SAML provider's test sign-in: an administrator signs in at the IdP (ForceAuthn, so the IdP
 * asks who) and sees the assertion's attributes and what a real sign-in would decide, with
 * nothing created. It travels as a real one does — AuthnRequest, the IdP, the ACS — and the ACS
 * keeps its outcome under the test's `state` for POST /api/v1/test-signins/complete (with the code
 * it sends the browser back with), as an OAuth provider's test sign-in is completed.
 */

/** What the ACS keeps of a SAML test sign-in until it is completed (test-sign-in.ts reads it). */
export interface SamlTestSignInOutcome {
  /** The organisation, as the field a scoped caller's compare-and-consume checks. */
  readonly binding: string;
  readonly orgId: string;
  readonly provider: string;
  readonly saml: { readonly code: string; readonly result: TestSignInResult };
}

export interface SamlTestSignInDeps {
  readonly organisations: Pick<OrganisationRepository, "get">;
  readonly samlProviders: Pick<SamlProviderLookup, "configured">;
  readonly samlProtocol: Pick<SamlProtocol, "redirectUrl">;
  readonly state: ShortLivedState;
}

/** Starts a test sign-in at one of the organisation's SAML providers: the IdP URL (ForceAuthn) and the state to complete it with. */
export async function startSamlTestSignIn(
  deps: SamlTestSignInDeps,
  request: { orgId: string; provider: string; redirectUri?: string | undefined },
): Promise<Result<{ authorizationUrl: string; state: string; redirectUri: string }>> {
  const org = await deps.organisations.get(request.orgId);
  if (!org) return failure("ORG_NOT_FOUND", "No such organisation.");
  const provider = await deps.samlProviders.configured(org.id, request.provider);
  if (!provider) return failure("NOT_FOUND", `No SAML provider "${request.provider}" in this organisation.`);
  const redirectUri = request.redirectUri ?? provider.settings.redirectUris[0];
  if (redirectUri === undefined || !provider.settings.redirectUris.includes(redirectUri)) {
    return failure("REDIRECT_URI_MISMATCH", "redirectUri is not one of the provider's registered redirect URIs.");
  }
  const relayState = newOpaqueToken();
  const state = newOpaqueToken();
  const { url, requestId } = await deps.samlProtocol.redirectUrl(provider, { relayState, forceAuthn: true });
  await pendingSamlRequests(deps.state).put(relayState, {
    orgId: org.id,
    provider: provider.settings.providerName,
    requestId,
    redirectUri,
    email: "",
    state,
    sessionToken: null,
    test: true,
  });
  return success({ authorizationUrl: url, state, redirectUri });
}

export interface SamlTestOutcomeDeps {
  readonly users: Pick<UserRepository, "findInOrganisation">;
  readonly links: Pick<IdentityLinkRepository, "userFor" | "subjectOf" | "hasIdentity">;
  readonly state: ShortLivedState;
}

const refused = (reason: FailureId): TestSignInDecision => ({ outcome: "refused", reason, fix: FAILURE_FIX[reason] });

/**
 * The ACS's part of a test sign-in: what the validated (or refused) response says and what a
 * real sign-in would decide, kept under the test's state; answers the code the browser returns with.
 */
export async function keepSamlTestOutcome(
  deps: SamlTestOutcomeDeps,
  context: { org: Organisation; provider: ConfiguredSamlProvider; pending: PendingSamlRequest; assertion: Result<SamlAssertion> },
): Promise<string> {
  const { org, provider, pending, assertion } = context;
  const decision = assertion.ok ? await decide(deps, org, provider, assertion.value) : refused(assertion.error);
  const code = newOpaqueToken();
  const outcome: SamlTestSignInOutcome = {
    binding: org.id,
    orgId: org.id,
    provider: provider.settings.providerName,
    saml: {
      code,
      result: {
        orgId: org.id,
        provider: provider.settings.providerName,
        claims: assertion.ok ? assertionClaims(assertion.value) : null,
        userinfo: null,
        decision,
      },
    },
  };
  await pendingTestSignIns<SamlTestSignInOutcome>(deps.state).put(pending.state, outcome);
  return code;
}

async function decide(deps: SamlTestOutcomeDeps, org: Organisation, provider: ConfiguredSamlProvider, assertion: SamlAssertion) {
  const identity = samlIdentity(provider, org, assertion);
  if (!identity.ok) return refused(identity.error);
  const user = await previewAccount(deps, org, provider, identity.value, identity.value.email);
  if (!user.ok) return refused(user.error);
  return user.value ? ({ outcome: "would-sign-in", userId: user.value.id } as const) : ({ outcome: "would-create" } as const);
}

/** What an administrator is shown of the assertion: who, from where, and every attribute. */
function assertionClaims(assertion: SamlAssertion): Record<string, unknown> {
  return {
    issuer: assertion.issuer,
    nameId: assertion.nameId,
    ...(assertion.nameIdFormat !== undefined && { nameIdFormat: assertion.nameIdFormat }),
    ...(assertion.authnInstant !== undefined && { authnInstant: assertion.authnInstant }),
    ...(assertion.sessionIndex !== undefined && { sessionIndex: assertion.sessionIndex }),
    attributes: assertion.attributes,
  };
}
