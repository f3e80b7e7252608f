// Errors of a call that got no answer from the service: refused, reset, timed out or aborted.
import { defineDetails, isRecord, PipeshubError } from "./error-base.ts";

/**
 * Error codes (Node's system errors and undici's) that mean the connection was never opened,
 * so no byte of the request reached the server: refused, no such host, DNS unavailable,
 * connect timeout. A reset (`ECONNRESET`, `UND_ERR_SOCKET`) may come after the request was sent.
 */
export const CONNECT_FAILURE_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);

/** No HTTP response arrived: the connection was refused, dropped, or could not be set up. `cause` holds the fetch error. */
export class ConnectionError extends PipeshubError {
  override name = "ConnectionError";
  /**
   * The first error code in the `cause` chain, e.g. `"ECONNREFUSED"`, `"ECONNRESET"`,
   * `"UND_ERR_SOCKET"`; `undefined` when the fetch error carries none (as in browsers).
   */
  declare readonly code: string | undefined;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    defineDetails(this, { code: codeInCauses(options?.cause) });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), code: this.code };
  }

  /** True when the connection could not be opened ({@link CONNECT_FAILURE_CODES}): the request provably never reached the server. */
  get connectFailed(): boolean {
    return this.code !== undefined && CONNECT_FAILURE_CODES.has(this.code);
  }
}

/** One attempt took longer than `timeoutMs`. Under `backoff`, an idempotent call retries it as a connection error. */
export class RequestTimeoutError extends PipeshubError {
  override name = "RequestTimeoutError";
  /** The per-attempt limit that elapsed. */
  declare readonly timeoutMs: number;

  constructor(timeoutMs: number, options?: ErrorOptions) {
    super(`Request timed out after ${timeoutMs} ms`, options);
    defineDetails(this, { timeoutMs });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs };
  }
}

/** The caller's `AbortSignal` fired; `cause` is the signal's reason. Never retried. */
export class RequestAbortedError extends PipeshubError {
  override name = "RequestAbortedError";
}

/** The first string `code` along `error.cause.cause…` (fetch wraps the socket error in a `TypeError`). */
function codeInCauses(error: unknown): string | undefined {
  for (let depth = 0; depth < 8 && isRecord(error); depth++) {
    if (typeof error.code === "string") return error.code;
    error = error.cause;
  }
  return undefined;
}
