import { BackendUnavailableError } from "../domain/backend-unavailable.ts";

/** A count in a fixed window and the window's milliseconds left (the shape @fastify/rate-limit's stores answer). */
export interface WindowCount {
  readonly current: number;
  readonly ttl: number;
}

/** Counters every instance shares (Redis); `BackendUnavailableError` when they cannot be reached or are not being asked. */
export interface SharedWindowCounters {
  count(key: string, windowMs: number): Promise<WindowCount>;
}

/** Counters kept when there are no more keys than this: an address flood during an outage costs old counts, never the process. */
const MAX_LOCAL_COUNTERS = 10_000;

/** Fixed windows in this process's memory, bounded: the oldest windows go first. */
export function localWindowCounters(now: () => number = Date.now, maxEntries = MAX_LOCAL_COUNTERS) {
  const windows = new Map<string, { current: number; endsAt: number }>();
  return {
    count(key: string, windowMs: number): WindowCount {
      const t = now();
      let window = windows.get(key);
      if (window === undefined || window.endsAt <= t) {
        windows.delete(key);
        if (windows.size >= maxEntries) {
          for (const [k, w] of windows) if (w.endsAt <= t) windows.delete(k);
          // A Map iterates in insertion order: its first key is the oldest window.
          if (windows.size >= maxEntries) windows.delete(windows.keys().next().value!);
        }
        window = { current: 0, endsAt: t + windowMs };
        windows.set(key, window);
      }
      window.current++;
      return { current: window.current, ttl: window.endsAt - t };
    },
  };
}

/** The part of @fastify/rate-limit's store contract the limits use. */
interface RateLimitStore {
  incr(key: string, callback: (error: Error | null, result?: WindowCount) => void, timeWindow: number, max: number): void;
  child(): RateLimitStore;
}

/**
 * A store for @fastify/rate-limit (its `store` option) that counts in the shared counters and,
 * while they do not answer (Redis frozen, down, or its breaker open), in this process's memory:
 * each instance then limits on its own rather than waiting for Redis or letting everything through.
 */
export function sharedOrLocalStore(shared: SharedWindowCounters, local = localWindowCounters()): new () => RateLimitStore {
  return class SharedOrLocalStore implements RateLimitStore {
    incr(key: string, callback: (error: Error | null, result?: WindowCount) => void, timeWindow: number): void {
      shared.count(key, timeWindow).then(
        (count) => callback(null, count),
        (error: unknown) => {
          if (error instanceof BackendUnavailableError) callback(null, local.count(key, timeWindow));
          else callback(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }
    // The limits' keys name their endpoint already: one store serves every limiter.
    child(): RateLimitStore {
      return this;
    }
  };
}
