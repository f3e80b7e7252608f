import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { createUser, findUsers, type UserAdministration } from "../../admin/users.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { ADMIN_SECURITY as security, OrgParams, UserSchema } from "./schemas.ts";

const CreateUserBody = Type.Object(
  { email: Type.String({ format: "email", maxLength: 320 }), fullName: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);
const UsersQuery = Type.Object({ email: Type.Optional(Type.String({ maxLength: 320 })) }, { additionalProperties: false });
type OrgRoute = { Params: Static<typeof OrgParams> };

/** `/api/v1/orgs/:orgId/users`: add users and find them by email. */
export function userRoutes(deps: UserAdministration): FastifyPluginAsync {
  return async (app) => {
    const tags = ["Admin"];

    app.post<OrgRoute & { Body: Static<typeof CreateUserBody> }>(
      "/api/v1/orgs/:orgId/users",
      {
        schema: {
          tags,
          security,
          summary: "Add a user",
          params: OrgParams,
          body: CreateUserBody,
          response: { 201: UserSchema, ...errorResponses(400, 401, 404, 409) },
        },
      },
      async (request, reply) => {
        const result = await createUser(deps, request.params.orgId, request.body.email, request.body.fullName ?? null);
        return result.ok ? reply.code(201).send(result.value) : sendFailure(reply, result);
      },
    );

    app.get<OrgRoute & { Querystring: Static<typeof UsersQuery> }>(
      "/api/v1/orgs/:orgId/users",
      {
        schema: {
          tags,
          security,
          summary: "Find users",
          params: OrgParams,
          querystring: UsersQuery,
          response: { 200: Type.Array(UserSchema), ...errorResponses(401, 404) },
        },
      },
      async (request, reply) => {
        const users = await findUsers(deps, request.params.orgId, request.query.email);
        return users.ok ? users.value : sendFailure(reply, users);
      },
    );
  };
}
