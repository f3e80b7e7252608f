import { failure, type Result } from "../domain/failures.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { AuditTrail } from "../domain/ports/repositories.ts";
import type { SamlProviderLookup } from "../domain/ports/saml-sign-in.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import { audited } from "./audited.ts";
import type { AuthSessions } from "./flow.ts";
import { type OrganisationLookup, organisationOf } from "./organisation.ts";
import { findSamlProvider } from "./provider-resolution.ts";
import { samlCodeBinding, samlCodes } from "./saml-flow.ts";
import { mintSamlTokens, type SamlTokenDeps } from "./saml-tokens.ts";

export interface SamlExchangeDeps extends OrganisationLookup {
  readonly samlProviders: Pick<SamlProviderLookup, "configured">;
  readonly samlTokens: SamlTokenDeps;
  readonly state: ShortLivedState;
  readonly sessions: AuthSessions;
  readonly audit: Pick<AuditTrail, "record">;
}

export interface SamlExchangeRequest {
  readonly code: string;
  readonly email: string;
  readonly provider: string;
  readonly redirectUri: string;
  readonly state?: string;
  readonly sessionToken?: string;
  readonly ip: string | null;
}

/**
 * The seed's exchange for a SAML provider: the ACS's one-time code is consumed once, and only by
 * an exchange naming the same organisation, provider, redirect URI, email and state (and the
 * session the sign-in was started under, if any) — a mismatched one leaves it for the rightful
 * caller. `state` is required: without it, whoever sees the redirect's URL could redeem the code.
 * Answers the handle and id_token of saml-tokens.ts. One audit record per attempt. `resolved`: the
 * email's organisation, when the caller resolved it already.
 */
export async function redeemSamlCode(deps: SamlExchangeDeps, request: SamlExchangeRequest, resolved?: Result<Organisation>) {
  return audited(
    deps.audit,
    { event: "saml.exchange", email: request.email, provider: request.provider, ip: request.ip, signInSession: request.sessionToken },
    async (subject): Promise<Result<Awaited<ReturnType<typeof mintSamlTokens>>>> => {
      const org = await organisationOf(deps, request.email, resolved);
      if (!org.ok) return org;
      subject.organisation(org.value.id);
      const found = await findSamlProvider(deps, org.value, request.provider, request.redirectUri);
      if (!found.ok) return found;
      if (request.state === undefined) {
        return failure("STATE_REQUIRED", "A SAML provider's sign-in starts at /userAccount/oauth/authorize; pass its state.");
      }
      const fields = { ...request, orgId: org.value.id, state: request.state };
      const bindings = [samlCodeBinding(fields, undefined)];
      if (request.sessionToken !== undefined) bindings.push(samlCodeBinding(fields, request.sessionToken));
      const taken = await samlCodes(deps.state).takeIfBound(request.code, bindings);
      if (taken.kind === "absent") return failure("INVALID_GRANT", "The code is unknown, expired or already used. Sign in again.");
      if (taken.kind === "refused") {
        return failure(
          "INVALID_GRANT",
          "The code was issued for another provider, redirect URI, state or email, or under another sign-in session. Sign in again.",
        );
      }
      const { sessionToken, binding: _binding, ...signedIn } = taken.value;
      subject.user(signedIn.userId);
      if (sessionToken) {
        subject.signInSession(sessionToken);
        await deps.sessions.providerUsed(sessionToken, { email: request.email, orgId: signedIn.orgId, provider: signedIn.provider });
      }
      return { ok: true, value: await mintSamlTokens(deps.samlTokens, signedIn) };
    },
  );
}
