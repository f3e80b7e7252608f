/** Where a breaker stands: every call goes through, none does, or one probe at a time does. */
export type BreakerState = "closed" | "open" | "half-open";

/**
 * A circuit breaker for one backend (the database, Redis). Once a call to the backend timed out
 * or found no connection, the backend is not asked again for `openMs`: the calls that would have
 * waited their own full deadline fail at once instead, so a request waits for at most one
 * deadline however many calls it makes. After `openMs` one call goes through as a probe; its
 * answer closes the breaker, its failure opens it again.
 */
export interface Breaker {
  /** Whether a call may go to the backend now. While half-open, true for the probe only: report its outcome. */
  allow(): boolean;
  /** The backend answered (an answer that is an error of the call, not of the backend, counts too). */
  succeeded(): void;
  /** The backend did not answer in time, or could not be reached (`cause`: the driver's error, for the log). */
  failed(cause?: unknown): void;
  readonly state: BreakerState;
}

export interface BreakerOptions {
  /** How long the backend is left alone after a failure (default one second). */
  readonly openMs?: number;
  /**
   * How long a probe may stay unanswered before another is let through: past the backend's own
   * deadline its outcome is lost, not pending (default `openMs`).
   */
  readonly probeMs?: number;
  /** The clock (tests inject one). */
  readonly now?: () => number;
  /** Told when a failure opens the closed breaker (not at every failure while open): for the log. */
  readonly onOpen?: (cause: unknown) => void;
  /** Told when an answer closes it again. */
  readonly onClose?: () => void;
}

export function createBreaker(options: BreakerOptions = {}): Breaker {
  const openMs = options.openMs ?? 1000;
  const probeMs = options.probeMs ?? openMs;
  const now = options.now ?? Date.now;
  /** When it last failed; undefined while closed. */
  let failedAt: number | undefined;
  /** When the probe in flight was let through. */
  let probeAt: number | undefined;
  return {
    get state(): BreakerState {
      if (failedAt === undefined) return "closed";
      return now() - failedAt < openMs ? "open" : "half-open";
    },
    allow() {
      if (failedAt === undefined) return true;
      const t = now();
      if (t - failedAt < openMs) return false;
      if (probeAt !== undefined && t - probeAt < probeMs) return false;
      probeAt = t;
      return true;
    },
    succeeded() {
      const wasOpen = failedAt !== undefined;
      failedAt = undefined;
      probeAt = undefined;
      if (wasOpen) options.onClose?.();
    },
    failed(cause) {
      const wasClosed = failedAt === undefined;
      failedAt = now();
      probeAt = undefined;
      if (wasClosed) options.onOpen?.(cause);
    },
  };
}

/** The cause a refused call carries (for the log): the backend was not asked at all. */
export function notAskedAgainYet(backend: string): Error {
  return new Error(`${backend} did not answer a moment ago and is not asked again yet (circuit breaker open)`);
}
