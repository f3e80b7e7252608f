import type { FastifyPluginAsync } from "fastify";
import type { Static } from "typebox";
import { samlServiceProviderMetadata } from "../../admin/saml-providers.ts";
import type { SamlProviderRepository } from "../../domain/ports/saml-providers.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { Type } from "typebox";

const Params = Type.Object({ orgId: Type.String({ maxLength: 64 }), name: Type.String({ maxLength: 64 }) });

/** `GET /api/v1/saml/:orgId/:name/metadata`: a SAML provider's SP metadata, public, for the IdP's admin to import. */
export function samlMetadataRoutes(deps: { readonly samlProviders: Pick<SamlProviderRepository, "configured"> }): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: Static<typeof Params> }>(
      "/api/v1/saml/:orgId/:name/metadata",
      {
        schema: {
          tags: ["SAML"],
          summary: "A SAML provider's service provider metadata (XML)",
          description:
            "The SP entity ID (this URL), the Assertion Consumer Service (HTTP-POST), the NameID formats read (persistent, emailAddress) and, when the provider signs its requests, the SP certificate. Import it at the IdP, or copy the values from the provider's view.",
          params: Params,
          response: {
            200: { description: "SAML 2.0 metadata", content: { "application/samlmetadata+xml": { schema: Type.String() } } },
            ...errorResponses(404),
          },
        },
      },
      async (request, reply) => {
        const metadata = await samlServiceProviderMetadata(deps, request.params.orgId, request.params.name);
        if (!metadata.ok) return sendFailure(reply, metadata);
        return reply.type("application/samlmetadata+xml").send(metadata.value);
      },
    );
  };
}
