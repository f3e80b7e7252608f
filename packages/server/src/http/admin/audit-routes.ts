import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { type AuditAdministration, auditPage } from "../../admin/audit.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { auditPageFor } from "./answers-without-cause.ts";
import { ADMIN_SECURITY as security, OrgParams } from "./schemas.ts";

const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,2}$" })),
    cursor: Type.Optional(Type.String({ maxLength: 64 })),
    outcome: Type.Optional(Type.Union([Type.Literal("success"), Type.Literal("failure")])),
    provider: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    event: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "e.g. oauth.exchange, authenticate" })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: "matched case-insensitively" })),
  },
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
          summary: "Page through the sign-in audit trail, newest first; narrow it by outcome, provider, event or email",
          params: OrgParams,
          querystring: AuditQuery,
          response: {
            200: Type.Object({
              records: Type.Array(Type.Object({}, { additionalProperties: true })),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses(404),
          },
        },
      },
      async (request, reply) => {
        const { limit, cursor, ...filter } = request.query;
        const page = await auditPage(deps, request.params.orgId, Number(limit ?? "50"), cursor, filter);
        return page.ok ? auditPageFor(request, page.value) : sendFailure(reply, page);
      },
    );
  };
}
