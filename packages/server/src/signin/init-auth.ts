import { failure, type Result, success } from "../domain/failures.ts";
import { effectiveAuthSteps } from "../domain/auth-steps.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { AuthStepRepository } from "../domain/ports/repositories.ts";
import type { AuthSessions } from "./flow.ts";
import { noSignInOptions, signInOptions, type SignInOptions, type StepOptionsDeps } from "./sign-in-options.ts";
import { type OrganisationLookup, resolveOrganisation } from "./organisation.ts";

export interface InitAuthDeps extends OrganisationLookup, StepOptionsDeps {
  readonly authSteps: Pick<AuthStepRepository, "get">;
  readonly sessions: AuthSessions;
}

export interface InitAuthResponse extends SignInOptions {
  currentStep: 0;
  message: string;
  /** Addition to the contract: the name of the organisation the email signs in to, once known. */
  orgName?: string;
}

/**
 * Starts a sign-in: a session (its token goes in x-session-token) and the first step's methods.
 * Without an email, the only organisation is assumed; with several, the client learns nothing
 * until it names an email.
 */
export async function initAuth(
  deps: InitAuthDeps,
  email: string | undefined,
): Promise<Result<{ sessionToken: string; response: InitAuthResponse }>> {
  let org: Organisation | undefined;
  if (email !== undefined) {
    const resolved = await resolveOrganisation(deps, email);
    if (!resolved.ok) return resolved;
    org = resolved.value;
  } else {
    const all = await deps.organisations.list(2);
    org = all.length === 1 ? all[0] : undefined;
  }
  const steps = org ? effectiveAuthSteps(await deps.authSteps.get(org.id)) : undefined;
  const options = org && steps?.[0] ? await signInOptions(deps, org, steps[0]) : noSignInOptions();
  if (org && options.allowedMethods.length === 0) return failure("INTERNAL_ERROR", "The organisation has no sign-in steps.");
  const sessionToken = await deps.sessions.create({ email: email ?? null, orgId: org?.id ?? null });
  return success({
    sessionToken,
    response: {
      currentStep: 0,
      message: org ? "Authentication initialized" : "Authentication initialized; send your email to continue",
      ...(org && { orgName: org.name }),
      ...options,
    },
  });
}
