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
  delete(key: string): Promise<void>;
  /** Increments a counter; its lifetime starts with the first increment. Returns the new count. */
  increment(key: string, ttlMs: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
