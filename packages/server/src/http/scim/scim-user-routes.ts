import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { scimUserResource, ifMatchVersion, scimFailure } from "../../admin/scim-user-resource.ts";
import {
  createScimUser,
  deleteScimUser,
  getScimUser,
  listScimUsers,
  patchScimUser,
  replaceScimUser,
  type ScimUserDeps,
} from "../../admin/scim-users.ts";
import type { Result } from "../../domain/failures.ts";
import type { ScimUser } from "../../domain/scim.ts";
import { scimCallerOf, sendScimFailure, sendScimList, sendScimResult } from "./scim-api.ts";

type Params = { orgId: string; id: string };
type ListQuery = { filter?: string; startIndex?: string; count?: string };
const HIDDEN = { hide: true } as const;

/** A query's whole number, or undefined when it is absent; NaN when it is not one. */
export const wholeNumber = (value: string | undefined) =>
  value === undefined ? undefined : /^-?\d{1,9}$/.test(value) ? Number(value) : Number.NaN;

/** The If-Match header's version, or a 412 for one this service never made (RFC 7644 §3.14). */
export function ifMatchOf(request: FastifyRequest): Result<number | undefined> {
  const header = request.headers["if-match"];
  const version = ifMatchVersion(Array.isArray(header) ? header[0] : header);
  return Number.isNaN(version)
    ? scimFailure("PRECONDITION_FAILED", undefined, "If-Match names no version of this resource.")
    : { ok: true, value: version };
}

/** The page parameters of a list request (RFC 7644 §3.4.2.4), or invalidValue. */
export function pageOf(query: ListQuery): Result<{ filter?: string; startIndex?: number; count?: number }> {
  const startIndex = wholeNumber(query.startIndex);
  const count = wholeNumber(query.count);
  if (Number.isNaN(startIndex) || Number.isNaN(count))
    return scimFailure("VALIDATION_ERROR", "invalidValue", "startIndex and count are whole numbers.");
  return {
    ok: true,
    value: {
      ...(query.filter !== undefined && { filter: query.filter }),
      ...(startIndex !== undefined && { startIndex }),
      ...(count !== undefined && { count }),
    },
  };
}

/** `/scim/v2/{orgId}/Users` (RFC 7644 §3): create, get, list with filter and paging, replace, patch, delete. */
export function scimUserRoutes(deps: ScimUserDeps, baseUrlOf: (request: FastifyRequest) => string): FastifyPluginAsync {
  return async (app) => {
    const resourceReply = (request: FastifyRequest, reply: FastifyReply, status: 200 | 201, user: Result<ScimUser>) =>
      sendScimResult(reply, status, user.ok ? { ok: true, value: scimUserResource(user.value, baseUrlOf(request)) } : user);
    app.post("/scim/v2/:orgId/Users", { schema: HIDDEN }, async (request, reply) =>
      resourceReply(request, reply, 201, await createScimUser(deps, scimCallerOf(request), request.body)),
    );
    app.get<{ Params: Params }>("/scim/v2/:orgId/Users/:id", { schema: HIDDEN }, async (request, reply) =>
      resourceReply(request, reply, 200, await getScimUser(deps, scimCallerOf(request), request.params.id)),
    );
    app.get<{ Querystring: ListQuery }>("/scim/v2/:orgId/Users", { schema: HIDDEN }, async (request, reply) => {
      const page = pageOf(request.query);
      if (!page.ok) return sendScimFailure(reply, page);
      const found = await listScimUsers(deps, scimCallerOf(request), page.value);
      if (!found.ok) return sendScimFailure(reply, found);
      const baseUrl = baseUrlOf(request);
      return sendScimList(
        reply,
        found.value,
        found.value.users.map((u) => scimUserResource(u, baseUrl)),
      );
    });
    // PUT replaces, PATCH patches; both honour If-Match.
    for (const [method, write] of [
      ["PUT", replaceScimUser],
      ["PATCH", patchScimUser],
    ] as const) {
      app.route<{ Params: Params }>({
        method,
        url: "/scim/v2/:orgId/Users/:id",
        schema: HIDDEN,
        handler: async (request, reply) => {
          const version = ifMatchOf(request);
          if (!version.ok) return sendScimFailure(reply, version);
          return resourceReply(
            request,
            reply,
            200,
            await write(deps, scimCallerOf(request), request.params.id, request.body, version.value),
          );
        },
      });
    }
    app.delete<{ Params: Params }>("/scim/v2/:orgId/Users/:id", { schema: HIDDEN }, async (request, reply) => {
      const version = ifMatchOf(request);
      if (!version.ok) return sendScimFailure(reply, version);
      const deleted = await deleteScimUser(deps, scimCallerOf(request), request.params.id, version.value);
      return deleted.ok ? reply.code(204).send() : sendScimFailure(reply, deleted);
    });
  };
}
