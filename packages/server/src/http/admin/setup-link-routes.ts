import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { createSetupLink, listSetupLinks, revokeSetupLink, SETUP_LINK_HOURS, type SetupLinkDeps } from "../../admin/setup-links.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { adminCaller } from "./admin-caller.ts";
import { ADMIN_SECURITY as security, OrgParams } from "./schemas.ts";

const SetupLinkSchema = Type.Object(
  {
    id: Type.String(),
    orgId: Type.String(),
    createdAt: Type.String({ format: "date-time" }),
    expiresAt: Type.String({ format: "date-time" }),
    usedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
    revokedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  },
  { $id: "SetupLink" },
);

const CreateBody = Type.Object(
  {
    expiresInHours: Type.Optional(
      Type.Integer({ minimum: SETUP_LINK_HOURS.min, maximum: SETUP_LINK_HOURS.max, default: SETUP_LINK_HOURS.default }),
    ),
  },
  { additionalProperties: false },
);
const LinkParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), id: Type.String({ maxLength: 64 }) });

/** `/api/v1/orgs/:orgId/setup-links`: one-time links for an organisation's IT admin (operator only). */
export function setupLinkRoutes(deps: SetupLinkDeps, publicUrl: string): FastifyPluginAsync {
  return async (app) => {
    const tags = ["Admin"];
    app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof CreateBody> }>(
      "/api/v1/orgs/:orgId/setup-links",
      {
        schema: {
          tags,
          security,
          summary:
            "Make a one-time setup link: its holder may configure, check and test this organisation's providers, and nothing else, until it expires",
          params: OrgParams,
          body: CreateBody,
          response: {
            201: Type.Object({
              ...SetupLinkSchema.properties,
              url: Type.String({ description: "Shown once: give it to the organisation's IT admin" }),
              token: Type.String({ description: "The link's secret (also in the URL's fragment); shown once" }),
            }),
            ...errorResponses(400, 404),
          },
        },
      },
      async (request, reply) => {
        const hours = request.body?.expiresInHours ?? SETUP_LINK_HOURS.default;
        const link = await createSetupLink(deps, request.params.orgId, hours, publicUrl, adminCaller(request));
        return link.ok ? reply.code(201).send(link.value) : sendFailure(reply, link);
      },
    );
    app.get<{ Params: Static<typeof OrgParams> }>(
      "/api/v1/orgs/:orgId/setup-links",
      {
        schema: {
          tags,
          security,
          summary: "The organisation's setup links, newest first",
          params: OrgParams,
          response: { 200: Type.Array(SetupLinkSchema), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const links = await listSetupLinks(deps, request.params.orgId);
        return links.ok ? links.value : sendFailure(reply, links);
      },
    );
    app.delete<{ Params: Static<typeof LinkParams> }>(
      "/api/v1/orgs/:orgId/setup-links/:id",
      {
        schema: {
          tags,
          security,
          summary: "Revoke a setup link; a session it opened ends at once",
          params: LinkParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const revoked = await revokeSetupLink(deps, request.params.orgId, request.params.id, adminCaller(request));
        return revoked.ok ? reply.code(204).send() : sendFailure(reply, revoked);
      },
    );
  };
}
