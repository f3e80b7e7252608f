import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { implicitOrganisation, type OrganisationAdministration, requireOrganisation } from "../../admin/organisations.ts";
import { saveSignInSteps, type SignInStepAdministration, signInSteps } from "../../admin/sign-in-steps.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { adminCaller } from "./admin-caller.ts";
import { ADMIN_SECURITY as security, AuthStepSchema, OrgParams } from "./schemas.ts";

const UpdateAuthMethodBody = Type.Object(
  { authMethod: Type.Array(AuthStepSchema, { minItems: 1, maxItems: 3 }) },
  { additionalProperties: false },
);
const AuthMethodsAnswer = Type.Object({ authMethods: Type.Array(AuthStepSchema) });
const OrgQuery = Type.Object({ orgId: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false });

/** The organisation's sign-in steps: PipesHub's orgAuthConfig routes and the admin API's. */
export function authMethodRoutes(deps: OrganisationAdministration & SignInStepAdministration): FastifyPluginAsync {
  return async (app) => {
    const tags = ["Organization Auth Config"];

    app.get<{ Querystring: Static<typeof OrgQuery> }>(
      "/orgAuthConfig/authMethods",
      {
        schema: {
          tags,
          security,
          operationId: "getAuthMethods",
          summary: "Get organization authentication methods",
          querystring: OrgQuery,
          response: { 200: AuthMethodsAnswer, ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const org = await implicitOrganisation(deps, request.query.orgId);
        return org.ok ? { authMethods: await signInSteps(deps, org.value.id) } : sendFailure(reply, org);
      },
    );
    app.post<{ Querystring: Static<typeof OrgQuery>; Body: Static<typeof UpdateAuthMethodBody> }>(
      "/orgAuthConfig/updateAuthMethod",
      {
        schema: {
          tags,
          security,
          operationId: "updateAuthMethod",
          summary: "Update organization authentication methods",
          querystring: OrgQuery,
          body: UpdateAuthMethodBody,
          response: {
            200: Type.Object({ message: Type.String(), authMethod: Type.Array(AuthStepSchema) }),
            ...errorResponses(400, 404),
          },
        },
      },
      async (request, reply) => {
        const org = await implicitOrganisation(deps, request.query.orgId);
        if (!org.ok) return sendFailure(reply, org);
        const saved = await saveSignInSteps(deps, org.value.id, request.body.authMethod, adminCaller(request));
        return saved.ok ? { message: "Auth method updated", authMethod: saved.value } : sendFailure(reply, saved);
      },
    );
    app.get<{ Params: Static<typeof OrgParams> }>(
      "/api/v1/orgs/:orgId/auth-methods",
      {
        schema: {
          tags: ["Admin"],
          security,
          summary: "Get an organisation's sign-in steps",
          params: OrgParams,
          response: { 200: AuthMethodsAnswer, ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const org = await requireOrganisation(deps, request.params.orgId);
        return org.ok ? { authMethods: await signInSteps(deps, org.value.id) } : sendFailure(reply, org);
      },
    );
    app.put<{ Params: Static<typeof OrgParams>; Body: Static<typeof UpdateAuthMethodBody> }>(
      "/api/v1/orgs/:orgId/auth-methods",
      {
        schema: {
          tags: ["Admin"],
          security,
          summary: "Set an organisation's sign-in steps (1-3)",
          params: OrgParams,
          body: UpdateAuthMethodBody,
          response: { 200: AuthMethodsAnswer, ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const org = await requireOrganisation(deps, request.params.orgId);
        if (!org.ok) return sendFailure(reply, org);
        const saved = await saveSignInSteps(deps, org.value.id, request.body.authMethod, adminCaller(request));
        return saved.ok ? { authMethods: saved.value } : sendFailure(reply, saved);
      },
    );
  };
}
