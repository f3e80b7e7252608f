import { type AuthStep, effectiveAuthSteps, validateAuthSteps } from "../domain/auth-steps.ts";
import type { Result } from "../domain/failures.ts";
import { success } from "../domain/failures.ts";
import type { AuthStepRepository } from "../domain/ports/repositories.ts";

/** The ports sign-in step administration needs. */
export interface SignInStepAdministration {
  readonly authSteps: AuthStepRepository;
}

/** The organisation's sign-in steps (PipesHub's orgAuthConfig): the stored ones, or the default. */
export async function signInSteps(deps: SignInStepAdministration, orgId: string): Promise<readonly AuthStep[]> {
  return effectiveAuthSteps(await deps.authSteps.get(orgId));
}

/** Validates and stores an organisation's sign-in steps; answers them sorted by order. */
export async function saveSignInSteps(
  deps: SignInStepAdministration,
  orgId: string,
  steps: readonly AuthStep[],
): Promise<Result<AuthStep[]>> {
  const valid = validateAuthSteps(steps);
  if (!valid.ok) return valid;
  await deps.authSteps.put(orgId, valid.value);
  return success(valid.value);
}
