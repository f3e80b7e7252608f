import { type AuthStep, effectiveAuthSteps, validateAuthSteps } from "../domain/auth-steps.ts";
import type { Result } from "../domain/failures.ts";
import { success } from "../domain/failures.ts";
import type { AuthStepRepository } from "../domain/ports/repositories.ts";
import { type AdminActionDeps, type AdminCaller, changesBetween, recordAdminAction } from "./admin-actions.ts";

/** The ports sign-in step administration needs; a save is recorded in the organisation's audit trail. */
export interface SignInStepAdministration extends AdminActionDeps {
  readonly authSteps: AuthStepRepository;
}

/** The organisation's sign-in steps (PipesHub's orgAuthConfig): the stored ones, or the default. */
export async function signInSteps(deps: SignInStepAdministration, orgId: string): Promise<readonly AuthStep[]> {
  return effectiveAuthSteps(await deps.authSteps.get(orgId));
}

/**
 * Validates and stores an organisation's sign-in steps; answers them sorted by order. Recorded as
 * `auth_methods.updated`, the steps before (the default when none were stored) and after.
 */
export async function saveSignInSteps(
  deps: SignInStepAdministration,
  orgId: string,
  steps: readonly AuthStep[],
  caller: AdminCaller,
): Promise<Result<AuthStep[]>> {
  const valid = validateAuthSteps(steps);
  if (!valid.ok) return valid;
  const before = await signInSteps(deps, orgId);
  await deps.authSteps.put(orgId, valid.value);
  const changes = changesBetween({ authMethods: before }, { authMethods: valid.value });
  await recordAdminAction(deps, caller, { event: "auth_methods.updated", orgId, changes });
  return success(valid.value);
}
