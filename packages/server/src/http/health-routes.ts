import type { FastifyPluginAsync } from "fastify";
import { sql } from "kysely";
import type { ShortLivedState } from "../state/short-lived-state.ts";
import type { Db } from "../store/database.ts";
import { failure } from "../errors.ts";
import { sendFailure } from "./error-handling.ts";

export function healthRoutes(db: Db, state: ShortLivedState): FastifyPluginAsync {
  return async (app) => {
    app.get("/healthz", { schema: { tags: ["Operations"], summary: "Alive", hide: true } }, async () => ({ status: "ok" }));
    app.get("/readyz", { schema: { tags: ["Operations"], summary: "Database and shared state reachable", hide: true } }, async (request, reply) => {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        request.log.warn({ err: { message: (error as Error).message } }, "readiness check failed: database");
        return sendFailure(reply, failure("SERVICE_UNAVAILABLE", "The database is not reachable."));
      }
      try {
        await state.ping();
      } catch (error) {
        request.log.warn({ err: { message: (error as Error).message } }, "readiness check failed: shared state");
        return sendFailure(reply, failure("SERVICE_UNAVAILABLE", "The shared state (Redis) is not reachable."));
      }
      return { status: "ready" };
    });
  };
}
