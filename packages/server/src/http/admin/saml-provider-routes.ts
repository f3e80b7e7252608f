import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import {
  listSamlProviders,
  removeSamlProvider,
  type SamlProviderAdministration,
  samlProviderPresets,
  saveSamlProvider,
  viewSamlProvider,
} from "../../admin/saml-providers.ts";
import type { ProviderNetworkAllowList } from "../../domain/provider-network.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { adminCaller } from "./admin-caller.ts";
import { failureFor } from "./answers-without-cause.ts";
import { SamlPresetSchema, SamlProviderInputSchema, SamlProviderViewSchema, SavedSamlProviderSchema } from "./saml-schemas.ts";
import { ADMIN_SECURITY as security, OrgParams, ProviderParams } from "./schemas.ts";

/** What the SAML provider routes call. */
export interface SamlProviderRouteOptions {
  readonly administration: SamlProviderAdministration;
  readonly allowInsecureLoopback: boolean;
  readonly networkAllow?: ProviderNetworkAllowList;
}

type OrgRoute = { Params: Static<typeof OrgParams> };
type ProviderRoute = { Params: Static<typeof ProviderParams> };

/** `/api/v1/orgs/:orgId/saml-providers`: an organisation's SAML 2.0 providers; `/api/v1/saml-provider-presets`. */
export function samlProviderRoutes(options: SamlProviderRouteOptions): FastifyPluginAsync {
  const deps = options.administration;
  const save = {
    allowInsecureLoopback: options.allowInsecureLoopback,
    ...(options.networkAllow && { networkAllow: options.networkAllow }),
  };
  return async (app) => {
    const tags = ["Admin"];

    app.put<ProviderRoute & { Body: Static<typeof SamlProviderInputSchema> }>(
      "/api/v1/orgs/:orgId/saml-providers/:name",
      {
        schema: {
          tags,
          security,
          summary: "Create or replace a SAML 2.0 provider",
          description:
            "Give the IdP's values one way: `idpMetadataUrl` (fetched now through the outbound guard, and re-read by the watch), `idpMetadataXml`, or `idpEntityId` + `idpSsoUrl` + `idpCertificates`. " +
            "Answers the provider with the SP values to register at the IdP (`spEntityId`, `acsUrl`, `spMetadataUrl`). " +
            "Names are unique across the organisation's OAuth and SAML providers (409 PROVIDER_NAME_TAKEN). " +
            "Another IdP entity ID (or subject attribute) drops the provider's identity links (`identityLinksDropped`). " +
            "Who saves the identity settings (entity ID, SSO URL, metadata URL, certificates, attributes) decides which existing users the provider may link; `linkExistingUsers` is the operator's alone.",
          params: ProviderParams,
          body: SamlProviderInputSchema,
          response: { 200: SavedSamlProviderSchema, 201: SavedSamlProviderSchema, ...errorResponses(400, 404, 409, 502, 504) },
        },
      },
      async (request, reply) => {
        const { orgId, name } = request.params;
        const result = await saveSamlProvider(deps, orgId, name, request.body, save, adminCaller(request));
        // Reading the metadata URL is a connection a delegated admin chose: they read its failure without the cause.
        if (!result.ok) return sendFailure(reply, failureFor(request, result));
        const { view, created, identityLinksDropped } = result.value;
        return reply.code(created ? 201 : 200).send({ ...view, identityLinksDropped });
      },
    );

    app.get(
      "/api/v1/saml-provider-presets",
      {
        schema: {
          tags,
          security,
          summary: "List SAML presets: which value to copy where at Entra ID, Okta, Google Workspace and AD FS",
          response: { 200: Type.Array(SamlPresetSchema) },
        },
      },
      async () => samlProviderPresets(),
    );

    app.get<OrgRoute>(
      "/api/v1/orgs/:orgId/saml-providers",
      {
        schema: {
          tags,
          security,
          summary: "List SAML providers",
          params: OrgParams,
          response: { 200: Type.Array(SamlProviderViewSchema), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const providers = await listSamlProviders(deps, request.params.orgId);
        return providers.ok ? providers.value : sendFailure(reply, providers);
      },
    );

    app.get<ProviderRoute>(
      "/api/v1/orgs/:orgId/saml-providers/:name",
      {
        schema: {
          tags,
          security,
          summary: "Get a SAML provider",
          params: ProviderParams,
          response: { 200: SamlProviderViewSchema, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const view = await viewSamlProvider(deps, request.params.orgId, request.params.name);
        return view.ok ? view.value : sendFailure(reply, view);
      },
    );

    app.delete<ProviderRoute>(
      "/api/v1/orgs/:orgId/saml-providers/:name",
      {
        schema: {
          tags,
          security,
          summary: "Remove a SAML provider",
          params: ProviderParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const removed = await removeSamlProvider(deps, request.params.orgId, request.params.name, adminCaller(request));
        return removed.ok ? reply.code(204).send() : sendFailure(reply, removed);
      },
    );
  };
}
