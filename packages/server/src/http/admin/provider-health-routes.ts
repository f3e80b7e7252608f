import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { HEALTH_WINDOWS, type HealthWindow, providerHealth, type ProviderHealthDeps } from "../../admin/provider-health.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { healthFor } from "./answers-without-cause.ts";
import { ADMIN_SECURITY as security, ProviderParams } from "./schemas.ts";

export const HealthQuery = Type.Object(
  {
    window: Type.Optional(
      Type.Union(
        Object.keys(HEALTH_WINDOWS).map((w) => Type.Literal(w)),
        { default: "24h" },
      ),
    ),
  },
  { additionalProperties: false },
);

const Timestamp = Type.String({ format: "date-time" });

export const ProviderHealthSchema = Type.Object(
  {
    window: Type.String({ description: "1h, 24h or 7d" }),
    since: Timestamp,
    attempts: Type.Integer({ description: "Audited sign-in steps through the provider: each exchange, and each authenticate naming it" }),
    successes: Type.Integer(),
    failures: Type.Record(Type.String(), Type.Integer(), { description: "Failed attempts by reason (the AuthError id)" }),
    lastSuccessAt: Type.Union([Timestamp, Type.Null()]),
    lastFailure: Type.Union([
      Type.Object({
        reason: Type.String(),
        at: Timestamp,
        fix: Type.Optional(Type.String({ description: "What to change, and where, to stop this failure" })),
      }),
      Type.Null(),
    ]),
    bucketSeconds: Type.Integer({ description: "The length of each bucket of `series`: 300 for 1h, 3600 for 24h, 21600 for 7d" }),
    series: Type.Array(
      Type.Object({
        start: Type.String({ format: "date-time", description: "The bucket's start: a UTC multiple of bucketSeconds" }),
        attempts: Type.Integer(),
        successes: Type.Integer(),
        failures: Type.Integer({ description: "attempts − successes" }),
      }),
      {
        description:
          "The same attempts over time: from the bucket holding `since` to the one holding now, oldest first, every bucket present (zeros where nothing happened); they add up to the totals",
      },
    ),
  },
  { $id: "ProviderHealth" },
);

/** `GET /api/v1/orgs/:orgId/oauth-providers/:name/health`: how sign-ins through a provider went lately. */
export function providerHealthRoutes(deps: ProviderHealthDeps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: Static<typeof ProviderParams>; Querystring: { window?: HealthWindow } }>(
      "/api/v1/orgs/:orgId/oauth-providers/:name/health",
      {
        schema: {
          tags: ["Admin"],
          security,
          summary: "How sign-ins through a provider went over the last hour, day or week, failures by reason, and over time",
          params: ProviderParams,
          querystring: HealthQuery,
          response: { 200: ProviderHealthSchema, ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const health = await providerHealth(deps, request.params.orgId, request.params.name, request.query.window ?? "24h");
        return health.ok ? healthFor(request, health.value) : sendFailure(reply, health);
      },
    );
  };
}
