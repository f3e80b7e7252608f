import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import type { AdminActionDeps } from "../../admin/admin-actions.ts";
import { deleteOrganisation, renameOrganisation } from "../../admin/organisation-changes.ts";
import type { OrganisationAdministration } from "../../admin/organisations.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { adminCaller } from "./admin-caller.ts";
import { OrgName } from "./organisation-routes.ts";
import { ADMIN_SECURITY as security, OrgParams, OrgSchema } from "./schemas.ts";

const RenameBody = Type.Object({ name: OrgName }, { additionalProperties: false });

/**
 * `/api/v1/orgs/:orgId` (PATCH, DELETE): the operator's changes to an organisation (its domains:
 * domain-claim-routes.ts). None is in an organisation's scope: an organisation admin or a setup session gets 403.
 */
export function organisationChangeRoutes(deps: OrganisationAdministration & AdminActionDeps): FastifyPluginAsync {
  return async (app) => {
    const tags = ["Admin"];

    app.patch<{ Params: Static<typeof OrgParams>; Body: Static<typeof RenameBody> }>(
      "/api/v1/orgs/:orgId",
      {
        schema: {
          tags,
          security,
          summary: "Rename an organisation",
          params: OrgParams,
          body: RenameBody,
          response: { 200: OrgSchema, ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const renamed = await renameOrganisation(deps, request.params.orgId, request.body.name, adminCaller(request));
        return renamed.ok ? renamed.value : sendFailure(reply, renamed);
      },
    );

    app.delete<{ Params: Static<typeof OrgParams> }>(
      "/api/v1/orgs/:orgId",
      {
        schema: {
          tags,
          security,
          summary: "Delete an organisation",
          description:
            "Deletes the organisation with its domains, providers, users, identity links, sign-in steps, setup links, console sessions and refresh tokens, in one transaction: its users are signed out at their next refresh. Its audit trail is kept.",
          params: OrgParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const deleted = await deleteOrganisation(deps, request.params.orgId, adminCaller(request));
        return deleted.ok ? reply.code(204).send() : sendFailure(reply, deleted);
      },
    );
  };
}
