import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";

export interface LockoutPolicy {
  /** Consecutive failures that block the account. */
  readonly threshold: number;
  readonly blockSeconds: number;
}

/** An attempt let through to be judged: its place among the account's consecutive attempts. */
export interface JudgedAttempt {
  readonly place: number;
}

/**
 * Blocks an account after `threshold` consecutive failed authenticate attempts, for
 * `blockSeconds`. Counted per organisation and email, so an unknown user is counted too and
 * an attacker learns nothing from which accounts lock.
 *
 * An attempt takes its place in the count (one atomic increment) before it is judged, so however
 * many arrive at once at most `threshold` are judged before the block: checking first and
 * counting after the verdict would let every concurrent attempt through.
 */
export function accountLockout(state: ShortLivedState, policy: LockoutPolicy) {
  const subject = (orgId: string, email: string) => `${orgId}:${email.toLowerCase()}`;
  const ttlMs = policy.blockSeconds * 1000;
  return {
    /** A place for an attempt to be judged, or undefined when the account is blocked. */
    async admit(orgId: string, email: string): Promise<JudgedAttempt | undefined> {
      const key = subject(orgId, email);
      if ((await state.get(`blocked:${key}`)) !== undefined) return undefined;
      // The counter lives `blockSeconds` from its first attempt; a block set later outlives it.
      const place = await state.increment(`attempts:${key}`, ttlMs);
      return place > policy.threshold ? undefined : { place };
    },
    /** The attempt failed on its credentials: it keeps its place; true when this one blocks the account. */
    async failed(orgId: string, email: string, attempt: JudgedAttempt): Promise<boolean> {
      if (attempt.place < policy.threshold) return false;
      await state.set(`blocked:${subject(orgId, email)}`, "1", ttlMs);
      return true;
    },
    /** The attempt ended without a verdict on the credentials (a provider outage, a malformed request): its place is given back. */
    async withdrawn(orgId: string, email: string): Promise<void> {
      await state.increment(`attempts:${subject(orgId, email)}`, ttlMs, -1);
    },
    /** A success: the count of consecutive failures starts again. */
    async reset(orgId: string, email: string): Promise<void> {
      await state.delete(`attempts:${subject(orgId, email)}`);
    },
  };
}

export type AccountLockout = ReturnType<typeof accountLockout>;
