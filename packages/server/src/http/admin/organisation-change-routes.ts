import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import type { AdminActionDeps } from "../../admin/admin-actions.ts";
import {
  addOrganisationDomain,
  deleteOrganisation,
  removeOrganisationDomain,
  renameOrganisation,
} from "../../admin/organisation-changes.ts";
import type { OrganisationAdministration } from "../../admin/organisations.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { adminCaller } from "./admin-caller.ts";
import { DomainName, OrgName } from "./organisation-routes.ts";
import { ADMIN_SECURITY as security, OrgParams, OrgSchema } from "./schemas.ts";

const RenameBody = Type.Object({ name: OrgName }, { additionalProperties: false });
const DomainBody = Type.Object({ domain: DomainName }, { additionalProperties: false });
const DomainParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), domain: DomainName });

/**
 * `/api/v1/orgs/:orgId` (PATCH, DELETE) and its `/domains`: the operator's changes to an
 * organisation. None is in an organisation's scope: an organisation admin or a setup session gets 403.
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

    app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof DomainBody> }>(
      "/api/v1/orgs/:orgId/domains",
      {
        schema: {
          tags,
          security,
          summary: "Add an email domain to an organisation",
          description: "New sign-ins with an address of the domain route to the organisation. A domain any organisation claims is 409.",
          params: OrgParams,
          body: DomainBody,
          response: { 201: OrgSchema, ...errorResponses(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const org = await addOrganisationDomain(deps, request.params.orgId, request.body.domain, adminCaller(request));
        return org.ok ? reply.code(201).send(org.value) : sendFailure(reply, org);
      },
    );

    app.delete<{ Params: Static<typeof DomainParams> }>(
      "/api/v1/orgs/:orgId/domains/:domain",
      {
        schema: {
          tags,
          security,
          summary: "Remove an email domain from an organisation",
          description:
            "New sign-ins with an address of the domain no longer route to the organisation. Its existing users keep their accounts and still sign in to it.",
          params: DomainParams,
          response: { 204: Type.Null(), ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const removed = await removeOrganisationDomain(deps, request.params.orgId, request.params.domain, adminCaller(request));
        return removed.ok ? reply.code(204).send() : sendFailure(reply, removed);
      },
    );
  };
}
