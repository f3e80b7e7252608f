import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { ScimCaller, ScimUserDeps } from "../../admin/scim-users.ts";
import { SCIM_SCHEMA } from "../../admin/scim-user-resource.ts";
import { scimTokenCaller } from "../../admin/scim-tokens.ts";
import { BackendUnavailableError } from "../../domain/backend-unavailable.ts";
import { type Failure, FAILURE_STATUS, FailureError, failure, type Result } from "../../domain/failures.ts";
import type { CredentialFailures } from "../credential-failures.ts";
import { scimDiscoveryRoutes } from "./scim-discovery-routes.ts";
import { scimGroupRoutes } from "./scim-group-routes.ts";
import { scimUserRoutes } from "./scim-user-routes.ts";

/** What the SCIM service provider is built from. */
export interface ScimApiOptions {
  readonly deps: ScimUserDeps;
  /** Where an organisation's base URL starts (PUBLIC_URL): resources' `meta.location`. */
  readonly publicUrl: string;
  /** Refused SCIM tokens are counted with the admin API's refused credentials. */
  readonly credentialFailures: CredentialFailures;
}

const callers = new WeakMap<FastifyRequest, ScimCaller>();

/** The SCIM token's caller of a request past the scope's guard. */
export function scimCallerOf(request: FastifyRequest): ScimCaller {
  const caller = callers.get(request);
  if (!caller) throw new Error("SCIM route reached without its caller");
  return caller;
}

/**
 * A failure as RFC 7644 §3.12's error body. SCIM routes answer these, not AuthError: the IdPs
 * (Entra ID, Okta) read `status` and `scimType` to decide whether to retry, re-read or give up.
 */
export function sendScimFailure(reply: FastifyReply, f: Failure): FastifyReply {
  const status = FAILURE_STATUS[f.error];
  if (f.detail) reply.log.info({ error: f.error, detail: f.detail }, "SCIM request failed");
  return reply
    .code(status)
    .type("application/scim+json; charset=utf-8")
    .send({
      schemas: [SCIM_SCHEMA.error],
      status: String(status),
      ...(f.extra?.scimType && { scimType: f.extra.scimType }),
      detail: f.message,
    });
}

/** Sends a SCIM resource (or list) as application/scim+json. */
export const sendScim = (reply: FastifyReply, status: number, body: unknown) =>
  reply.code(status).type("application/scim+json; charset=utf-8").send(body);

/** A page of resources as a ListResponse (RFC 7644 §3.4.2). */
export const sendScimList = (reply: FastifyReply, page: { total: number; startIndex: number }, resources: readonly unknown[]) =>
  sendScim(reply, 200, {
    schemas: [SCIM_SCHEMA.listResponse],
    totalResults: page.total,
    startIndex: page.startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  });

/** A resource, or the failure: its ETag from `meta.version`, and `Location` when it was just created (201). */
export function sendScimResult<R extends { meta: { location: string; version: string } }>(
  reply: FastifyReply,
  status: 200 | 201,
  result: Result<R>,
): FastifyReply {
  if (!result.ok) return sendScimFailure(reply, result);
  reply.header("etag", result.value.meta.version);
  if (status === 201) reply.header("location", result.value.meta.location);
  return sendScim(reply, status, result.value);
}

/** Fastify's own errors in this scope (a body that is not JSON, too large, …) as SCIM errors. */
function scimErrorHandler(error: Error & { statusCode?: number; code?: string }, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof FailureError) return sendScimFailure(reply, error.failure);
  if (error instanceof BackendUnavailableError) {
    reply.header("retry-after", "1");
    return sendScimFailure(
      reply,
      failure("SERVICE_UNAVAILABLE", `The service cannot reach its ${error.backend} right now; try again shortly.`),
    );
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return sendScimFailure(reply, failure("PAYLOAD_TOO_LARGE", "The request body is too large."));
  if (status === 415)
    return sendScimFailure(reply, failure("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/scim+json or application/json."));
  if (status >= 400 && status < 500)
    return sendScimFailure(reply, {
      ...failure("VALIDATION_ERROR", "The request is not valid SCIM JSON."),
      extra: { scimType: "invalidSyntax" },
    });
  request.log.error({ err: { type: error.name, message: error.message, stack: error.stack } }, "unexpected error");
  return sendScimFailure(reply, failure("INTERNAL_ERROR", "Something went wrong on our side. Try again."));
}

/**
 * The SCIM 2.0 service provider of each organisation, at `/scim/v2/{orgId}` (its tenant URL).
 * Every request carries one of that organisation's SCIM tokens as a bearer token: any other
 * value, a revoked token or another organisation's is 401, counted with the admin API's refused
 * credentials. The routes are hidden from /openapi.json: their clients are IdPs, which speak SCIM.
 */
export function scimApi(options: ScimApiOptions): FastifyPluginAsync {
  const { credentialFailures } = options;
  return async (app: FastifyInstance) => {
    app.setErrorHandler(scimErrorHandler);
    const parseJson = app.getDefaultJsonParser("error", "error");
    app.addContentTypeParser("application/scim+json", { parseAs: "string" }, parseJson);
    app.addHook("onRequest", credentialFailures.guard);
    app.addHook("onRequest", async (request, reply) => {
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
      const orgId = (request.params as { orgId?: string }).orgId;
      const found = token === undefined ? undefined : await scimTokenCaller(options.deps, token);
      if (!found || found.orgId !== orgId) {
        if (token !== undefined) await credentialFailures.failed(request, "SCIM token");
        reply.header("www-authenticate", 'Bearer realm="scim"');
        return sendScimFailure(reply, failure("UNAUTHORIZED", "Send one of this organisation's SCIM tokens as Authorization: Bearer."));
      }
      callers.set(request, { orgId: found.orgId, actor: `scim:${found.id}`, ip: request.ip, delegated: true });
    });
    // A refusal past the token (404, 409, 412, a bad body) is recorded like a scoped admin's.
    app.addHook("onResponse", async (request, reply) => {
      const caller = callers.get(request);
      if (!caller || reply.statusCode < 400) return;
      await options.deps.audit.record({
        orgId: caller.orgId,
        userId: null,
        email: null,
        provider: null,
        event: `scim ${request.method} ${request.routeOptions.url ?? ""}`,
        outcome: "failure",
        error: `HTTP_${reply.statusCode}`,
        ip: request.ip,
        actor: caller.actor,
      });
    });
    const baseUrlOf = (request: FastifyRequest) => `${options.publicUrl}/scim/v2/${scimCallerOf(request).orgId}`;
    await app.register(scimUserRoutes(options.deps, baseUrlOf));
    await app.register(scimGroupRoutes(options.deps, baseUrlOf));
    await app.register(scimDiscoveryRoutes(baseUrlOf));
  };
}
