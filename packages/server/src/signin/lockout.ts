import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";

export interface LockoutPolicy {
  /** Consecutive failures that block the account. */
  readonly threshold: number;
  readonly blockSeconds: number;
}

/**
 * Blocks an account after `threshold` consecutive failed authenticate attempts, for
 * `blockSeconds`. Counted per organisation and email, so an unknown user is counted too and
 * an attacker learns nothing from which accounts lock.
 */
export function accountLockout(state: ShortLivedState, policy: LockoutPolicy) {
  const subject = (orgId: string, email: string) => `${orgId}:${email.toLowerCase()}`;
  return {
    async isBlocked(orgId: string, email: string): Promise<boolean> {
      return (await state.get(`blocked:${subject(orgId, email)}`)) !== undefined;
    },
    /** Counts a failure; true when this one blocks the account. */
    async recordFailure(orgId: string, email: string): Promise<boolean> {
      const key = subject(orgId, email);
      const failures = await state.increment(`failures:${key}`, policy.blockSeconds * 1000);
      if (failures < policy.threshold) return false;
      await state.set(`blocked:${key}`, "1", policy.blockSeconds * 1000);
      await state.delete(`failures:${key}`);
      return true;
    },
    async reset(orgId: string, email: string): Promise<void> {
      await state.delete(`failures:${subject(orgId, email)}`);
    },
  };
}

export type AccountLockout = ReturnType<typeof accountLockout>;
