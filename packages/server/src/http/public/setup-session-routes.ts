import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { redeemSetupLink, type SetupLinkDeps } from "../../admin/setup-links.ts";
import type { CredentialFailures } from "../credential-failures.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";

const RedeemBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });

/**
 * `POST /api/v1/setup-sessions`: redeems a setup link (the token from its URL's fragment), once,
 * for a setup session — a bearer token for the admin API that reaches only the link's
 * organisation's providers, until the link expires or is revoked.
 */
export function setupSessionRoutes(
  deps: Pick<SetupLinkDeps, "setupLinks">,
  /** An unknown, used, revoked or expired link counts with the admin API's refused credentials. */
  credentialFailures?: CredentialFailures,
): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: Static<typeof RedeemBody> }>(
      "/api/v1/setup-sessions",
      {
        schema: {
          tags: ["Admin"],
          summary: "Redeem a one-time setup link for a setup session (send it as Authorization: Bearer)",
          body: RedeemBody,
          response: {
            201: Type.Object({ sessionToken: Type.String(), orgId: Type.String(), expiresAt: Type.String({ format: "date-time" }) }),
            ...errorResponses(400, 401, 429),
          },
        },
        ...(credentialFailures && { onRequest: credentialFailures.guard }),
      },
      async (request, reply) => {
        const session = await redeemSetupLink(deps, request.body.token);
        if (!session.ok) {
          await credentialFailures?.failed(request, "setup link");
          return sendFailure(reply, session);
        }
        return reply.code(201).header("cache-control", "no-store").send(session.value);
      },
    );
  };
}
