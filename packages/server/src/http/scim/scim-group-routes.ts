import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import {
  createScimGroup,
  deleteScimGroup,
  getScimGroup,
  listScimGroups,
  scimGroupResource,
  writeScimGroup,
} from "../../admin/scim-groups.ts";
import type { ScimUserDeps } from "../../admin/scim-users.ts";
import type { Result } from "../../domain/failures.ts";
import type { ScimGroup } from "../../domain/scim.ts";
import { scimCallerOf, sendScimFailure, sendScimList, sendScimResult } from "./scim-api.ts";
import { pageOf } from "./scim-user-routes.ts";

type Params = { orgId: string; id: string };
const HIDDEN = { hide: true } as const;

/** `/scim/v2/{orgId}/Groups`: groups and their members; the operator's admin group makes its members admins. */
export function scimGroupRoutes(deps: ScimUserDeps, baseUrlOf: (request: FastifyRequest) => string): FastifyPluginAsync {
  return async (app) => {
    const resourceReply = (request: FastifyRequest, reply: FastifyReply, status: 200 | 201, group: Result<ScimGroup>) =>
      sendScimResult(reply, status, group.ok ? { ok: true, value: scimGroupResource(group.value, baseUrlOf(request)) } : group);
    app.post("/scim/v2/:orgId/Groups", { schema: HIDDEN }, async (request, reply) =>
      resourceReply(request, reply, 201, await createScimGroup(deps, scimCallerOf(request), request.body)),
    );
    app.get<{ Params: Params }>("/scim/v2/:orgId/Groups/:id", { schema: HIDDEN }, async (request, reply) =>
      resourceReply(request, reply, 200, await getScimGroup(deps, scimCallerOf(request), request.params.id)),
    );
    app.get<{ Querystring: { filter?: string; startIndex?: string; count?: string } }>(
      "/scim/v2/:orgId/Groups",
      { schema: HIDDEN },
      async (request, reply) => {
        const page = pageOf(request.query);
        if (!page.ok) return sendScimFailure(reply, page);
        const found = await listScimGroups(deps, scimCallerOf(request), page.value);
        if (!found.ok) return sendScimFailure(reply, found);
        const baseUrl = baseUrlOf(request);
        return sendScimList(
          reply,
          found.value,
          found.value.groups.map((g) => scimGroupResource(g, baseUrl)),
        );
      },
    );
    app.put<{ Params: Params }>("/scim/v2/:orgId/Groups/:id", { schema: HIDDEN }, async (request, reply) =>
      resourceReply(request, reply, 200, await writeScimGroup(deps, scimCallerOf(request), request.params.id, request.body, "replace")),
    );
    app.patch<{ Params: Params }>("/scim/v2/:orgId/Groups/:id", { schema: HIDDEN }, async (request, reply) =>
      resourceReply(request, reply, 200, await writeScimGroup(deps, scimCallerOf(request), request.params.id, request.body, "patch")),
    );
    app.delete<{ Params: Params }>("/scim/v2/:orgId/Groups/:id", { schema: HIDDEN }, async (request, reply) => {
      const deleted = await deleteScimGroup(deps, scimCallerOf(request), request.params.id);
      return deleted.ok ? reply.code(204).send() : sendScimFailure(reply, deleted);
    });
  };
}
