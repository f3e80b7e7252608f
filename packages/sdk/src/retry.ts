/**
 * Retry policy: which failures are worth another attempt, and how long to wait before it.
 *
 * Both decisions are pure functions ({@link shouldRetry}, {@link retryDelay},
 * {@link parseRetryAfter}) so they can be tested without a network; the transport only
 * wires them into its attempt loop.
 *
 * Clients do not retry unless asked to ({@link DEFAULT_RETRY_CONFIG} is `none`): a failure
 * then surfaces at once, and the caller, who knows what the call was for, decides.
 */
import { APIError, ConnectionError, RequestTimeoutError } from "./errors.ts";

/**
 * Exponential backoff parameters, all in milliseconds (the seed's `BackoffStrategy`).
 */
export interface BackoffStrategy {
  /** Delay before the first retry. */
  initialInterval: number;
  /** Upper bound of any single delay; a `Retry-After` asking for longer ends the retries. */
  maxInterval: number;
  /** Growth factor between consecutive delays. */
  exponent: number;
  /** Total time budget, measured from the start of the first attempt; no retry starts after it. */
  maxElapsedTime: number;
}

/**
 * How a request is retried (the seed's `RetryConfig`). Set it on the client
 * (`retryConfig`) or per call (`retries`); the per-call value wins, as a whole.
 */
export type RetryConfig =
  | { strategy: "none" }
  | {
      strategy: "backoff";
      /** Defaults to {@link DEFAULT_BACKOFF}. */
      backoff?: BackoffStrategy;
      /**
       * Also retry when no HTTP response arrived: a refused or dropped connection, or a
       * per-attempt `timeoutMs` that elapsed. Defaults to `true`. Operations that are not
       * idempotent only ever retry a connection that could not be opened (see {@link shouldRetry}).
       */
      retryConnectionErrors?: boolean;
    };

/**
 * The backoff of `{ strategy: "backoff" }` without `backoff`: 0.5 s, ×1.5 per attempt, at most
 * 5 s apart, and no retry starting after 30 s — long enough to ride out a restart or a
 * failover, short enough that a user waiting on a sign-in page gets an answer.
 */
export const DEFAULT_BACKOFF: Readonly<BackoffStrategy> = Object.freeze({
  initialInterval: 500,
  maxInterval: 5_000,
  exponent: 1.5,
  maxElapsedTime: 30_000,
});

/** The default retry policy of a client: one attempt, as in the generated PipesHub SDK. */
export const DEFAULT_RETRY_CONFIG: Readonly<RetryConfig> = Object.freeze({ strategy: "none" });

/** What {@link shouldRetry} needs to know about the operation that failed. */
export interface RetriedOperation {
  /**
   * Whether sending the request twice does no more harm than sending it once. `false` for
   * operations that redeem something single-use (an authorization code and its `state`, a
   * refresh token, a sign-in step, a session to end) or create something each time.
   */
  idempotent: boolean;
}

/**
 * HTTP statuses that mean "try again later": 429 (RFC 6585 §4) and the transient 5xx
 * (RFC 9110 §15.6: 500, 502, 503, 504).
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/**
 * Statuses by which a server says it did not process the request (RFC 9110 §15.6.4, RFC 6585
 * §4); with `Retry-After` they are the only answers after which a non-idempotent request is
 * sent again.
 */
export const NOT_PROCESSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Share of a computed backoff delay that is randomised (±25 %), to spread out retry storms. */
export const JITTER_RATIO = 0.25;

/**
 * Whether a failed attempt should be retried under `config`, judging by the error and the
 * operation (the time budget is {@link retryDelay}'s concern).
 *
 * - `strategy: "none"` never retries.
 * - An idempotent operation retries an {@link APIError} whose status is in
 *   {@link RETRYABLE_STATUSES}, and a {@link ConnectionError} or {@link RequestTimeoutError}
 *   (a per-attempt `timeoutMs`) when `retryConnectionErrors` is not `false`.
 * - A non-idempotent operation retries only when the request provably had no effect: a
 *   {@link ConnectionError} whose connection could not be opened
 *   ({@link ConnectionError.connectFailed}, e.g. `ECONNREFUSED`; subject to
 *   `retryConnectionErrors`), or a 429/503 that carries a valid `Retry-After`. A 5xx, a reset
 *   or a timeout may come after the server acted, and a replay would then fail on its own
 *   (`INVALID_STATE`, a refresh token treated as stolen).
 * - Anything else (the caller's abort, a malformed 2xx body, other 4xx, programming errors)
 *   is final.
 */
export function shouldRetry(error: unknown, config: RetryConfig, operation: RetriedOperation): boolean {
  if (config.strategy !== "backoff") return false;
  if (error instanceof APIError) {
    if (!RETRYABLE_STATUSES.has(error.statusCode)) return false;
    if (operation.idempotent) return true;
    return NOT_PROCESSED_STATUSES.has(error.statusCode) && parseRetryAfter(error.headers.get("retry-after"), 0) !== undefined;
  }
  if (error instanceof ConnectionError) {
    if (config.retryConnectionErrors === false) return false;
    return operation.idempotent || error.connectFailed;
  }
  if (error instanceof RequestTimeoutError) {
    return operation.idempotent && config.retryConnectionErrors !== false;
  }
  return false;
}

/** Input of {@link retryDelay}. */
export interface RetryDelayInput {
  /** How many attempts have been made so far (1 after the first failure). */
  attempt: number;
  backoff: BackoffStrategy;
  /** Milliseconds since the first attempt started. */
  elapsedMs: number;
  /** The server's `Retry-After`, already parsed by {@link parseRetryAfter}, if any. */
  retryAfterMs?: number | undefined;
  /** A number in [0, 1), e.g. `Math.random()`; passed in to keep this function pure. */
  random: number;
}

/**
 * The delay before the next attempt, or `undefined` to stop retrying.
 *
 * Without a server hint the delay is `initialInterval × exponent^(attempt−1)`, capped at
 * `maxInterval`, with ±{@link JITTER_RATIO} jitter (never above `maxInterval`). A
 * `Retry-After` hint (RFC 9110 §10.2.3) is used as given, without jitter. If it is longer than
 * `maxInterval`, or waiting would end past `maxElapsedTime`, the answer is `undefined`: the
 * SDK never retries earlier than the server asked, and never waits longer than configured.
 */
export function retryDelay(input: RetryDelayInput): number | undefined {
  const { attempt, backoff, elapsedMs, retryAfterMs, random } = input;
  let delay: number;
  if (retryAfterMs !== undefined) {
    if (retryAfterMs > backoff.maxInterval) return undefined;
    delay = Math.max(0, retryAfterMs);
  } else {
    const base = Math.min(backoff.initialInterval * backoff.exponent ** Math.max(0, attempt - 1), backoff.maxInterval);
    const jitter = 1 + (2 * random - 1) * JITTER_RATIO;
    delay = Math.min(Math.round(base * jitter), backoff.maxInterval);
  }
  if (elapsedMs + delay > backoff.maxElapsedTime) return undefined;
  return delay;
}

/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date.
 * Returns milliseconds from `nowMs` (never negative), or `undefined` when absent or invalid.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names the day or month; this keeps Date.parse's lenient guessing
  // from turning values like "1.5" into a date.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** The effective policy of one call: the per-call config if given, else the client's, else the default. */
export function resolveRetryConfig(perCall: RetryConfig | undefined, client: RetryConfig | undefined): RetryConfig {
  return perCall ?? client ?? DEFAULT_RETRY_CONFIG;
}
