import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { implicitOrganisation } from "../../admin/organisations.ts";
import type { ProviderNetworkAllowList } from "../../domain/provider-network.ts";
import { listProviders, type ProviderAdministration, saveProvider } from "../../admin/providers.ts";
import { failure } from "../../domain/failures.ts";
import { sendFailure } from "../error-handling.ts";
import { adminCaller } from "./admin-caller.ts";
import { ADMIN_SECURITY as security, ProviderSettingsInputSchema } from "./schemas.ts";

const CompatQuery = Type.Object(
  { orgId: Type.Optional(Type.String({ maxLength: 64 })), providerName: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);
const CompatWriteQuery = Type.Object({ orgId: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false });

/** PipesHub compatibility (`/configurationManager/authConfig/oauth`): one generic OAuth provider per call, named by providerName. */
export function configurationManagerRoutes(options: {
  administration: ProviderAdministration;
  allowInsecureLoopback: boolean;
  networkAllow?: ProviderNetworkAllowList;
}): FastifyPluginAsync {
  const deps = options.administration;
  return async (app) => {
    const tags = ["Authentication Configuration"];

    app.get<{ Querystring: Static<typeof CompatQuery> }>(
      "/configurationManager/authConfig/oauth",
      {
        schema: {
          tags,
          security,
          operationId: "getGenericOAuthConfig",
          summary: "Get generic OAuth configuration",
          querystring: CompatQuery,
        },
      },
      async (request, reply) => {
        const org = await implicitOrganisation(deps, request.query.orgId);
        if (!org.ok) return sendFailure(reply, org);
        const listed = await listProviders(deps, org.value.id);
        if (!listed.ok) return sendFailure(reply, listed);
        const providers = listed.value;
        const view =
          request.query.providerName === undefined
            ? providers.length === 1
              ? providers[0]
              : undefined
            : providers.find((p) => p.providerName === request.query.providerName);
        if (!view)
          return sendFailure(
            reply,
            failure(
              "NOT_FOUND",
              request.query.providerName === undefined
                ? "Name the provider with providerName."
                : `No provider "${request.query.providerName}" in this organisation.`,
            ),
          );
        return { ...view, redirectUri: view.redirectUris[0] };
      },
    );

    app.post<{ Querystring: Static<typeof CompatWriteQuery>; Body: Static<typeof ProviderSettingsInputSchema> }>(
      "/configurationManager/authConfig/oauth",
      {
        schema: {
          tags,
          security,
          operationId: "setOAuthConfig",
          summary: "Configure generic OAuth provider",
          querystring: CompatWriteQuery,
          body: ProviderSettingsInputSchema,
        },
      },
      async (request, reply) => {
        const org = await implicitOrganisation(deps, request.query.orgId);
        if (!org.ok) return sendFailure(reply, org);
        const name = request.body.providerName;
        if (name === undefined) return sendFailure(reply, failure("VALIDATION_ERROR", "body must have required property 'providerName'"));
        const result = await saveProvider(deps, org.value.id, name, request.body, options, adminCaller(request));
        if (!result.ok) return sendFailure(reply, result);
        return { message: "OAuth configuration saved", ...result.value.view };
      },
    );
  };
}
