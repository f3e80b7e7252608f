import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { type AuditAdministration, auditPage } from "../../admin/audit.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { ADMIN_SECURITY as security, OrgParams } from "./schemas.ts";

const AuditQuery = Type.Object(
  { limit: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,2}$" })), cursor: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);

/** `/api/v1/orgs/:orgId/audit`: the sign-in audit trail, newest first, in pages. */
export function auditRoutes(deps: AuditAdministration): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof AuditQuery> }>(
      "/api/v1/orgs/:orgId/audit",
      {
        schema: {
          tags: ["Admin"],
          security,
          summary: "Page through the sign-in audit trail, newest first",
          params: OrgParams,
          querystring: AuditQuery,
          response: {
            200: Type.Object({
              records: Type.Array(Type.Object({}, { additionalProperties: true })),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses(401, 404),
          },
        },
      },
      async (request, reply) => {
        const page = await auditPage(deps, request.params.orgId, Number(request.query.limit ?? "50"), request.query.cursor);
        return page.ok ? page.value : sendFailure(reply, page);
      },
    );
  };
}
