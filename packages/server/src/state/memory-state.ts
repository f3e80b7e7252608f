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
    async takeIfBound(key, bindings) {
      // Synchronous from read to delete: no other caller can interleave.
      const entry = live(key);
      if (!entry) return { kind: "absent" };
      const binding = (JSON.parse(entry.value) as { binding?: unknown }).binding;
      if (typeof binding !== "string" || !bindings.includes(binding)) return { kind: "refused" };
      entries.delete(key);
      return { kind: "taken", value: entry.value };
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
