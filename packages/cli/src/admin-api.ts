import { CliError, EXIT, ServiceError, UnreachableError } from "./errors.ts";
import { type Admin, APIError, ConnectionError, Pipeshub, RequestTimeoutError, ResponseValidationError } from "pipeshub";

/** Deadline of each request; a provider check can take the service's outbound timeout twice. */
const TIMEOUT_MS = 60_000;
const USER_AGENT = "pipeshub-auth-cli";

/** A connection lost after the service started answering: it was reached, unlike ConnectionError's other causes. */
class AnswerCutOffError extends Error {
  override name = "AnswerCutOffError";
}

/**
 * The fetch the SDK is given: redirects are not followed (the admin token goes to the URL
 * named and nowhere else), and the body is read here so that a connection lost while reading
 * the answer is told apart from a service that cannot be reached.
 */
async function fetchWithoutRedirects(input: string, init: RequestInit): Promise<Response> {
  const response = await fetch(input, { ...init, redirect: "manual" });
  let body: ArrayBuffer;
  try {
    body = await response.arrayBuffer();
  } catch (error) {
    throw new AnswerCutOffError("the answer broke off", { cause: error });
  }
  const { status, statusText, headers } = response;
  // 204 and 304 answers must be rebuilt without a body, even an empty one.
  return new Response(body.byteLength === 0 ? null : body, { status, statusText, headers });
}

/** The SDK's admin API of the service at `serviceUrl`. One attempt per command: a person (or script) decides about retrying. */
export function adminApi(serviceUrl: string, adminToken: string): Admin {
  return new Pipeshub({
    serverURL: serviceUrl,
    adminToken,
    userAgent: USER_AGENT,
    timeoutMs: TIMEOUT_MS,
    retryConfig: { strategy: "none" },
    fetch: fetchWithoutRedirects,
  }).admin;
}

/** Why a request failed, in words: the network error's code when there is one (ECONNREFUSED, ENOTFOUND…). */
function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** An SDK failure as the CLI's error with its exit code and message; anything else unchanged. */
export function asCliError(error: unknown, serviceUrl: string): unknown {
  if (error instanceof APIError) {
    const { statusCode, response } = error;
    if (error.error !== undefined) return new ServiceError(statusCode, error.error, error.serviceMessage ?? error.message);
    // Not an AuthError: something else answers at this address (a proxy, another service).
    return new ServiceError(
      statusCode,
      `HTTP_${statusCode}`,
      `${serviceUrl} answered ${statusCode} ${response.statusText} without an AuthError body; is --url the pipeshub-auth service?`,
    );
  }
  if (error instanceof RequestTimeoutError) {
    return new UnreachableError(`the service at ${serviceUrl} did not answer within ${Math.round(error.timeoutMs / 1000)} s`);
  }
  if (error instanceof ConnectionError) {
    // The SDK's ConnectionError wraps what fetch threw; its cause says why.
    const failure = error.cause;
    if (failure instanceof AnswerCutOffError) {
      return new UnreachableError(`the connection to ${serviceUrl} broke off while reading the answer (${reason(failure.cause)})`);
    }
    return new UnreachableError(`cannot reach the service at ${serviceUrl} (${reason(failure)})`);
  }
  if (error instanceof ResponseValidationError) {
    return new CliError(
      EXIT.SERVICE_ERROR,
      `${serviceUrl} answered ${error.statusCode} with a body the admin API does not send (${error.message}); is --url the pipeshub-auth service?`,
    );
  }
  return error;
}
