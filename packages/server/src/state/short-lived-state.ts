/**
 * Short-lived shared state: auth sessions, authorization requests (state/PKCE/nonce), lockout
 * counters. In memory for one instance; Redis (redis-state.ts) when several share it.
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

/** The embedded default: one process's memory, expired entries dropped on access and by a sweep. */
export function createMemoryState(now: () => number = Date.now): ShortLivedState {
  const entries = new Map<string, { value: string; expires: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expires <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const sweep = setInterval(() => {
    const t = now();
    for (const [key, entry] of entries) if (entry.expires <= t) entries.delete(key);
  }, 60_000);
  sweep.unref();
  return {
    async set(key, value, ttlMs) {
      entries.set(key, { value, expires: now() + ttlMs });
    },
    async get(key) {
      return live(key)?.value;
    },
    async take(key) {
      const entry = live(key);
      entries.delete(key);
      return entry?.value;
    },
    async delete(key) {
      entries.delete(key);
    },
    async increment(key, ttlMs) {
      const entry = live(key);
      const count = (entry ? Number(entry.value) : 0) + 1;
      entries.set(key, { value: String(count), expires: entry?.expires ?? now() + ttlMs });
      return count;
    },
    async ping() {},
    async close() {
      clearInterval(sweep);
      entries.clear();
    },
  };
}
