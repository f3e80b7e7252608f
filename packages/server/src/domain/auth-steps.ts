import { failure, type Result, success } from "./failures.ts";

/** The sign-in methods PipesHub's contract names; `oauth` and `samlSso` are implemented here. */
export const AUTH_METHODS = ["samlSso", "otp", "password", "google", "microsoft", "azureAd", "oauth"] as const;
/** One of the contract's sign-in methods. */
export type AuthMethodType = (typeof AUTH_METHODS)[number];

/** One step of an organisation's sign-in: any one of its methods completes it. */
export interface AuthStep {
  readonly order: number;
  readonly allowedMethods: readonly { readonly type: AuthMethodType }[];
}

/** An organisation that configured nothing signs in with its OAuth or SAML providers in one step. */
export const DEFAULT_AUTH_STEPS: readonly AuthStep[] = [{ order: 1, allowedMethods: [{ type: "oauth" }, { type: "samlSso" }] }];

/** The steps an organisation signs in with: the ones it stored, else the default. */
export function effectiveAuthSteps(stored: readonly AuthStep[] | undefined): readonly AuthStep[] {
  return stored ?? DEFAULT_AUTH_STEPS;
}

/**
 * The contract's rules: 1-3 steps with unique orders 1-3, at least one method per step, no
 * method twice in a step or in two steps. Returned sorted by order.
 */
export function validateAuthSteps(steps: readonly AuthStep[]): Result<AuthStep[]> {
  const invalid = (message: string) => failure("VALIDATION_ERROR", message);
  if (steps.length < 1 || steps.length > 3) return invalid("authMethod must have 1 to 3 steps");
  const orders = new Set<number>();
  const methods = new Set<string>();
  for (const step of steps) {
    if (!Number.isInteger(step.order) || step.order < 1 || step.order > 3) return invalid("each step's order must be 1, 2 or 3");
    if (orders.has(step.order)) return invalid(`step order ${step.order} appears twice`);
    orders.add(step.order);
    if (step.allowedMethods.length === 0) return invalid(`step ${step.order} needs at least one method`);
    for (const { type } of step.allowedMethods) {
      if (methods.has(type)) return invalid(`method "${type}" appears more than once`);
      methods.add(type);
    }
  }
  return success([...steps].sort((a, b) => a.order - b.order));
}
