import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { type IdentityAdministration, listIdentities, unlinkIdentity } from "../../admin/identities.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { actorOf } from "./admin-token.ts";
import { ADMIN_SECURITY as security } from "./schemas.ts";

const UserParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), userId: Type.String({ maxLength: 64 }) });
const IdentityParams = Type.Object({
  orgId: Type.String({ maxLength: 64 }),
  userId: Type.String({ maxLength: 64 }),
  provider: Type.String({ maxLength: 64 }),
});
/** A user's link to an identity at one of the organisation's providers. */
export const LinkedIdentitySchema = Type.Object({
  provider: Type.String({ description: "The provider's name" }),
  subject: Type.String({ description: "The user's identifier at the provider (its subject claim)" }),
  linkedAt: Type.String({ description: "When the link was made (ISO 8601)" }),
});

/**
 * `/api/v1/orgs/:orgId/users/:userId/identities`: the operator's view of which provider identities
 * sign a user in, and removing one so the next sign-in links again. The operator's alone.
 */
export function identityRoutes(deps: IdentityAdministration): FastifyPluginAsync {
  return async (app) => {
    const tags = ["Admin"];

    app.get<{ Params: Static<typeof UserParams> }>(
      "/api/v1/orgs/:orgId/users/:userId/identities",
      {
        schema: {
          tags,
          security,
          summary: "List a user's identity links",
          description: "The (provider, subject) links that sign the user in. The operator's alone.",
          params: UserParams,
          response: { 200: Type.Array(LinkedIdentitySchema), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const identities = await listIdentities(deps, request.params.orgId, request.params.userId);
        return identities.ok ? identities.value : sendFailure(reply, identities);
      },
    );

    app.delete<{ Params: Static<typeof IdentityParams> }>(
      "/api/v1/orgs/:orgId/users/:userId/identities/:provider",
      {
        schema: {
          tags,
          security,
          summary: "Remove a user's identity link at a provider",
          description:
            "Recorded as identity.unlinked. The user's next sign-in through a provider links again by the usual rules: how the operator moves an admin who already has an identity to another provider. The operator's alone.",
          params: IdentityParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const { orgId, userId, provider } = request.params;
        const removed = await unlinkIdentity(deps, orgId, userId, provider, { actor: actorOf(request), ip: request.ip });
        return removed.ok ? reply.code(204).send() : sendFailure(reply, removed);
      },
    );
  };
}
