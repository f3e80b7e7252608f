import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { createOrganisation, listOrganisations, type OrganisationAdministration, requireOrganisation } from "../../admin/organisations.ts";
import type { AdminActionDeps } from "../../admin/admin-actions.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { adminCaller } from "./admin-caller.ts";
import { ADMIN_SECURITY as security, OrgParams, OrgSchema } from "./schemas.ts";

/** An organisation's name, as created and renamed. */
export const OrgName = Type.String({ minLength: 1, maxLength: 200 });
/** An email domain an organisation claims, as created and added. */
export const DomainName = Type.String({ format: "hostname", minLength: 1, maxLength: 253 });

const CreateOrgBody = Type.Object(
  {
    name: OrgName,
    domains: Type.Optional(Type.Array(DomainName, { maxItems: 100 })),
  },
  { additionalProperties: false },
);

/** `/api/v1/orgs`: create, list and read organisations. */
export function organisationRoutes(deps: OrganisationAdministration & AdminActionDeps): FastifyPluginAsync {
  return async (app) => {
    const tags = ["Admin"];

    app.post<{ Body: Static<typeof CreateOrgBody> }>(
      "/api/v1/orgs",
      {
        schema: {
          tags,
          security,
          summary: "Create an organisation",
          body: CreateOrgBody,
          response: { 201: OrgSchema, ...errorResponses(400, 409) },
        },
      },
      async (request, reply) => {
        const result = await createOrganisation(deps, request.body.name, request.body.domains ?? [], adminCaller(request));
        return result.ok ? reply.code(201).send(result.value) : sendFailure(reply, result);
      },
    );

    app.get(
      "/api/v1/orgs",
      { schema: { tags, security, summary: "List organisations", response: { 200: Type.Array(OrgSchema) } } },
      async () => listOrganisations(deps),
    );

    app.get<{ Params: Static<typeof OrgParams> }>(
      "/api/v1/orgs/:orgId",
      {
        schema: {
          tags,
          security,
          summary: "Get an organisation",
          params: OrgParams,
          response: { 200: OrgSchema, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const org = await requireOrganisation(deps, request.params.orgId);
        return org.ok ? org.value : sendFailure(reply, org);
      },
    );
  };
}
