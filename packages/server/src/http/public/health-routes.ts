import type { FastifyPluginAsync } from "fastify";
import { failure } from "../../domain/failures.ts";
import { sendFailure } from "../error-handling.ts";

/** What readiness checks: each throws when its dependency cannot be reached. */
export interface ReadinessChecks {
  database(): Promise<void>;
  sharedState(): Promise<void>;
}

/** Liveness (`/healthz`) and readiness (`/readyz`: the database and the shared state answer). */
export function healthRoutes(checks: ReadinessChecks): FastifyPluginAsync {
  return async (app) => {
    app.get("/healthz", { schema: { tags: ["Operations"], summary: "Alive", hide: true } }, async () => ({ status: "ok" }));
    app.get(
      "/readyz",
      { schema: { tags: ["Operations"], summary: "Database and shared state reachable", hide: true } },
      async (request, reply) => {
        try {
          await checks.database();
        } catch (error) {
          request.log.warn({ err: { message: (error as Error).message } }, "readiness check failed: database");
          return sendFailure(reply, failure("SERVICE_UNAVAILABLE", "The database is not reachable."));
        }
        try {
          await checks.sharedState();
        } catch (error) {
          request.log.warn({ err: { message: (error as Error).message } }, "readiness check failed: shared state");
          return sendFailure(reply, failure("SERVICE_UNAVAILABLE", "The shared state (Redis) is not reachable."));
        }
        return { status: "ready" };
      },
    );
  };
}
