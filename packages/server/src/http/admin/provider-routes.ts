import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import {
  checkProvider,
  listProviders,
  promoteProviderSecret,
  type ProviderAdministration,
  type ProviderCheckDeps,
  providerPresets,
  removeProvider,
  saveProvider,
  viewProvider,
} from "../../admin/providers.ts";
import { doctorProvider, type ProviderDoctorDeps } from "../../admin/provider-doctor.ts";
import type { ProviderNetworkAllowList } from "../../domain/provider-network.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { adminCaller } from "./admin-caller.ts";
import { doctorReportFor, failureFor } from "./answers-without-cause.ts";
import {
  ADMIN_SECURITY as security,
  DoctorReportSchema,
  OrgParams,
  ProviderParams,
  ProviderPresetSchema,
  ProviderSettingsInputSchema,
  ProviderViewSchema,
  SavedProviderSchema,
} from "./schemas.ts";

/** What the provider routes call. */
export interface ProviderRouteOptions {
  readonly administration: ProviderAdministration;
  readonly providerCheck: ProviderCheckDeps & ProviderDoctorDeps;
  readonly allowInsecureLoopback: boolean;
  /** PROVIDER_NETWORK_ALLOW: private hosts and ranges providers may be saved at. */
  readonly networkAllow?: ProviderNetworkAllowList;
}

type OrgRoute = { Params: Static<typeof OrgParams> };

type ProviderRoute = { Params: Static<typeof ProviderParams> };

/** `/api/v1/orgs/:orgId/oauth-providers`: an organisation's providers; `/api/v1/provider-presets`. */
export function providerRoutes(options: ProviderRouteOptions): FastifyPluginAsync {
  const deps = options.administration;
  return async (app) => {
    const tags = ["Admin"];

    app.put<ProviderRoute & { Body: Static<typeof ProviderSettingsInputSchema> }>(
      "/api/v1/orgs/:orgId/oauth-providers/:name",
      {
        schema: {
          tags,
          security,
          summary: "Create or replace an OAuth provider",
          description:
            "Changing the issuer, token endpoint or subject claim drops the provider's identity links (their subjects would mean other accounts): `identityLinksDropped` says how many. " +
            "Who saves the identity settings (issuer, endpoints, clientId, subjectClaim, emailVerifiedClaim, trustEmail) decides which existing users the provider may link: see `identitySettingsSavedBy`. " +
            "`linkExistingUsers` is the operator's alone: an organisation admin or a setup session sending it is 403.",
          params: ProviderParams,
          body: ProviderSettingsInputSchema,
          response: { 200: SavedProviderSchema, 201: SavedProviderSchema, ...errorResponses(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const result = await saveProvider(deps, request.params.orgId, request.params.name, request.body, options, adminCaller(request));
        if (!result.ok) return sendFailure(reply, result);
        const { view, created, identityLinksDropped } = result.value;
        return reply.code(created ? 201 : 200).send({ ...view, identityLinksDropped });
      },
    );

    app.get(
      "/api/v1/provider-presets",
      {
        schema: {
          tags,
          security,
          summary: "List provider presets and the options each needs",
          response: { 200: Type.Array(ProviderPresetSchema) },
        },
      },
      async () => providerPresets(),
    );

    app.get<OrgRoute>(
      "/api/v1/orgs/:orgId/oauth-providers",
      {
        schema: {
          tags,
          security,
          summary: "List OAuth providers",
          params: OrgParams,
          response: { 200: Type.Array(ProviderViewSchema), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const providers = await listProviders(deps, request.params.orgId);
        return providers.ok ? providers.value : sendFailure(reply, providers);
      },
    );

    app.get<ProviderRoute>(
      "/api/v1/orgs/:orgId/oauth-providers/:name",
      {
        schema: {
          tags,
          security,
          summary: "Get an OAuth provider",
          params: ProviderParams,
          response: { 200: ProviderViewSchema, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const view = await viewProvider(deps, request.params.orgId, request.params.name);
        return view.ok ? view.value : sendFailure(reply, view);
      },
    );

    app.delete<ProviderRoute>(
      "/api/v1/orgs/:orgId/oauth-providers/:name",
      {
        schema: {
          tags,
          security,
          summary: "Remove an OAuth provider",
          params: ProviderParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const removed = await removeProvider(deps, request.params.orgId, request.params.name, adminCaller(request));
        return removed.ok ? reply.code(204).send() : sendFailure(reply, removed);
      },
    );

    app.post<ProviderRoute>(
      "/api/v1/orgs/:orgId/oauth-providers/:name/test",
      {
        schema: {
          tags,
          security,
          summary: "Check that a provider's discovery and keys can be fetched",
          params: ProviderParams,
          response: {
            200: Type.Object({
              ok: Type.Boolean(),
              issuer: Type.String(),
              authorizationEndpoint: Type.String(),
              tokenEndpoint: Type.String(),
            }),
            ...errorResponses(404, 502, 504),
          },
        },
      },
      async (request, reply) => {
        const checked = await checkProvider(options.providerCheck, request.params.orgId, request.params.name);
        return checked.ok ? { ok: true, ...checked.value } : sendFailure(reply, failureFor(request, checked));
      },
    );

    app.post<ProviderRoute>(
      "/api/v1/orgs/:orgId/oauth-providers/:name/promote-secret",
      {
        schema: {
          tags,
          security,
          summary: "Make the provider's next client secret the current one",
          description:
            "Ends a client-secret rotation: the nextClientSecret saved with the settings becomes clientSecret and the old secret is forgotten. 409 CONFLICT when no next secret is stored.",
          params: ProviderParams,
          response: { 200: ProviderViewSchema, ...errorResponses(404, 409) },
        },
      },
      async (request, reply) => {
        const promoted = await promoteProviderSecret(deps, request.params.orgId, request.params.name, adminCaller(request));
        return promoted.ok ? promoted.value : sendFailure(reply, promoted);
      },
    );

    app.post<ProviderRoute>(
      "/api/v1/orgs/:orgId/oauth-providers/:name/doctor",
      {
        schema: {
          tags,
          security,
          summary: "Examine a provider: discovery, issuer, keys, PKCE, client credentials, email scope, userinfo, clock",
          description:
            "Talks to the provider now (nothing cached, nothing changed) and answers one finding per check: pass, warn (sign-in may work) or fail (it will not), with what to change where. The token endpoint is sent a made-up code: invalid_grant means the client's credentials were accepted.",
          params: ProviderParams,
          response: { 200: DoctorReportSchema, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const report = await doctorProvider(options.providerCheck, request.params.orgId, request.params.name);
        return report.ok ? doctorReportFor(request, report.value) : sendFailure(reply, report);
      },
    );
  };
}
