import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { ExchangeDeps } from "../../signin/exchange.ts";
import { exchangeAnyCode } from "../../signin/provider-kinds.ts";
import type { SamlExchangeDeps } from "../../signin/saml-exchange.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";

/** The contract's OAuthExchangeRequest, plus `state` and `iss` (RFC 9207). */
export const OAuthExchangeRequestSchema = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 4096, description: "OAuth authorization code" }),
    email: Type.String({ format: "email", maxLength: 320, description: "User email" }),
    provider: Type.String({ minLength: 1, maxLength: 64, description: "OAuth provider name" }),
    redirectUri: Type.String({ format: "uri", maxLength: 2048, description: "Redirect URI used in authorization request" }),
    state: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: "The state from /userAccount/oauth/authorize: binds PKCE and nonce (addition)",
      }),
    ),
    iss: Type.Optional(
      Type.String({
        format: "uri",
        maxLength: 2048,
        description: "The `iss` authorization response parameter, when the provider sent one (RFC 9207)",
      }),
    ),
  },
  { additionalProperties: false, description: "Request to exchange OAuth authorization code for tokens" },
);

/** The contract's OAuthTokenResponse: the provider's tokens. */
export const OAuthExchangeResponseSchema = Type.Object(
  {
    access_token: Type.String({ description: "OAuth access token" }),
    id_token: Type.Optional(Type.String({ description: "OAuth ID token (JWT)" })),
    token_type: Type.String({ examples: ["Bearer"] }),
    expires_in: Type.Optional(Type.Integer({ description: "Token expiry in seconds" })),
  },
  { additionalProperties: false, description: "OAuth token response" },
);

/** `POST /userAccount/oauth/exchange` (the seed's step 3). */
export function exchangeRoutes(deps: ExchangeDeps & SamlExchangeDeps): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      "/userAccount/oauth/exchange",
      {
        schema: {
          headers: Type.Object({
            "x-session-token": Type.Optional(
              Type.String({ maxLength: 256, description: "The session the authorization request was started under (addition)" }),
            ),
          }),
          operationId: "exchangeOAuthCode",
          tags: ["OAuth"],
          summary: "Exchange OAuth authorization code for tokens",
          description:
            "Exchange an OAuth authorization code for access and ID tokens. Used after the OAuth authorization flow redirects back to the application. For a SAML provider the code is the one the service's ACS sent, `state` is required, and the answer is a one-time `access_token` handle and an `id_token` signed by this service, both for /userAccount/authenticate (addition).",
          body: OAuthExchangeRequestSchema,
          response: { 200: OAuthExchangeResponseSchema, ...errorResponses(400, 401, 403, 404, 500, 502, 504) },
        },
      },
      async (request, reply) => {
        const sessionToken = request.headers["x-session-token"];
        const result = await exchangeAnyCode(deps, {
          ...request.body,
          ...(sessionToken !== undefined && { sessionToken }),
          ip: request.ip,
        });
        if (!result.ok) return sendFailure(reply, result);
        reply.header("cache-control", "no-store");
        return result.value;
      },
    );
  };
}
