import { failure, type Result, success } from "../domain/failures.ts";
import type { Organisation } from "../domain/organisation.ts";
import { newOpaqueToken } from "../domain/ids.ts";
import type { SamlProtocol, SamlProviderLookup } from "../domain/ports/saml-sign-in.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import type { AuthSessions } from "./flow.ts";
import { type OrganisationLookup, organisationOf } from "./organisation.ts";
import { findSamlProvider } from "./provider-resolution.ts";
import { pendingSamlRequests } from "./saml-flow.ts";

export interface SamlAuthorizationDeps extends OrganisationLookup {
  readonly samlProviders: Pick<SamlProviderLookup, "configured">;
  readonly samlProtocol: Pick<SamlProtocol, "redirectUrl">;
  readonly state: ShortLivedState;
  readonly sessions: AuthSessions;
}

export interface SamlAuthorizationRequest {
  readonly provider: string;
  readonly email: string;
  readonly redirectUri: string;
  readonly sessionToken: string | undefined;
  /** `prompt=login`: the IdP must ask who signs in again (ForceAuthn). */
  readonly forceAuthn?: boolean;
}

/**
 * Starts a SAML sign-in: an AuthnRequest (HTTP-Redirect binding) whose RelayState names a record
 * kept here for 10 minutes — the request's ID (the response's InResponseTo must be it), the
 * application's redirect URI and email, the sign-in session, and the `state` the application gets
 * back with the code. The RelayState is not the state: the IdP sees one, the application the other.
 * `resolved`: the email's organisation, when the caller resolved it already.
 */
export async function startSamlAuthorization(
  deps: SamlAuthorizationDeps,
  request: SamlAuthorizationRequest,
  resolved?: Result<Organisation>,
): Promise<Result<{ authorizationUrl: string; state: string }>> {
  if (request.sessionToken !== undefined && !(await deps.sessions.load(request.sessionToken))) {
    return failure("SESSION_EXPIRED", "Your sign-in session has expired. Start again.");
  }
  const org = await organisationOf(deps, request.email, resolved);
  if (!org.ok) return org;
  const found = await findSamlProvider(deps, org.value, request.provider, request.redirectUri);
  if (!found.ok) return found;
  const provider = found.value;
  const relayState = newOpaqueToken();
  const state = newOpaqueToken();
  const { url, requestId } = await deps.samlProtocol.redirectUrl(provider, {
    relayState,
    ...(request.forceAuthn === true && { forceAuthn: true }),
  });
  await pendingSamlRequests(deps.state).put(relayState, {
    orgId: org.value.id,
    provider: provider.settings.providerName,
    requestId,
    redirectUri: request.redirectUri,
    email: request.email,
    state,
    sessionToken: request.sessionToken ?? null,
  });
  return success({ authorizationUrl: url, state });
}
