import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import {
  type ConsoleSessionAdministration,
  endAllConsoleSessions,
  endConsoleSession,
  listConsoleSessions,
} from "../../admin/console-sessions.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { actorOf } from "./admin-token.ts";
import { ADMIN_SECURITY as security } from "./schemas.ts";

const ConsoleSessionSchema = Type.Object(
  {
    id: Type.String({ description: "The session's id (not its cookie or token)" }),
    kind: Type.Union([Type.Literal("operator"), Type.Literal("org-admin"), Type.Literal("setup-link")]),
    orgId: Type.Union([Type.String(), Type.Null()]),
    userId: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: "date-time" }),
    expiresAt: Type.String({ format: "date-time" }),
  },
  { $id: "ConsoleSession" },
);
const SessionParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/**
 * `/api/v1/console-sessions`: the operator lists and ends the console's sessions — operators',
 * organisation admins' and setup links' — on every instance at once (operator only: no
 * organisation's scope reaches them).
 */
export function consoleSessionRoutes(deps: ConsoleSessionAdministration): FastifyPluginAsync {
  return async (app) => {
    const tags = ["Admin"];
    app.get(
      "/api/v1/console-sessions",
      {
        schema: {
          tags,
          security,
          summary: "Every live console session (operator, organisation admin, setup link), oldest first",
          response: { 200: Type.Object({ sessions: Type.Array(ConsoleSessionSchema) }) },
        },
      },
      async (_request, reply) => {
        reply.header("cache-control", "no-store");
        return { sessions: await listConsoleSessions(deps) };
      },
    );
    app.delete<{ Params: Static<typeof SessionParams> }>(
      "/api/v1/console-sessions/:id",
      {
        schema: {
          tags,
          security,
          summary: "End one console session (a setup link's by revoking the link); its cookie or token stops working at once",
          params: SessionParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const done = await endConsoleSession(deps, request.params.id, { actor: actorOf(request), ip: request.ip });
        return done.ok ? reply.code(204).send() : sendFailure(reply, done);
      },
    );
    app.delete(
      "/api/v1/console-sessions",
      {
        schema: {
          tags,
          security,
          summary: "End every console session, setup links' included; answers how many were live",
          response: { 200: Type.Object({ ended: Type.Integer({ minimum: 0 }) }) },
        },
      },
      async (request) => endAllConsoleSessions(deps, { actor: actorOf(request), ip: request.ip }),
    );
  };
}
