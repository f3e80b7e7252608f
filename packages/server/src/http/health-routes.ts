import type { FastifyPluginAsync } from "fastify";
import { sql } from "kysely";
import type { Db } from "../store/database.ts";
import { failure } from "../errors.ts";
import { sendFailure } from "./error-handling.ts";

export function healthRoutes(db: Db): FastifyPluginAsync {
  return async (app) => {
    app.get("/healthz", { schema: { tags: ["Operations"], summary: "Alive", hide: true } }, async () => ({ status: "ok" }));
    app.get("/readyz", { schema: { tags: ["Operations"], summary: "Database reachable", hide: true } }, async (request, reply) => {
      try {
        await sql`select 1`.execute(db);
        return { status: "ready" };
      } catch (error) {
        request.log.warn({ err: { message: (error as Error).message } }, "readiness check failed");
        return sendFailure(reply, failure("SERVICE_UNAVAILABLE", "The database is not reachable."));
      }
    });
  };
}
