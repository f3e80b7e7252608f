/**
 * The transport: builds requests, runs attempts under the retry policy, turns every
 * failure into a `PipeshubError` and hands a checked body to the operation.
 * Works wherever a WHATWG `fetch` exists (Node >= 20, browsers, workers).
 */
import {
  APIError,
  ConnectionError,
  PipeshubError,
  RequestAbortedError,
  RequestTimeoutError,
  ResponseValidationError,
  errorFromResponse,
} from "./errors.ts";
import { DEFAULT_BACKOFF, parseRetryAfter, resolveRetryConfig, retryDelay, shouldRetry, type RetryConfig } from "./retry.ts";
import { ShapeError } from "./schema-check.ts";

/** The subset of `fetch` the SDK calls; `globalThis.fetch` fits, and so does any compatible function. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Options every operation accepts as its last argument. */
export interface RequestOptions {
  /** Overrides the client's `retryConfig` for this call (as a whole). */
  retries?: RetryConfig;
  /** Per-attempt time limit in milliseconds (`Infinity`: none); overrides the client's `timeoutMs`. */
  timeoutMs?: number;
  /** Aborts the call (including a pending retry delay) with a {@link RequestAbortedError}. */
  signal?: AbortSignal;
  /** Extra request headers for this call. */
  headers?: Record<string, string>;
}

/** Settings the transport takes from the client. */
export interface TransportConfig {
  serverURL: string;
  fetch: FetchLike;
  userAgent: string;
  headers: Record<string, string>;
  retryConfig: RetryConfig | undefined;
  timeoutMs: number;
}

/** One HTTP call as an operation describes it. */
export interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path below `serverURL`, starting with `/`; path parameters already encoded. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON when present. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Whether sending this request twice does no more harm than sending it once. Required, so
   * that every operation decides: when `false`, the transport retries only what provably had
   * no effect (see `shouldRetry`).
   */
  idempotent: boolean;
}

/** A 2xx response with its body read as text. */
export interface RawResponse {
  response: Response;
  text: string;
}

/** Turns a successful response into the operation's result; throw a `ShapeError` if it is malformed. */
export type Decoder<T> = (raw: RawResponse) => T;

/** Runs {@link RequestSpec}s against one server. */
export class Transport {
  readonly #config: TransportConfig;

  constructor(config: TransportConfig) {
    this.#config = config;
  }

  /**
   * Sends `spec`, retrying per the effective retry policy, and decodes the 2xx body.
   * Every failure is a `PipeshubError`; a decoding failure is a {@link ResponseValidationError}.
   */
  async request<T>(spec: RequestSpec, options: RequestOptions | undefined, decode: Decoder<T>): Promise<T> {
    try {
      const raw = await this.#withRetries(spec, options ?? {});
      return decodeChecked(spec, raw, decode);
    } catch (error) {
      // Restart the trace at the caller's await: the SDK's own frames say nothing about
      // which call failed, and they would push the caller's line out of a short trace.
      if (error instanceof PipeshubError) captureStackTrace?.(error, this.request);
      throw error;
    }
  }

  async #withRetries(spec: RequestSpec, options: RequestOptions): Promise<RawResponse> {
    if (options.timeoutMs !== undefined) checkTimeout(options.timeoutMs);
    const config = resolveRetryConfig(options.retries, this.#config.retryConfig);
    const backoff = config.strategy === "backoff" ? (config.backoff ?? DEFAULT_BACKOFF) : DEFAULT_BACKOFF;
    const url = this.#url(spec);
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(url, spec, options);
      } catch (error) {
        if (!shouldRetry(error, config, { idempotent: spec.idempotent })) throw error;
        const delay = retryDelay({
          attempt,
          backoff,
          elapsedMs: performance.now() - started,
          retryAfterMs: error instanceof APIError ? parseRetryAfter(error.headers.get("retry-after"), Date.now()) : undefined,
          random: Math.random(),
        });
        if (delay === undefined) throw error;
        await sleep(delay, options.signal);
      }
    }
  }

  /** One attempt: fetch and read the body under the per-attempt timeout and the caller's signal. */
  async #attempt(url: string, spec: RequestSpec, options: RequestOptions): Promise<RawResponse> {
    const { signal } = options;
    if (signal?.aborted) throw aborted(signal);
    // Built before fetch so an invalid header value (e.g. a token with a newline) throws
    // a plain TypeError instead of passing for a retryable connection error.
    const init: RequestInit = { method: spec.method, headers: this.#headers(spec, options) };
    if (spec.body !== undefined) init.body = JSON.stringify(spec.body);

    const timeoutMs = options.timeoutMs ?? this.#config.timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer =
      timeoutMs === Infinity
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    init.signal = controller.signal;

    let response: Response;
    let text: string;
    try {
      response = await this.#config.fetch(url, init);
      text = await response.text();
    } catch (cause) {
      if (signal?.aborted) throw aborted(signal);
      if (timedOut) throw new RequestTimeoutError(timeoutMs, { cause });
      throw new ConnectionError(`Could not complete ${spec.method} ${url}: ${messageOf(cause)}`, { cause });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
    if (!response.ok) throw errorFromResponse(response, text);
    return { response, text };
  }

  #url(spec: RequestSpec): string {
    const url = new URL(this.#config.serverURL.replace(/\/+$/, "") + spec.path);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  #headers(spec: RequestSpec, options: RequestOptions): Headers {
    const headers = new Headers({ accept: "application/json", "user-agent": this.#config.userAgent });
    if (spec.body !== undefined) headers.set("content-type", "application/json");
    for (const extra of [this.#config.headers, options.headers, spec.headers]) {
      for (const [name, value] of Object.entries(extra ?? {})) headers.set(name, value);
    }
    return headers;
  }
}

/** The longest delay `setTimeout` honours; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Throws a `TypeError` unless `timeoutMs` is a usable time limit: positive, at most ~24.8 days, or `Infinity`. */
export function checkTimeout(timeoutMs: number): void {
  if (timeoutMs === Infinity || (timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) return;
  throw new TypeError(`timeoutMs must be a positive number of milliseconds up to ${MAX_TIMER_MS}, or Infinity; got ${timeoutMs}`);
}

/** Runs `decode`, turning a `ShapeError` into a {@link ResponseValidationError}. */
function decodeChecked<T>(spec: RequestSpec, raw: RawResponse, decode: Decoder<T>): T {
  try {
    return decode(raw);
  } catch (cause) {
    if (!(cause instanceof ShapeError)) throw cause;
    throw new ResponseValidationError({
      message: `Unexpected response from ${spec.method} ${spec.path}: ${cause.message}`,
      response: raw.response,
      body: raw.text,
      cause,
    });
  }
}

/** V8's `Error.captureStackTrace` (Node, Chromium); absent elsewhere, where traces stay as they are. */
const captureStackTrace = (Error as { captureStackTrace?: (target: object, below?: (...args: never[]) => unknown) => void })
  .captureStackTrace;

/** Parses a 2xx body as JSON; a body that is not JSON is a `ShapeError`. */
export function parseJson(raw: RawResponse): unknown {
  try {
    return JSON.parse(raw.text);
  } catch {
    throw new ShapeError(`body is not valid JSON (${raw.text.length === 0 ? "empty" : `${raw.text.length} bytes`})`);
  }
}

/** Encodes one path segment. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

function aborted(signal: AbortSignal): RequestAbortedError {
  return new RequestAbortedError("Request aborted by the caller's signal", { cause: signal.reason });
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** Waits `ms`, or rejects with a {@link RequestAbortedError} as soon as `signal` fires. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(aborted(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
