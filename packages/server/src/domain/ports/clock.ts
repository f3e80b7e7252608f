/**
 * Time as the service reads it and waits on it: the caches, discovery, the ID-token checks and
 * the provider watch take a `Clock`, so tests move time instead of sleeping through it.
 */
export interface Clock {
  /** Milliseconds since the epoch, as `Date.now()`. */
  now(): number;
  /** Calls `fn` once after `ms`; a background timer never keeps the process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** A pending timer of a `Clock`, known only to the clock that made it. */
export type TimerHandle = { readonly timer: unknown };

/** The wall clock and Node's timers (unref'd: background work, not a reason to stay up). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return { timer };
  },
  clearTimeout(handle) {
    clearTimeout(handle.timer as ReturnType<typeof setTimeout>);
  },
};

/** The system clock's timers read by another `now` (the service's `AppOptions.now`). */
export const clockReading = (now: (() => number) | undefined): Clock => (now ? { ...systemClock, now } : systemClock);
