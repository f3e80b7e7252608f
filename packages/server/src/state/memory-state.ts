import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";

/**
 * The embedded default: one process's memory, expired entries dropped on access and by a sweep.
 * Only for a single instance; several share Redis (redis-state.ts).
 */
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
    async increment(key, ttlMs, by = 1) {
      // No await between the read and the write: one step, as Redis's script is.
      const entry = live(key);
      const count = (entry ? Number(entry.value) : 0) + by;
      if (count <= 0) {
        entries.delete(key);
        return 0;
      }
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
