import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { type AuthErrorBody, authErrorBody, type Failure, FAILURE_STATUS, FailureError, failure } from "../errors.ts";

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
    error: { type: "string", description: "Stable identifier a program can switch on, e.g. INVALID_GRANT" },
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
  }
  if (error.statusCode === 429) return failure("RATE_LIMITED", "Too many requests; try again shortly.");
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
    const known = fastifyFailure(error);
    if (known) return sendFailure(reply, known);
    request.log.error({ err: { type: error.name, message: error.message, stack: error.stack } }, "unexpected error");
    const body: AuthErrorBody = authErrorBody(failure("INTERNAL_ERROR", "Something went wrong on our side. Try again; if it keeps happening, contact the administrator."));
    return reply.code(500).type("application/json").send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    sendFailure(reply, failure("NOT_FOUND", `No route ${request.method} ${request.url.split("?")[0]}.`)),
  );
}

export const errorResponses = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, { $ref: "AuthError#" }]));
