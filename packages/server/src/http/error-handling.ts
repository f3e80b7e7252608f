import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { BackendUnavailableError } from "../domain/backend-unavailable.ts";
import { type Failure, FAILURE_STATUS, FailureError, failure } from "../domain/failures.ts";

const HTTP_CODE: Record<number, string> = {
  400: "HTTP_BAD_REQUEST",
  401: "HTTP_UNAUTHORIZED",
  403: "HTTP_FORBIDDEN",
  404: "HTTP_NOT_FOUND",
  408: "HTTP_REQUEST_TIMEOUT",
  409: "HTTP_CONFLICT",
  412: "HTTP_PRECONDITION_FAILED",
  413: "HTTP_PAYLOAD_TOO_LARGE",
  414: "HTTP_URI_TOO_LONG",
  415: "HTTP_UNSUPPORTED_MEDIA_TYPE",
  429: "HTTP_TOO_MANY_REQUESTS",
  431: "HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE",
  500: "INTERNAL_ERROR",
  502: "HTTP_BAD_GATEWAY",
  503: "HTTP_SERVICE_UNAVAILABLE",
  504: "HTTP_GATEWAY_TIMEOUT",
};

/** The seed's `AuthError` wire shape, used for every 4xx/5xx. */
export interface AuthErrorBody {
  error: string;
  message: string;
  /** The HTTP class of the failure in the contract's `HTTP_<VARIANT>` form. */
  code: string;
  statusCode: number;
  [extra: string]: string | number;
}

/** A failure as the AuthError body: its id, message and public extras, with its status. */
export function authErrorBody(f: Pick<Failure, "error" | "message" | "extra">): AuthErrorBody {
  const statusCode = FAILURE_STATUS[f.error];
  return { ...f.extra, error: f.error, message: f.message, code: HTTP_CODE[statusCode] ?? `HTTP_${statusCode}`, statusCode };
}

/** Sends an expected failure as the seed's AuthError; the private detail goes to the log only. */
export function sendFailure(reply: FastifyReply, f: Failure): FastifyReply {
  if (f.detail) reply.log.info({ error: f.error, detail: f.detail }, "request failed");
  return reply.code(FAILURE_STATUS[f.error]).type("application/json").send(authErrorBody(f));
}

/** Schema for every error response, so the OpenAPI document describes AuthError. */
export const AuthErrorSchema = {
  $id: "AuthError",
  type: "object",
  required: ["error", "message", "code", "statusCode"],
  properties: {
    error: {
      type: "string",
      enum: Object.keys(FAILURE_STATUS),
      description: "Stable identifier a program can switch on, e.g. INVALID_GRANT",
    },
    message: { type: "string", description: "What happened, in words a person can act on" },
    code: { type: "string", description: "HTTP class of the failure, e.g. HTTP_BAD_REQUEST" },
    statusCode: { type: "integer" },
  },
  additionalProperties: true,
} as const;

function fastifyFailure(error: FastifyError): Failure | undefined {
  if (error.validation) {
    const first = error.validation[0];
    const where = error.validationContext ?? "request";
    const path = first?.instancePath ? `${where}${first.instancePath.replaceAll("/", ".")}` : where;
    const params = (first?.params ?? {}) as { additionalProperty?: string; missingProperty?: string };
    if (params.additionalProperty) return failure("VALIDATION_ERROR", `${path} has an unknown field "${params.additionalProperty}"`);
    return failure("VALIDATION_ERROR", `${path} ${first?.message ?? "is invalid"}`);
  }
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return failure("INVALID_JSON", "The request body is not valid JSON.");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return failure("PAYLOAD_TOO_LARGE", "The request body is too large.");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return failure("UNSUPPORTED_MEDIA_TYPE", "Send the request body as application/json.");
    case "FST_ERR_BAD_URL":
      return failure("MALFORMED_REQUEST", "The request URL is not validly encoded.");
    case "FST_ERR_MAX_PARAM_LENGTH":
      return failure("URI_TOO_LONG", "A path parameter of the request URL is too long.");
  }
  // Any other framework error (FST_*) with a client status is the request's fault, named as such.
  if (error.code?.startsWith("FST_") && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return failure("MALFORMED_REQUEST", "The request could not be processed as sent.", { detail: error.code });
  }
  if (error.statusCode === 429) return failure("TOO_MANY_REQUESTS", "Too many requests; try again shortly.");
  return undefined;
}

/**
 * One place maps every error to AuthError JSON: expected failures with their message, framework
 * errors by kind, anything else as a generic 500 whose detail only reaches the log.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.addSchema(AuthErrorSchema);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof FailureError) return sendFailure(reply, error.failure);
    if (error instanceof BackendUnavailableError) {
      // The driver's message names hosts and internals: the log has it, the response does not.
      const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
      request.log.warn({ backend: error.backend, cause }, "backend unavailable");
      reply.header("retry-after", "1");
      return sendFailure(
        reply,
        failure("SERVICE_UNAVAILABLE", `The service cannot reach its ${error.backend} right now; try again shortly.`),
      );
    }
    const known = fastifyFailure(error);
    if (known) return sendFailure(reply, known);
    request.log.error({ err: { type: error.name, message: error.message, stack: error.stack } }, "unexpected error");
    const body: AuthErrorBody = authErrorBody(
      failure("INTERNAL_ERROR", "Something went wrong on our side. Try again; if it keeps happening, contact the administrator."),
    );
    return reply.code(500).type("application/json").send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    sendFailure(reply, failure("NOT_FOUND", `No route ${request.method} ${request.originalUrl.split("?")[0]}.`)),
  );
}

/** Response schemas for these error statuses, all AuthError (for the OpenAPI document). */
export const errorResponses = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, { $ref: "AuthError#" }]));
