/**
 * Retry policy: which failures are worth another attempt, and how long to wait before it.
 *
 * Both decisions are pure functions ({@link shouldRetry}, {@link retryDelay},
 * {@link parseRetryAfter}) so they can be tested without a network; the transport only
 * wires them into its attempt loop.
 */
import { APIError, ConnectionError, RequestTimeoutError } from "./errors.ts";

/**
 * Exponential backoff parameters, all in milliseconds (the seed's `BackoffStrategy`).
 */
export interface BackoffStrategy {
  /** Delay before the first retry. */
  initialInterval: number;
  /** Upper bound of any single delay, including one asked for by `Retry-After`. */
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
       * per-attempt `timeoutMs` that elapsed. Defaults to `true`.
       */
      retryConnectionErrors?: boolean;
    };

/** The default backoff: 0.5 s, ×1.5 per attempt, at most 60 s apart, for at most one hour. */
export const DEFAULT_BACKOFF: Readonly<BackoffStrategy> = Object.freeze({
  initialInterval: 500,
  maxInterval: 60_000,
  exponent: 1.5,
  maxElapsedTime: 3_600_000,
});

/** The default retry policy of a client: backoff, connection errors included. */
export const DEFAULT_RETRY_CONFIG: Readonly<RetryConfig> = Object.freeze({
  strategy: "backoff",
  backoff: DEFAULT_BACKOFF,
  retryConnectionErrors: true,
});

/**
 * HTTP statuses that mean "try again later": 429 (RFC 6585 §4) and the transient 5xx
 * (RFC 9110 §15.6: 500, 502, 503, 504).
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Share of a computed backoff delay that is randomised (±25 %), to spread out retry storms. */
export const JITTER_RATIO = 0.25;

/**
 * Whether a failed attempt should be retried under `config`, judging by the error alone
 * (the time budget is {@link retryDelay}'s concern).
 *
 * - `strategy: "none"` never retries.
 * - An {@link APIError} is retried when its status is in {@link RETRYABLE_STATUSES}.
 * - A {@link ConnectionError} or {@link RequestTimeoutError} (a per-attempt `timeoutMs`) is
 *   retried when `retryConnectionErrors` is not `false`.
 * - Anything else (the caller's abort, a malformed 2xx body, other 4xx, programming errors)
 *   is final.
 */
export function shouldRetry(error: unknown, config: RetryConfig): boolean {
  if (config.strategy !== "backoff") return false;
  if (error instanceof APIError) return RETRYABLE_STATUSES.has(error.statusCode);
  if (error instanceof ConnectionError || error instanceof RequestTimeoutError) {
    return config.retryConnectionErrors !== false;
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
 * `Retry-After` hint (RFC 9110 §10.2.3) is used as given, without jitter, capped at
 * `maxInterval`. If waiting that long would end past `maxElapsedTime`, the answer is
 * `undefined`: the SDK never retries earlier than the server asked, and never past the budget.
 */
export function retryDelay(input: RetryDelayInput): number | undefined {
  const { attempt, backoff, elapsedMs, retryAfterMs, random } = input;
  let delay: number;
  if (retryAfterMs !== undefined) {
    delay = Math.min(Math.max(0, retryAfterMs), backoff.maxInterval);
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
