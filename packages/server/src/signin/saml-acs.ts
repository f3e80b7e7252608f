import { type Failure, failure, type Result, success } from "../domain/failures.ts";
import { newOpaqueToken } from "../domain/ids.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { Clock } from "../domain/ports/clock.ts";
import type { AuditTrail, IdentityLinkRepository, OrganisationRepository } from "../domain/ports/repositories.ts";
import type { SamlProtocol, SamlProviderLookup } from "../domain/ports/saml-sign-in.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import type { ConfiguredSamlProvider } from "../domain/saml-provider.ts";
import { type AccountLinking, checkIdentityEmail, linkOrProvisionAccount } from "./account-linking.ts";
import { type AuditSubject, audited } from "./audited.ts";
import { assertionReplayMarks, type PendingSamlRequest, pendingSamlRequests, samlCodeBinding, samlCodes } from "./saml-flow.ts";
import { samlIdentity } from "./saml-identity.ts";
import { keepSamlTestOutcome } from "./saml-test-sign-in.ts";

export interface AcsDeps extends AccountLinking {
  readonly links: AccountLinking["links"] & Pick<IdentityLinkRepository, "subjectOf">;
  readonly organisations: Pick<OrganisationRepository, "get">;
  readonly samlProviders: Pick<SamlProviderLookup, "configured">;
  readonly samlProtocol: Pick<SamlProtocol, "validateResponse">;
  readonly state: ShortLivedState;
  readonly audit: Pick<AuditTrail, "record">;
  readonly clock: Pick<Clock, "now">;
}

export interface AcsRequest {
  readonly orgId: string;
  readonly provider: string;
  /** The form's `SAMLResponse` (base64), as posted. */
  readonly samlResponse: string | undefined;
  readonly relayState: string | undefined;
  readonly ip: string | null;
}

/**
 * What the ACS answers the browser: a 303 to the application (with a code, or with the refusal
 * when the redirect URI can be trusted), or a page naming the refusal when it cannot (no pending
 * request of ours: unsolicited, expired, or not a sign-in at all).
 */
export type AcsAnswer = { readonly kind: "redirect"; readonly location: string } | { readonly kind: "page"; readonly failure: Failure };

/** Where a successful response sends the browser, and with what. */
interface Landing {
  readonly redirectUri: string;
  readonly code: string;
  readonly state: string;
}

/**
 * The Assertion Consumer Service (HTTP-POST binding). The response is validated against the
 * pending request its RelayState names (or as unsolicited, which only `allowIdpInitiated`
 * accepts); its assertion ID is accepted once across instances; the identity is mapped and linked
 * by the OIDC rules; then a one-time code (60 s) bound to the provider, redirect URI, state, email,
 * session, user and identity goes to the application. Every outcome is one `saml.acs` audit record.
 */
export async function receiveSamlResponse(deps: AcsDeps, request: AcsRequest): Promise<AcsAnswer> {
  // The URL names the organisation: trusted only once it exists, so a made-up one audits nowhere.
  const org = await deps.organisations.get(request.orgId);
  const provider = org ? await deps.samlProviders.configured(org.id, request.provider) : undefined;
  const peeked = request.relayState ? await pendingSamlRequests(deps.state).peek(request.relayState) : undefined;
  // A pending request of another provider is not this response's: it is answered as unsolicited.
  const pending = peeked && org && peeked.orgId === org.id && peeked.provider === request.provider ? peeked : undefined;
  let landing: Landing | undefined;
  const result = await audited(
    deps.audit,
    {
      event: pending?.test ? "saml.test_signin" : "saml.acs",
      email: pending?.email || null,
      provider: request.provider,
      orgId: org?.id ?? null,
      ip: request.ip,
    },
    async (subject) => {
      if (!org || !provider) return failure("PROVIDER_NOT_FOUND", "This service has no such SAML provider. Check the ACS URL at your IdP.");
      const signedIn = await signInFromResponse(deps, { org, provider, pending, request }, subject);
      if (signedIn.ok) landing = signedIn.value;
      return signedIn;
    },
  );
  if (result.ok && landing)
    return { kind: "redirect", location: withParams(landing.redirectUri, { code: landing.code, state: landing.state }) };
  const refused = result.ok ? failure("INTERNAL_ERROR", "The sign-in did not complete.") : result;
  if (!pending) return { kind: "page", failure: refused };
  return {
    kind: "redirect",
    location: withParams(pending.redirectUri, {
      error: "access_denied",
      error_description: refused.message,
      error_id: refused.error,
      state: pending.state,
    }),
  };
}

async function signInFromResponse(
  deps: AcsDeps,
  context: { org: Organisation; provider: ConfiguredSamlProvider; pending: PendingSamlRequest | undefined; request: AcsRequest },
  subject: AuditSubject,
): Promise<Result<Landing>> {
  const { org, provider, pending, request } = context;
  if (request.samlResponse === undefined || request.samlResponse === "") {
    return failure("VALIDATION_ERROR", "The IdP posted no SAMLResponse.");
  }
  const now = deps.clock.now();
  const validated = await deps.samlProtocol.validateResponse(provider, request.samlResponse, {
    requestId: pending?.requestId,
    now: new Date(now),
  });
  if (pending?.test) {
    // A test sign-in: every outcome is shown to the administrator, nothing is created.
    if (!(await pendingSamlRequests(deps.state).take(request.relayState!)))
      return failure("INVALID_STATE", "This test sign-in was already used.");
    const code = await keepSamlTestOutcome(deps, { org, provider, pending, assertion: validated });
    return success({ redirectUri: pending.redirectUri, code, state: pending.state });
  }
  if (!validated.ok) return validated;
  const assertion = validated.value;
  // Until it could no longer be presented (its NotOnOrAfter already includes the skew).
  const rememberMs = Date.parse(assertion.notOnOrAfter) - now;
  if (!(await assertionReplayMarks(deps.state).firstUse(provider.id, assertion.assertionId, Number.isNaN(rememberMs) ? 0 : rememberMs))) {
    return failure("SAML_REPLAYED", "This SAML response was already used. Sign in again.", {
      detail: `assertion ${assertion.assertionId} seen before`,
    });
  }
  // The request is answered: single use from here (a refused response above left it for the rightful one).
  if (pending && !(await pendingSamlRequests(deps.state).take(request.relayState!))) {
    return failure("INVALID_STATE", "This sign-in attempt was already used. Start again.");
  }
  if (pending?.sessionToken) subject.signInSession(pending.sessionToken);
  const identity = samlIdentity(provider, org, assertion);
  if (!identity.ok) return identity;
  const email = pending ? checkIdentityEmail(identity.value, pending.email, provider) : success(identity.value.email);
  if (!email.ok) return email;
  const user = await linkOrProvisionAccount(deps, org, provider, identity.value, identity.value.email, { ip: request.ip });
  if (!user.ok) return user;
  subject.user(user.value.id);

  const redirectUri = pending?.redirectUri ?? provider.settings.redirectUris[0];
  if (redirectUri === undefined) return failure("REDIRECT_URI_MISMATCH", "The provider has no redirect URI to send you back to.");
  // Unsolicited: a state of its own, which an application checking its state will not know.
  const state = pending?.state ?? newOpaqueToken();
  const code = newOpaqueToken();
  const fields = { orgId: org.id, provider: provider.settings.providerName, redirectUri, email: pending?.email ?? email.value, state };
  const authInstant = assertion.authnInstant !== undefined ? Date.parse(assertion.authnInstant) : Number.NaN;
  await samlCodes(deps.state).put(code, {
    orgId: org.id,
    provider: provider.settings.providerName,
    userId: user.value.id,
    subject: identity.value.subject,
    email: user.value.email,
    name: identity.value.name ?? null,
    idp: assertion.issuer,
    authTime: Math.floor((Number.isNaN(authInstant) ? now : authInstant) / 1000),
    sessionToken: pending?.sessionToken ?? null,
    binding: samlCodeBinding(fields, pending?.sessionToken ?? undefined),
  });
  return success({ redirectUri, code, state });
}

/** The URL with these query parameters added (its own kept). */
function withParams(url: string, params: Record<string, string>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  return target.href;
}
