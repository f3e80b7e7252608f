import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";

/** Default cap on entries: about 100 MB of pending sign-ins at worst. */
export const DEFAULT_MAX_ENTRIES = 100_000;

/**
 * The embedded default: one process's memory, expired entries dropped on access and by a sweep.
 * Only for a single instance; several share Redis (redis-state.ts).
 *
 * Bounded: beyond `maxEntries` (sessions anyone can start with `initAuth`, authorization
 * requests, counters) expired entries are swept and, if that is not enough, the oldest written
 * are dropped, so a flood of unauthenticated calls costs pending sign-ins, never the process.
 */
export function createMemoryState(
  now: () => number = Date.now,
  options: { maxEntries?: number } = {},
): ShortLivedState & { readonly size: number } {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const entries = new Map<string, { value: string; expires: number }>();
  let lastFullSweep = 0;
  const sweepExpired = () => {
    const t = now();
    lastFullSweep = t;
    for (const [key, entry] of entries) if (entry.expires <= t) entries.delete(key);
  };
  /** Makes room for one more entry: expired ones first (at most once a second), then the oldest written. */
  const makeRoom = (key: string) => {
    if (entries.size < maxEntries || entries.has(key)) return;
    if (now() - lastFullSweep >= 1000) sweepExpired();
    // A Map iterates in insertion order: its first keys are the oldest written.
    for (const oldest of entries.keys()) {
      if (entries.size < maxEntries) break;
      entries.delete(oldest);
    }
  };
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expires <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const sweep = setInterval(sweepExpired, 60_000);
  sweep.unref();
  return {
    async set(key, value, ttlMs) {
      makeRoom(key);
      // Re-inserted, a rewritten entry counts as the newest.
      entries.delete(key);
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
    async increment(key, ttlMs, by = 1) {
      // No await between the read and the write: one step, as Redis's script is.
      const entry = live(key);
      const count = (entry ? Number(entry.value) : 0) + by;
      if (count <= 0) {
        entries.delete(key);
        return 0;
      }
      makeRoom(key);
      entries.set(key, { value: String(count), expires: entry?.expires ?? now() + ttlMs });
      return count;
    },
    async ping() {},
    get size() {
      return entries.size;
    },
    async close() {
      clearInterval(sweep);
      entries.clear();
    },
  };
}
