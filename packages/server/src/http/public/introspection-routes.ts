import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { type IntrospectionTokenDeps, isIntrospectionToken } from "../../admin/introspection-tokens.ts";
import { failure } from "../../domain/failures.ts";
import type { SessionTokens } from "../../signin/session-tokens.ts";
import type { CredentialFailures } from "../credential-failures.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";

const IntrospectBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 8192, description: "The access or refresh token to check" }),
    token_type_hint: Type.Optional(Type.String({ maxLength: 64, description: "Ignored: both kinds are tried" })),
  },
  { additionalProperties: false },
);

const IntrospectionSchema = Type.Object(
  {
    active: Type.Boolean({ description: "Whether the token is live now; false says nothing more" }),
    sub: Type.Optional(Type.String({ description: "The user's id" })),
    org: Type.Optional(Type.String({ description: "The user's organisation" })),
    exp: Type.Optional(Type.Integer()),
    iat: Type.Optional(Type.Integer()),
    iss: Type.Optional(Type.String()),
    jti: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    token_type: Type.Optional(Type.Union([Type.Literal("access_token"), Type.Literal("refresh_token")])),
  },
  { $id: "Introspection", additionalProperties: false },
);

/**
 * `POST /userAccount/token/introspect` (RFC 7662): for resource servers that need to know, at
 * once, that a user was disabled or a session ended, which checking the JWKS alone cannot tell.
 * Authenticated by an introspection token the operator made (`POST /api/v1/introspection-tokens`);
 * a refused one is counted with the admin API's refused credentials. The token to check comes as
 * a form (`token=…`, as RFC 7662 sends it) or as JSON.
 */
export function introspectionRoutes(
  deps: Pick<IntrospectionTokenDeps, "introspectionTokens"> & { readonly sessionTokens: Pick<SessionTokens, "introspect"> },
  credentialFailures: CredentialFailures,
): FastifyPluginAsync {
  return async (app) => {
    app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 16 * 1024 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    app.post<{ Body: { token: string } }>(
      "/userAccount/token/introspect",
      {
        schema: {
          operationId: "introspectToken",
          tags: ["Tokens"],
          summary: "Whether an access or refresh token is live now (RFC 7662), for resource servers",
          description:
            "Send an introspection token (made by the operator: POST /api/v1/introspection-tokens) as Authorization: Bearer, and the token to check as `token` (form or JSON). Answers `{active: false}` for anything not live now: expired, its session ended or revoked, its user disabled or gone, a used refresh token, not this service's.",
          security: [{ bearerAuth: [] }],
          body: IntrospectBody,
          response: { 200: IntrospectionSchema, ...errorResponses(400, 401, 429) },
        },
        onRequest: credentialFailures.guard,
        preValidation: async (request, reply) => {
          const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
          if (bearer !== undefined && (await isIntrospectionToken(deps, bearer))) return;
          if (bearer !== undefined) await credentialFailures.failed(request, "introspection token");
          reply.header("www-authenticate", 'Bearer realm="introspection"');
          return sendFailure(reply, failure("UNAUTHORIZED", "Send an introspection token as Authorization: Bearer."));
        },
      },
      async (request, reply) => reply.header("cache-control", "no-store").send(await deps.sessionTokens.introspect(request.body.token)),
    );
  };
}
