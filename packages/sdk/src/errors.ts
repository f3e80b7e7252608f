/**
 * Every error the SDK throws for a failed call is a {@link PipeshubError}:
 *
 * | class | when |
 * | --- | --- |
 * | {@link AuthError} | the service answered HTTP 400 |
 * | {@link AuthenticationError} | HTTP 401 (a {@link PipeshubDefaultError}, as are the next five) |
 * | {@link PermissionError} | HTTP 403 |
 * | {@link NotFoundError} | HTTP 404 |
 * | {@link ConflictError} | HTTP 409 |
 * | {@link RateLimitError} | HTTP 429 |
 * | {@link ServiceUnavailableError} | HTTP 503 |
 * | {@link PipeshubDefaultError} | any other non-2xx answer |
 * | {@link ResponseValidationError} | a 2xx answer whose body is not what the API promises |
 * | {@link ConnectionError} | no answer: connection refused, reset, DNS, TLS… |
 * | {@link RequestTimeoutError} | `timeoutMs` elapsed for one attempt |
 * | {@link RequestAbortedError} | the caller's `AbortSignal` fired |
 *
 * Each prints as one line, `AuthError: 400 INVALID_STATE: <the service's message>`, followed
 * by its stack. The details (status, identifiers, headers, body, the raw `Response`) are
 * properties, but not enumerable ones, so that `console.log(err)` and an uncaught throw do
 * not dump them; `JSON.stringify(err)` gives the short ones ({@link PipeshubError.toJSON}).
 */

import { defineDetails, isRecord, PipeshubError } from "./error-base.ts";
import type { components } from "./generated/api.ts";

export { PipeshubError } from "./error-base.ts";
export { CONNECT_FAILURE_CODES, ConnectionError, RequestAbortedError, RequestTimeoutError } from "./transport-errors.ts";

/** The service's failure identifiers (an error body's `error`), as its /openapi.json lists them. */
export type FailureId = components["schemas"]["AuthError"]["error"];

/** Fields shared by errors that carry an HTTP response. */
export interface HTTPErrorInit {
  message: string;
  response: Response;
  body: string;
  cause?: unknown;
}

/** The parts of the wire error body (`{ error, message, code, statusCode }`) a program uses. */
interface ErrorBodyFields {
  error: FailureId | undefined;
  code: string | undefined;
  message: string | undefined;
}

/**
 * The service answered with a non-2xx status. Carries the wire error's fields and the raw
 * HTTP exchange. Use its subclasses in `catch` clauses: {@link AuthError} (400) and
 * {@link PipeshubDefaultError} (every other 4xx/5xx).
 */
export class APIError extends PipeshubError {
  override name = "APIError";
  /** The HTTP status of the response. */
  declare readonly statusCode: number;
  /** Stable identifier to switch on, e.g. `"INVALID_GRANT"`; `undefined` if the body was not the service's JSON. */
  declare readonly error: FailureId | undefined;
  /** Machine-readable class of the failure, e.g. `"HTTP_BAD_REQUEST"`; `undefined` like {@link APIError.error}. */
  declare readonly code: string | undefined;
  /**
   * The service's own words, written for a person (the body's `message`); `undefined` if the
   * body was not the service's JSON. `message` is this with the status and `error` in front.
   */
  declare readonly serviceMessage: string | undefined;
  /** The response body as text, exactly as received (it may be HTML from a proxy). */
  declare readonly body: string;
  /** The response (its body already consumed: use {@link APIError.body}). */
  declare readonly response: Response;
  /** The response headers. */
  declare readonly headers: Headers;
  /** The `x-request-id` response header, to quote when reporting a problem. */
  declare readonly requestId: string | undefined;

  constructor(init: Omit<HTTPErrorInit, "message">) {
    const fields = parseErrorBody(init.body);
    super(summaryLine(init.response, fields), init.cause === undefined ? undefined : { cause: init.cause });
    defineDetails(this, {
      statusCode: init.response.status,
      error: fields.error,
      code: fields.code,
      serviceMessage: fields.message,
      body: init.body,
      response: init.response,
      headers: init.response.headers,
      requestId: init.response.headers.get("x-request-id") ?? undefined,
    });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), statusCode: this.statusCode, error: this.error, code: this.code, requestId: this.requestId };
  }
}

/** HTTP 400: the request was refused, e.g. `INVALID_GRANT`, `REDIRECT_URI_MISMATCH`, `VALIDATION_ERROR`. */
export class AuthError extends APIError {
  override name = "AuthError";
}

/**
 * Any non-2xx answer other than 400, whatever its content type. The statuses a program commonly
 * tells apart have subclasses (401, 403, 404, 409, 429, 503), so `catch` clauses written for
 * this class keep catching them.
 */
export class PipeshubDefaultError extends APIError {
  override name = "PipeshubDefaultError";
}

/** HTTP 401: the credential is missing, wrong or no longer valid (e.g. `INVALID_TOKEN`, `UNAUTHORIZED`, `EMAIL_MISMATCH`). */
export class AuthenticationError extends PipeshubDefaultError {
  override name = "AuthenticationError";
}

/** HTTP 403: the credential is valid but may not do this (e.g. `FORBIDDEN`, `USER_DISABLED`). */
export class PermissionError extends PipeshubDefaultError {
  override name = "PermissionError";
}

/** HTTP 404: no such organisation, provider, user… (e.g. `NOT_FOUND`, `ORG_NOT_FOUND`). */
export class NotFoundError extends PipeshubDefaultError {
  override name = "NotFoundError";
}

/** HTTP 409: the request conflicts with what is stored (e.g. `CONFLICT`). */
export class ConflictError extends PipeshubDefaultError {
  override name = "ConflictError";
}

/** HTTP 429: too many requests. Retried under `backoff`, after the `Retry-After` it carries. */
export class RateLimitError extends PipeshubDefaultError {
  override name = "RateLimitError";
}

/** HTTP 503: the service (or a backend it needs) is unavailable for now; worth retrying later. */
export class ServiceUnavailableError extends PipeshubDefaultError {
  override name = "ServiceUnavailableError";
}

/** The error class of each status that has its own; any other non-400 status is a {@link PipeshubDefaultError}. */
const ERROR_BY_STATUS: ReadonlyMap<number, new (init: Omit<HTTPErrorInit, "message">) => PipeshubDefaultError> = new Map([
  [401, AuthenticationError],
  [403, PermissionError],
  [404, NotFoundError],
  [409, ConflictError],
  [429, RateLimitError],
  [503, ServiceUnavailableError],
]);

/** A 2xx answer whose body is malformed or lacks what the API promises. Never retried. */
export class ResponseValidationError extends PipeshubError {
  override name = "ResponseValidationError";
  declare readonly statusCode: number;
  /** The response body as text, exactly as received. */
  declare readonly body: string;
  declare readonly response: Response;
  declare readonly headers: Headers;
  declare readonly requestId: string | undefined;

  constructor(init: HTTPErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    defineDetails(this, {
      statusCode: init.response.status,
      body: init.body,
      response: init.response,
      headers: init.response.headers,
      requestId: init.response.headers.get("x-request-id") ?? undefined,
    });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), statusCode: this.statusCode, requestId: this.requestId };
  }
}

/**
 * Maps a non-2xx response to its error class: 400 → {@link AuthError}, a status of
 * ERROR_BY_STATUS → its class, anything else → {@link PipeshubDefaultError}.
 */
export function errorFromResponse(response: Response, body: string): APIError {
  const init = { response, body };
  if (response.status === 400) return new AuthError(init);
  const ErrorClass = ERROR_BY_STATUS.get(response.status) ?? PipeshubDefaultError;
  return new ErrorClass(init);
}

/**
 * Reads `{ error, message, code }` from an error body. Also understands the OpenAPI file's
 * envelope `{ error: { code, message } }`. Anything else yields no fields.
 */
function parseErrorBody(body: string): ErrorBodyFields {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { error: undefined, code: undefined, message: undefined };
  }
  if (!isRecord(value)) return { error: undefined, code: undefined, message: undefined };
  if (isRecord(value.error)) {
    const code = stringOrUndefined(value.error.code);
    return { error: code as FailureId | undefined, code, message: stringOrUndefined(value.error.message) };
  }
  return {
    // The service's own id; typed as the ids it documents (an older or newer service may name another).
    error: stringOrUndefined(value.error) as FailureId | undefined,
    code: stringOrUndefined(value.code),
    message: stringOrUndefined(value.message),
  };
}

/**
 * The one-line summary an {@link APIError} uses as its `message`: the status, the error
 * identifier when the body names one, then the service's message, e.g.
 * `400 INVALID_STATE: This sign-in attempt is unknown, expired or already used. Start again.`
 * Without the service's JSON it falls back to the status text: `502 Bad Gateway`.
 */
function summaryLine(response: Response, fields: ErrorBodyFields): string {
  const head = fields.error
    ? `${response.status} ${fields.error}`
    : `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  // One line, whatever the body held.
  const text = fields.message?.replace(/\s+/g, " ").trim();
  return text ? `${head}: ${text}` : head;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
