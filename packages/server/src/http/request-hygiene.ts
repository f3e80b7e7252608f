import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { failure, type Failure } from "../domain/failures.ts";
import { authErrorBody, sendFailure } from "./error-handling.ts";

/**
 * What the HTTP parser's errors are, as AuthError failures: they happen before Fastify has a
 * request (an oversized header block or URL, a malformed request line), so Fastify's
 * `clientErrorHandler` option answers them on the raw socket.
 */
function parserFailure(error: NodeJS.ErrnoException): Failure {
  if (error.code === "HPE_HEADER_OVERFLOW")
    return failure("HEADERS_TOO_LARGE", "The request's URL and headers are too large (at most 16 KiB).");
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") return failure("REQUEST_TIMEOUT", "The request did not arrive in time.");
  return failure("MALFORMED_REQUEST", "The request is not valid HTTP.");
}

/** Fastify's `clientErrorHandler`: the parser's errors as AuthError JSON, then the connection closes. */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const body = authErrorBody(parserFailure(error));
  this.log.debug({ code: error.code }, "unparseable request");
  if (socket.writable) {
    const json = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${body.statusCode} ${STATUS_CODES[body.statusCode]}\r\nContent-Length: ${Buffer.byteLength(json)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy();
}

/** Fastify's `frameworkErrors`: router errors (a badly encoded URL, an over-long parameter) go through the one error handler. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === "FST_ERR_BAD_URL") void sendFailure(reply, failure("MALFORMED_REQUEST", "The request URL is not validly encoded."));
  else if (error.code === "FST_ERR_MAX_PARAM_LENGTH")
    void sendFailure(reply, failure("URI_TOO_LONG", "A path parameter of the request URL is too long."));
  else void sendFailure(reply, failure("MALFORMED_REQUEST", "The request could not be routed.", { detail: error.code }));
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Where a string no database can store hides in a value: a NUL (PostgreSQL refuses it in text)
 * or a lone UTF-16 surrogate (not Unicode at all). Returns the path to the first one.
 */
export function unstorableStringAt(value: unknown, path: string): string | undefined {
  if (typeof value === "string") return value.includes("\0") || LONE_SURROGATE.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = unstorableStringAt(item, `${path}[${i}]`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const found = unstorableStringAt(key, `${path} key`) ?? unstorableStringAt(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Refuses, before validation, every body, query and path parameter holding a string no
 * database can store, so SQLite and PostgreSQL answer the same `400 VALIDATION_ERROR`
 * instead of one engine failing mid-query.
 */
export function refuseUnstorableStrings(app: FastifyInstance): void {
  // A callback hook (no promise per request); one that answers does not call `done`.
  app.addHook("preValidation", (request, reply, done) => {
    const where =
      unstorableStringAt(request.params, "params") ??
      unstorableStringAt(request.query, "querystring") ??
      unstorableStringAt(request.body, "body");
    if (where) {
      sendFailure(reply, failure("VALIDATION_ERROR", `${where} contains a NUL character or invalid Unicode.`));
      return;
    }
    done();
  });
}
