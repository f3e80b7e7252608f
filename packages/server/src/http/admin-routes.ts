import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { auditPage, type AuditAdministration } from "../admin/audit.ts";
import { createOrganisation, implicitOrganisation, listOrganisations, requireOrganisation } from "../admin/organisations.ts";
import { checkProvider, listProviders, type ProviderAdministration, type ProviderCheckDeps, removeProvider, saveProvider, viewProvider } from "../admin/providers.ts";
import { createUser, findUsers, type UserAdministration } from "../admin/users.ts";
import { failure } from "../domain/failures.ts";
import { requireAdminToken } from "./admin-auth.ts";
import { errorResponses, sendFailure } from "./error-handling.ts";
import { ProviderPresetSchema, ProviderSettingsInputSchema, ProviderViewSchema } from "./provider-schemas.ts";
import { describePresets } from "../presets/index.ts";

export interface AdminRouteOptions {
  readonly store: ProviderAdministration & UserAdministration & AuditAdministration;
  readonly providerCheck: ProviderCheckDeps;
  readonly adminToken: string;
  readonly allowInsecureLoopback: boolean;
}

const OrgSchema = Type.Object({ id: Type.String(), name: Type.String(), domains: Type.Array(Type.String()), createdAt: Type.String() });
const UserSchema = Type.Object({ id: Type.String(), orgId: Type.String(), email: Type.String(), fullName: Type.Union([Type.String(), Type.Null()]), status: Type.String(), createdAt: Type.String() });
const OrgParams = Type.Object({ orgId: Type.String({ maxLength: 64 }) });
const ProviderParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), name: Type.String({ maxLength: 64 }) });
const security = [{ bearerAuth: [] }];
const CreateOrgBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), domains: Type.Optional(Type.Array(Type.String({ format: "hostname", minLength: 1, maxLength: 253 }), { maxItems: 100 })) }, { additionalProperties: false });
const CreateUserBody = Type.Object({ email: Type.String({ format: "email", maxLength: 320 }), fullName: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
const UsersQuery = Type.Object({ email: Type.Optional(Type.String({ maxLength: 320 })) }, { additionalProperties: false });
const AuditQuery = Type.Object({ limit: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,2}$" })), cursor: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false });
const CompatQuery = Type.Object({ orgId: Type.Optional(Type.String({ maxLength: 64 })), providerName: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false });
const CompatWriteQuery = Type.Object({ orgId: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false });
type OrgRoute = { Params: Static<typeof OrgParams> };
type ProviderRoute = { Params: Static<typeof ProviderParams> };

export function adminRoutes(options: AdminRouteOptions): FastifyPluginAsync {
  const { store } = options;
  return async (base) => {
    const app = base;
    app.addHook("onRequest", requireAdminToken(options.adminToken));
    const tags = ["Admin"];

    app.post<{ Body: Static<typeof CreateOrgBody> }>("/api/v1/orgs", {
      schema: {
        tags, security, summary: "Create an organisation",
        body: CreateOrgBody,
        response: { 201: OrgSchema, ...errorResponses(400, 401, 409) },
      },
    }, async (request, reply) => {
      const result = await createOrganisation(store, request.body.name, request.body.domains ?? []);
      return result.ok ? reply.code(201).send(result.value) : sendFailure(reply, result);
    });

    app.get("/api/v1/orgs", { schema: { tags, security, summary: "List organisations", response: { 200: Type.Array(OrgSchema), ...errorResponses(401) } } }, async () => listOrganisations(store));

    app.get<OrgRoute>("/api/v1/orgs/:orgId", { schema: { tags, security, summary: "Get an organisation", params: OrgParams, response: { 200: OrgSchema, ...errorResponses(401, 404) } } }, async (request, reply) => {
      const org = await requireOrganisation(store, request.params.orgId);
      return org.ok ? org.value : sendFailure(reply, org);
    });

    app.put<ProviderRoute & { Body: Static<typeof ProviderSettingsInputSchema> }>("/api/v1/orgs/:orgId/oauth-providers/:name", {
      schema: { tags, security, summary: "Create or replace an OAuth provider", params: ProviderParams, body: ProviderSettingsInputSchema, response: { 200: ProviderViewSchema, 201: ProviderViewSchema, ...errorResponses(400, 401, 404) } },
    }, async (request, reply) => {
      const result = await saveProvider(store, request.params.orgId, request.params.name, request.body, options);
      if (!result.ok) return sendFailure(reply, result);
      return reply.code(result.value.created ? 201 : 200).send(result.value.view);
    });

    app.get("/api/v1/provider-presets", {
      schema: { tags, security, summary: "List provider presets and the options each needs", response: { 200: Type.Array(ProviderPresetSchema), ...errorResponses(401) } },
    }, async () => describePresets());

    app.get<OrgRoute>("/api/v1/orgs/:orgId/oauth-providers", { schema: { tags, security, summary: "List OAuth providers", params: OrgParams, response: { 200: Type.Array(ProviderViewSchema), ...errorResponses(401, 404) } } }, async (request, reply) => {
      const providers = await listProviders(store, request.params.orgId);
      return providers.ok ? providers.value : sendFailure(reply, providers);
    });

    app.get<ProviderRoute>("/api/v1/orgs/:orgId/oauth-providers/:name", { schema: { tags, security, summary: "Get an OAuth provider", params: ProviderParams, response: { 200: ProviderViewSchema, ...errorResponses(401, 404) } } }, async (request, reply) => {
      const view = await viewProvider(store, request.params.orgId, request.params.name);
      return view.ok ? view.value : sendFailure(reply, view);
    });

    app.delete<ProviderRoute>("/api/v1/orgs/:orgId/oauth-providers/:name", { schema: { tags, security, summary: "Remove an OAuth provider", params: ProviderParams, response: { 204: Type.Null(), ...errorResponses(401, 404) } } }, async (request, reply) => {
      const removed = await removeProvider(store, request.params.orgId, request.params.name);
      return removed.ok ? reply.code(204).send() : sendFailure(reply, removed);
    });

    app.post<ProviderRoute>("/api/v1/orgs/:orgId/oauth-providers/:name/test", {
      schema: { tags, security, summary: "Check that a provider's discovery and keys can be fetched", params: ProviderParams, response: { 200: Type.Object({ ok: Type.Boolean(), issuer: Type.String(), authorizationEndpoint: Type.String(), tokenEndpoint: Type.String() }), ...errorResponses(401, 404, 502, 504) } },
    }, async (request, reply) => {
      const checked = await checkProvider(options.providerCheck, request.params.orgId, request.params.name);
      return checked.ok ? { ok: true, ...checked.value } : sendFailure(reply, checked);
    });

    app.post<OrgRoute & { Body: Static<typeof CreateUserBody> }>("/api/v1/orgs/:orgId/users", {
      schema: { tags, security, summary: "Add a user", params: OrgParams, body: CreateUserBody, response: { 201: UserSchema, ...errorResponses(400, 401, 404, 409) } },
    }, async (request, reply) => {
      const result = await createUser(store, request.params.orgId, request.body.email, request.body.fullName ?? null);
      return result.ok ? reply.code(201).send(result.value) : sendFailure(reply, result);
    });

    app.get<OrgRoute & { Querystring: Static<typeof UsersQuery> }>("/api/v1/orgs/:orgId/users", {
      schema: { tags, security, summary: "Find users", params: OrgParams, querystring: UsersQuery, response: { 200: Type.Array(UserSchema), ...errorResponses(401, 404) } },
    }, async (request, reply) => {
      const users = await findUsers(store, request.params.orgId, request.query.email);
      return users.ok ? users.value : sendFailure(reply, users);
    });

    app.get<OrgRoute & { Querystring: Static<typeof AuditQuery> }>("/api/v1/orgs/:orgId/audit", {
      schema: {
        tags, security, summary: "Page through the sign-in audit trail, newest first", params: OrgParams,
        querystring: AuditQuery,
        response: { 200: Type.Object({ records: Type.Array(Type.Object({}, { additionalProperties: true })), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(401, 404) },
      },
    }, async (request, reply) => {
      const page = await auditPage(store, request.params.orgId, Number(request.query.limit ?? "50"), request.query.cursor);
      return page.ok ? page.value : sendFailure(reply, page);
    });

    // PipesHub compatibility: one generic OAuth provider per call, named by providerName.
    const compatTags = ["Authentication Configuration"];

    app.get<{ Querystring: Static<typeof CompatQuery> }>("/configurationManager/authConfig/oauth", { schema: { tags: compatTags, security, operationId: "getGenericOAuthConfig", summary: "Get generic OAuth configuration", querystring: CompatQuery } }, async (request, reply) => {
      const org = await implicitOrganisation(store, request.query.orgId);
      if (!org.ok) return sendFailure(reply, org);
      const listed = await listProviders(store, org.value.id);
      if (!listed.ok) return sendFailure(reply, listed);
      const providers = listed.value;
      const view = request.query.providerName === undefined ? (providers.length === 1 ? providers[0] : undefined) : providers.find((p) => p.providerName === request.query.providerName);
      if (!view) return sendFailure(reply, failure("NOT_FOUND", request.query.providerName === undefined ? "Name the provider with providerName." : `No provider "${request.query.providerName}" in this organisation.`));
      return { ...view, redirectUri: view.redirectUris[0] };
    });

    app.post<{ Querystring: Static<typeof CompatWriteQuery>; Body: Static<typeof ProviderSettingsInputSchema> }>("/configurationManager/authConfig/oauth", {
      schema: { tags: compatTags, security, operationId: "setOAuthConfig", summary: "Configure generic OAuth provider", querystring: CompatWriteQuery, body: ProviderSettingsInputSchema },
    }, async (request, reply) => {
      const org = await implicitOrganisation(store, request.query.orgId);
      if (!org.ok) return sendFailure(reply, org);
      const name = request.body.providerName;
      if (name === undefined) return sendFailure(reply, failure("VALIDATION_ERROR", "body must have required property 'providerName'"));
      const result = await saveProvider(store, org.value.id, name, request.body, options);
      if (!result.ok) return sendFailure(reply, result);
      return { message: "OAuth configuration saved", ...result.value.view };
    });
  };
}
