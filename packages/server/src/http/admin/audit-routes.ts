import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { type AuditAdministration, auditPage, serviceAuditPage } from "../../admin/audit.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { auditPageFor } from "./answers-without-cause.ts";
import { auditPageAsRead } from "./fixes-as-read.ts";
import { ADMIN_SECURITY as security, OrgParams } from "./schemas.ts";

const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,2}$" })),
    cursor: Type.Optional(Type.String({ maxLength: 64 })),
    outcome: Type.Optional(Type.Union([Type.Literal("success"), Type.Literal("failure")])),
    provider: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    event: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "e.g. oauth.exchange, authenticate, provider.updated" })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: "matched case-insensitively" })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "e.g. operator, org-admin:<userId>, setup-link:<id>" })),
  },
  { additionalProperties: false },
);

const Nullable = (schema: ReturnType<typeof Type.String> | ReturnType<typeof Type.Array>) => Type.Union([schema, Type.Null()]);

const AuditChangeSchema = Type.Union(
  [
    Type.Object({ field: Type.String(), before: Type.Unknown(), after: Type.Unknown() }),
    Type.Object({ field: Type.String(), changed: Type.Literal(true, { description: "a secret, or a value too large to keep" }) }),
  ],
  { $id: "AuditChange", description: "One field an admin write changed: its values before and after, or only that it changed" },
);

const AuditRecordSchema = Type.Object(
  {
    id: Type.String(),
    createdAt: Type.String({ format: "date-time" }),
    event: Type.String({ description: "a sign-in step (oauth.exchange, authenticate, …) or an admin action (provider.updated, …)" }),
    outcome: Type.Union([Type.Literal("success"), Type.Literal("failure")]),
    orgId: Nullable(Type.String()),
    userId: Nullable(Type.String()),
    email: Nullable(Type.String()),
    provider: Nullable(Type.String()),
    error: Nullable(Type.String()),
    ip: Nullable(Type.String()),
    actor: Nullable(Type.String({ description: "who acted: operator, org-admin:<userId>, setup-link:<id>; null on sign-in steps" })),
    changes: Nullable(Type.Array(AuditChangeSchema, { description: "what an admin write changed; secrets only as changed" })),
    redirectUri: Type.Optional(Nullable(Type.String({ description: "the redirect URI a sign-in step named: which one a mismatch tried" }))),
    reason: Type.Optional(Type.String({ description: "a failure's reason (its failure id)" })),
    fix: Type.Optional(Type.String({ description: "what to change, and where, to stop the failure" })),
  },
  { $id: "AuditRecord" },
);

const AuditPageSchema = Type.Object({ records: Type.Array(AuditRecordSchema), nextCursor: Nullable(Type.String()) });

type AuditQueryValues = Static<typeof AuditQuery>;
const pageRequest = ({ limit, cursor, ...filter }: AuditQueryValues) => ({ limit: Number(limit ?? "50"), cursor, filter });

/**
 * `/api/v1/orgs/:orgId/audit`: an organisation's audit trail (its sign-in steps and the admin
 * writes to it), newest first, in pages; `/api/v1/audit`: the records outside any organisation.
 */
export function auditRoutes(deps: AuditAdministration): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: Static<typeof OrgParams>; Querystring: AuditQueryValues }>(
      "/api/v1/orgs/:orgId/audit",
      {
        schema: {
          tags: ["Admin"],
          security,
          summary: "Page through the organisation's audit trail, newest first; narrow it by outcome, provider, event, email or actor",
          params: OrgParams,
          querystring: AuditQuery,
          response: { 200: AuditPageSchema, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const { limit, cursor, filter } = pageRequest(request.query);
        const page = await auditPage(deps, request.params.orgId, limit, cursor, filter);
        return page.ok ? auditPageAsRead(request, auditPageFor(request, page.value)) : sendFailure(reply, page);
      },
    );

    app.get<{ Querystring: AuditQueryValues }>(
      "/api/v1/audit",
      {
        schema: {
          tags: ["Admin"],
          security,
          summary:
            "Page through the records outside any organisation (keys.rotated, keys.reencrypted, sign-ins that reached none), newest first",
          description: "The operator's alone. Narrowed like an organisation's trail.",
          querystring: AuditQuery,
          response: { 200: AuditPageSchema },
        },
      },
      async (request) => {
        const { limit, cursor, filter } = pageRequest(request.query);
        return auditPageAsRead(request, await serviceAuditPage(deps, limit, cursor, filter));
      },
    );
  };
}
