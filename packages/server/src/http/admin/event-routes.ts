import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { type OrganisationAdministration } from "../../admin/organisations.ts";
import { providerEvents } from "../../admin/provider-watch.ts";
import type { ProviderWatchRepository } from "../../domain/ports/repositories.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { ADMIN_SECURITY as security, OrgParams } from "./schemas.ts";

const EventsQuery = Type.Object({ limit: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,2}$" })) }, { additionalProperties: false });

const ProviderChangeSchema = Type.Object({
  field: Type.String({ description: "issuer, authorizationEndpoint, tokenEndpoint, userinfoEndpoint, jwksUri, algorithms or keys" }),
  before: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  after: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  added: Type.Optional(Type.Array(Type.String())),
  removed: Type.Optional(Type.Array(Type.String())),
});

const ProviderEventSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.Literal("provider.changed"),
    orgId: Type.String(),
    provider: Type.String(),
    changes: Type.Array(ProviderChangeSchema),
    at: Type.String({ format: "date-time" }),
  },
  { $id: "ProviderEvent" },
);

/** `GET /api/v1/orgs/:orgId/events`: what the provider watch found changed at the organisation's providers, newest first. */
export function eventRoutes(
  deps: OrganisationAdministration & { readonly providerWatch: Pick<ProviderWatchRepository, "events"> },
): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof EventsQuery> }>(
      "/api/v1/orgs/:orgId/events",
      {
        schema: {
          tags: ["Admin"],
          security,
          summary: "The organisation's provider events (provider.changed), newest first",
          params: OrgParams,
          querystring: EventsQuery,
          response: { 200: Type.Object({ events: Type.Array(ProviderEventSchema) }), ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const events = await providerEvents(deps, request.params.orgId, Number(request.query.limit ?? "50"));
        return events.ok ? events.value : sendFailure(reply, events);
      },
    );
  };
}
