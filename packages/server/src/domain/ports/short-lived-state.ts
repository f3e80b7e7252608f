/**
 * Short-lived shared state: auth sessions, authorization requests (state/PKCE/nonce), lockout
 * counters, redeemed-token marks. `state/` keeps it in memory for one instance, or in Redis when
 * several share it.
 */
export interface ShortLivedState {
  set(key: string, value: string, ttlMs: number): Promise<void>;
  get(key: string): Promise<string | undefined>;
  /** Reads and deletes in one atomic step: a single-use record is returned to one caller only. */
  take(key: string): Promise<string | undefined>;
  /**
   * Compare-and-consume: deletes and returns the record (a JSON object) only when its `binding`
   * field is one of `bindings`; a record bound to something else is left for its rightful taker,
   * so whoever presents the wrong binding cannot burn it. Check and delete are one atomic step.
   */
  takeIfBound(key: string, bindings: readonly string[]): Promise<BoundTake>;
  delete(key: string): Promise<void>;
  /**
   * Adds `by` (default 1) to a counter in one atomic step and returns the new count: concurrent
   * callers each see a different count. Its lifetime starts with the first increment; a count
   * brought to zero or below (a negative `by` gives a place back) is removed and reads 0.
   */
  increment(key: string, ttlMs: number, by?: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What a compare-and-consume found: the record (now consumed), none, or one bound to another. */
export type BoundTake = { readonly kind: "taken"; readonly value: string } | { readonly kind: "absent" } | { readonly kind: "refused" };
