import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { addDomainClaim, type DomainClaimDeps, listDomainClaims, removeDomainClaim, verifyDomainClaim } from "../../admin/domain-claims.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { adminCaller } from "./admin-caller.ts";
import { DomainName } from "./organisation-routes.ts";
import { ADMIN_SECURITY as security, OrgParams, OrgSchema } from "./schemas.ts";

const DomainBody = Type.Object({ domain: DomainName }, { additionalProperties: false });
const DomainParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), domain: DomainName });

/** One of an organisation's domains, with the DNS TXT record that proves it. */
export const DomainClaimSchema = Type.Object({
  domain: Type.String(),
  status: Type.Union([Type.Literal("verified"), Type.Literal("pending")], {
    description: "verified: routes sign-ins to the organisation; pending: counts nowhere until its TXT record is seen",
  }),
  txtName: Type.String({ description: "Where the TXT record goes: _pipeshub-auth.<domain>" }),
  txtValue: Type.String({ description: "The TXT record's value: pipeshub-auth-verification=<this claim's token>" }),
  verifiedAt: Type.Optional(Type.String()),
  lastCheckedAt: Type.Optional(Type.String({ description: "When the record was last looked up" })),
});
const AddedDomain = Type.Object({ ...OrgSchema.properties, claim: DomainClaimSchema });

/**
 * `/api/v1/orgs/:orgId/domains`: the organisation's domains and their proof. The operator adds
 * verified domains; an organisation admin or a setup session adds pending ones, checks them and
 * removes pending ones (see ORGANISATION_SCOPE_ROUTES).
 */
export function domainClaimRoutes(deps: DomainClaimDeps): FastifyPluginAsync {
  return async (app) => {
    const tags = ["Admin"];

    app.get<{ Params: Static<typeof OrgParams> }>(
      "/api/v1/orgs/:orgId/domains",
      {
        schema: {
          tags,
          security,
          summary: "List an organisation's domains with their TXT records",
          params: OrgParams,
          response: { 200: Type.Array(DomainClaimSchema), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const claims = await listDomainClaims(deps, request.params.orgId);
        return claims.ok ? claims.value : sendFailure(reply, claims);
      },
    );

    app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof DomainBody> }>(
      "/api/v1/orgs/:orgId/domains",
      {
        schema: {
          tags,
          security,
          summary: "Add an email domain to an organisation",
          description:
            "The operator's domain is verified at once: new sign-ins with an address of it route to the organisation. An organisation admin's or a setup session's is pending until its DNS TXT record (claim.txtName, claim.txtValue) is seen. A domain this organisation claims, or another holds verified, is 409.",
          params: OrgParams,
          body: DomainBody,
          response: { 201: AddedDomain, ...errorResponses(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const added = await addDomainClaim(deps, request.params.orgId, request.body.domain, adminCaller(request));
        return added.ok ? reply.code(201).send({ ...added.value.organisation, claim: added.value.claim }) : sendFailure(reply, added);
      },
    );

    app.post<{ Params: Static<typeof DomainParams> }>(
      "/api/v1/orgs/:orgId/domains/:domain/verify",
      {
        schema: {
          tags,
          security,
          summary: "Check a domain's TXT record now",
          description:
            "Looks up txtName: when a TXT record there has txtValue, the domain is verified and routes from now on (the organisation's other domains are untouched). Otherwise 409 DOMAIN_NOT_VERIFIED says what was found (`found`: no-records, nxdomain, other-values, timeout, failed). A domain another organisation verified first is 409 CONFLICT.",
          params: DomainParams,
          response: { 200: DomainClaimSchema, ...errorResponses(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const checked = await verifyDomainClaim(deps, request.params.orgId, request.params.domain, adminCaller(request));
        return checked.ok ? checked.value : sendFailure(reply, checked);
      },
    );

    app.delete<{ Params: Static<typeof DomainParams> }>(
      "/api/v1/orgs/:orgId/domains/:domain",
      {
        schema: {
          tags,
          security,
          summary: "Remove an email domain from an organisation",
          description:
            "New sign-ins with an address of the domain no longer route to the organisation. Its existing users keep their accounts and still sign in to it. Only the operator removes a verified domain; an organisation admin or setup session removes pending ones.",
          params: DomainParams,
          response: { 204: Type.Null(), ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const removed = await removeDomainClaim(deps, request.params.orgId, request.params.domain, adminCaller(request));
        return removed.ok ? reply.code(204).send() : sendFailure(reply, removed);
      },
    );
  };
}
