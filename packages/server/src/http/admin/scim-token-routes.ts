import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { createScimToken, listScimTokens, revokeScimToken, type ScimTokenDeps, setScimAdminGroup } from "../../admin/scim-tokens.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { failure } from "../../domain/failures.ts";
import { adminCaller } from "./admin-caller.ts";
import { actorOf } from "./admin-token.ts";
import { ADMIN_SECURITY as security, OrgParams } from "./schemas.ts";

const ScimTokenSchema = Type.Object(
  {
    id: Type.String(),
    orgId: Type.String(),
    createdAt: Type.String({ format: "date-time" }),
    revokedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  },
  { $id: "ScimToken" },
);
const TokenParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), id: Type.String({ maxLength: 64 }) });
const AdminGroupBody = Type.Object(
  { displayName: Type.Union([Type.String({ minLength: 1, maxLength: 256 }), Type.Null()]) },
  { additionalProperties: false },
);

/**
 * `/api/v1/orgs/:orgId/scim-tokens`: the organisation's SCIM tokens (the operator's, or the
 * organisation's admin's: see ORGANISATION_SCOPE_ROUTES); `/api/v1/orgs/:orgId/scim-admin-group`:
 * which SCIM group's members are admins (the operator's alone).
 */
export function scimTokenRoutes(deps: ScimTokenDeps, publicUrl: string): FastifyPluginAsync {
  return async (app) => {
    const tags = ["Admin"];
    // A setup link is for configuring providers: a directory's token is the operator's or the organisation admin's to hand out.
    app.addHook("preHandler", async (request, reply) => {
      if (actorOf(request).startsWith("setup-link:"))
        return sendFailure(
          reply,
          failure("FORBIDDEN", "A setup link cannot manage SCIM tokens: ask the operator or an organisation admin."),
        );
    });
    app.post<{ Params: Static<typeof OrgParams> }>(
      "/api/v1/orgs/:orgId/scim-tokens",
      {
        schema: {
          tags,
          security,
          summary: "Make a SCIM token for the organisation's directory: the token and the base URL (the IdP's tenant URL), shown once",
          params: OrgParams,
          response: {
            201: Type.Object({
              ...ScimTokenSchema.properties,
              token: Type.String({ description: "The IdP's secret token; shown once, only its hash is kept" }),
              baseUrl: Type.String({ description: "The SCIM base URL (tenant URL): {PUBLIC_URL}/scim/v2/{orgId}" }),
            }),
            ...errorResponses(404),
          },
        },
      },
      async (request, reply) => {
        const made = await createScimToken(deps, request.params.orgId, publicUrl, adminCaller(request));
        return made.ok ? reply.code(201).header("cache-control", "no-store").send(made.value) : sendFailure(reply, made);
      },
    );
    app.get<{ Params: Static<typeof OrgParams> }>(
      "/api/v1/orgs/:orgId/scim-tokens",
      {
        schema: {
          tags,
          security,
          summary: "The organisation's SCIM tokens, newest first (never their values)",
          params: OrgParams,
          response: { 200: Type.Array(ScimTokenSchema), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const tokens = await listScimTokens(deps, request.params.orgId);
        return tokens.ok ? tokens.value : sendFailure(reply, tokens);
      },
    );
    app.delete<{ Params: Static<typeof TokenParams> }>(
      "/api/v1/orgs/:orgId/scim-tokens/:id",
      {
        schema: {
          tags,
          security,
          summary: "Revoke a SCIM token: its next request is refused",
          params: TokenParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const revoked = await revokeScimToken(deps, request.params.orgId, request.params.id, adminCaller(request));
        return revoked.ok ? reply.code(204).send() : sendFailure(reply, revoked);
      },
    );
    app.put<{ Params: Static<typeof OrgParams>; Body: Static<typeof AdminGroupBody> }>(
      "/api/v1/orgs/:orgId/scim-admin-group",
      {
        schema: {
          tags,
          security,
          summary: "Set which SCIM group's members are the organisation's admins (null: none); the operator's alone",
          params: OrgParams,
          body: AdminGroupBody,
          response: { 200: Type.Object({ adminGroup: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const set = await setScimAdminGroup(deps, request.params.orgId, request.body.displayName, adminCaller(request));
        return set.ok ? set.value : sendFailure(reply, set);
      },
    );
  };
}
