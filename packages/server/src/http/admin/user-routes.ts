import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { createUser, findUsers, updateUser, type UserAdministration } from "../../admin/users.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { adminCaller } from "./admin-caller.ts";
import { ADMIN_SECURITY as security, OrgParams, UserRoleSchema, UserSchema, UserStatusSchema } from "./schemas.ts";

const CreateUserBody = Type.Object(
  {
    email: Type.String({ format: "email", maxLength: 320 }),
    fullName: Type.Optional(Type.String({ maxLength: 200 })),
    role: Type.Optional(UserRoleSchema),
  },
  { additionalProperties: false },
);
const UpdateUserBody = Type.Object(
  { role: Type.Optional(UserRoleSchema), status: Type.Optional(UserStatusSchema) },
  { additionalProperties: false, minProperties: 1, description: "The role, the status, or both" },
);
const UsersQuery = Type.Object({ email: Type.Optional(Type.String({ maxLength: 320 })) }, { additionalProperties: false });
const UserParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), userId: Type.String({ maxLength: 64 }) });
type OrgRoute = { Params: Static<typeof OrgParams> };

/**
 * `/api/v1/orgs/:orgId/users`: add users, find them by email, make them admins of their
 * organisation or members again, and disable them (ending their sessions) or enable them again.
 */
export function userRoutes(deps: UserAdministration): FastifyPluginAsync {
  return async (app) => {
    const tags = ["Admin"];

    app.post<OrgRoute & { Body: Static<typeof CreateUserBody> }>(
      "/api/v1/orgs/:orgId/users",
      {
        schema: {
          tags,
          security,
          summary: "Add a user (a member unless role says admin)",
          params: OrgParams,
          body: CreateUserBody,
          response: { 201: UserSchema, ...errorResponses(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const { email, fullName, role } = request.body;
        const result = await createUser(deps, request.params.orgId, email, fullName ?? null, role, adminCaller(request));
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
          response: { 200: Type.Array(UserSchema), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const users = await findUsers(deps, request.params.orgId, request.query.email);
        return users.ok ? users.value : sendFailure(reply, users);
      },
    );

    app.patch<{ Params: Static<typeof UserParams>; Body: Static<typeof UpdateUserBody> }>(
      "/api/v1/orgs/:orgId/users/:userId",
      {
        schema: {
          tags,
          security,
          summary: "Change a user's role or status (disable or enable them)",
          description:
            "`role`: an admin administers the organisation (its providers and audit trail) with their own sign-in; effective at their next request. " +
            "`status`: `disabled` refuses their sign-ins (USER_DISABLED) and ends every sign-in session of theirs at once: their refresh tokens, and their access tokens wherever this service checks them, stop working " +
            "(an application that verifies access tokens only against the JWKS accepts them until they expire). " +
            "`active` lets them sign in again; ended sessions stay ended. Each change is one record in the organisation's audit trail: `user.disabled`, `user.enabled`, `user.made_admin`, `user.made_member`, or `user.updated` for both at once. " +
            "The operator's alone: an organisation admin or a setup session is 403.",
          params: UserParams,
          body: UpdateUserBody,
          response: { 200: UserSchema, ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const { orgId, userId } = request.params;
        const user = await updateUser(deps, orgId, userId, request.body, adminCaller(request));
        return user.ok ? user.value : sendFailure(reply, user);
      },
    );
  };
}
