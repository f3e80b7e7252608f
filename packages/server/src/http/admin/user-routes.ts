import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { endUserSessions, type UserSessionDeps } from "../../admin/user-sessions.ts";
import { createUser, findUsers, updateUser, type UserAdministration } from "../../admin/users.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { adminCaller } from "./admin-caller.ts";
import { LinkedIdentitySchema } from "./identity-routes.ts";
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
const UsersQuery = Type.Object(
  {
    email: Type.Optional(Type.String({ maxLength: 320, description: "Only the user with this email (case-insensitively)" })),
    q: Type.Optional(
      Type.String({ maxLength: 200, description: "Only users whose email or full name contains this (case-insensitively)" }),
    ),
    limit: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,2}$", description: "Users per page: 50 unless given, at most 200" })),
    cursor: Type.Optional(Type.String({ maxLength: 64, description: "The x-next-cursor of the page before" })),
  },
  { additionalProperties: false },
);
const ListedUserSchema = Type.Object({
  ...UserSchema.properties,
  identities: Type.Array(LinkedIdentitySchema, { description: "The user's identity links, by provider" }),
  lastSignInAt: Type.Union([Type.String(), Type.Null()], {
    description: "When their latest sign-in that reached the service's tokens began (ISO 8601); null when none has",
  }),
});
const UserParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), userId: Type.String({ maxLength: 64 }) });
type OrgRoute = { Params: Static<typeof OrgParams> };

/**
 * `/api/v1/orgs/:orgId/users`: add users, find them by email, make them admins of their
 * organisation or members again, and disable them (ending their sessions) or enable them again.
 */
export function userRoutes(deps: UserAdministration & UserSessionDeps): FastifyPluginAsync {
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
          summary: "Find users, a page at a time, with their identities and last sign-in",
          description:
            "Oldest first (by id). When more users follow, the answer carries an `x-next-cursor` header: pass it as `cursor` for the next page; " +
            "the last page has none. `q` narrows to users whose email or full name contains it, `email` to the one with that address.",
          params: OrgParams,
          querystring: UsersQuery,
          response: { 200: Type.Array(ListedUserSchema), ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const { email, q, limit, cursor } = request.query;
        const page = await findUsers(deps, request.params.orgId, {
          email,
          q,
          cursor,
          limit: limit === undefined ? undefined : Number(limit),
        });
        if (!page.ok) return sendFailure(reply, page);
        if (page.value.nextCursor !== null) reply.header("x-next-cursor", page.value.nextCursor);
        return page.value.users;
      },
    );

    app.delete<{ Params: Static<typeof UserParams> }>(
      "/api/v1/orgs/:orgId/users/:userId/sessions",
      {
        schema: {
          tags,
          security,
          summary: "End every session of a user (without disabling them)",
          description:
            "Revokes each of the user's sign-ins (their refresh tokens are refused, and their access tokens wherever this service checks them) " +
            "and ends their console sessions as an organisation admin; they may sign in again. `ended`: how many sign-ins it ended. " +
            "Recorded as `user.sessions_ended`. The operator's alone: an organisation admin or a setup session is 403.",
          params: UserParams,
          response: { 200: Type.Object({ ended: Type.Integer({ minimum: 0 }) }), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const { orgId, userId } = request.params;
        const ended = await endUserSessions(deps, orgId, userId, adminCaller(request));
        return ended.ok ? ended.value : sendFailure(reply, ended);
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
