import type { FastifyPluginAsync } from "fastify";
import type { Static } from "typebox";
import type { HealthWindow } from "../../admin/provider-health.ts";
import { doctorSamlProvider, type SamlDoctorDeps } from "../../admin/saml-doctor.ts";
import { samlProviderHealth, type SamlProviderHealthDeps } from "../../admin/saml-provider-health.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { doctorReportFor, healthFor } from "./answers-without-cause.ts";
import { doctorAsRead, healthAsRead } from "./fixes-as-read.ts";
import { HealthQuery, ProviderHealthSchema } from "./provider-health-routes.ts";
import { ADMIN_SECURITY as security, DoctorReportSchema, ProviderParams } from "./schemas.ts";

type ProviderRoute = { Params: Static<typeof ProviderParams> };

/** `…/saml-providers/:name/doctor` and `…/health`: the OAuth providers' checks, for a SAML provider. */
export function samlProviderCheckRoutes(deps: SamlDoctorDeps & SamlProviderHealthDeps): FastifyPluginAsync {
  return async (app) => {
    const tags = ["Admin"];
    app.post<ProviderRoute>(
      "/api/v1/orgs/:orgId/saml-providers/:name/doctor",
      {
        schema: {
          tags,
          security,
          summary:
            "Examine a SAML provider: metadata, entity ID, SSO URL, certificates and their expiry, signature algorithm, the SP values the IdP needs",
          description:
            "Reads the IdP's metadata now (when the provider has idpMetadataUrl) and answers one finding per check: pass, warn (a certificate expiring within 30 days, metadata that changed) or fail (an expired certificate, unreadable metadata, SHA-1 only), with what to change where.",
          params: ProviderParams,
          response: { 200: DoctorReportSchema, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const report = await doctorSamlProvider(deps, request.params.orgId, request.params.name);
        return report.ok ? doctorAsRead(request, doctorReportFor(request, report.value)) : sendFailure(reply, report);
      },
    );
    app.get<ProviderRoute & { Querystring: { window?: HealthWindow } }>(
      "/api/v1/orgs/:orgId/saml-providers/:name/health",
      {
        schema: {
          tags,
          security,
          summary: "How sign-ins through a SAML provider went over the last hour, day or week, failures by reason, and over time",
          params: ProviderParams,
          querystring: HealthQuery,
          response: { 200: ProviderHealthSchema, ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const health = await samlProviderHealth(deps, request.params.orgId, request.params.name, request.query.window ?? "24h");
        return health.ok ? healthAsRead(request, healthFor(request, health.value), request.params.name) : sendFailure(reply, health);
      },
    );
  };
}
