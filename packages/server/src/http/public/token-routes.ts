import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { failure } from "../../domain/failures.ts";
import type { User } from "../../domain/user.ts";
import type { SessionTokens } from "../../signin/session-tokens.ts";
import { acceptEmptyJsonBody } from "../empty-json-body.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";

/** What the token routes call. */
export interface TokenRouteOptions {
  readonly sessionTokens: Pick<SessionTokens, "jwks" | "refresh" | "logout">;
}

const JwkSchema = Type.Object({
  kty: Type.Literal("EC"),
  crv: Type.Literal("P-256"),
  x: Type.String(),
  y: Type.String(),
  kid: Type.String(),
  alg: Type.Literal("ES256"),
  use: Type.Literal("sig"),
});

export const JwksSchema = Type.Object(
  { keys: Type.Array(JwkSchema) },
  { description: "The public keys that verify the service's access and refresh tokens (RFC 7517)" },
);

/** The contract's RefreshTokenUser: its required fields and the user's role (this service has no split names). */
export const RefreshTokenUserSchema = Type.Object(
  {
    _id: Type.String({ description: "User ID" }),
    orgId: Type.String({ description: "Organization ID" }),
    email: Type.String({ format: "email" }),
    fullName: Type.String(),
    role: Type.Union([Type.Literal("admin"), Type.Literal("member")], {
      description: "Organization role stored on the user document (`admin` or `member`)",
    }),
    hasLoggedIn: Type.Boolean(),
    isDeleted: Type.Boolean(),
    slug: Type.String(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    __v: Type.Integer(),
  },
  { additionalProperties: false, description: "User record returned with a refreshed access token" },
);

/** The contract's RefreshTokenResponse, plus the rotated refresh token. */
export const RefreshTokenResponseSchema = Type.Object(
  {
    user: RefreshTokenUserSchema,
    accessToken: Type.String({ description: "New JWT access token" }),
    refreshToken: Type.Optional(
      Type.String({ description: "The rotated refresh token: store it in place of the one sent; the one sent is now used up" }),
    ),
  },
  { additionalProperties: false, description: "Response with new access token" },
);

/** The contract's user record, from ours. */
export function refreshTokenUser(user: User) {
  return {
    _id: user.id,
    orgId: user.orgId,
    email: user.email,
    fullName: user.fullName ?? "",
    role: user.role,
    // Whoever holds a refresh token has signed in.
    hasLoggedIn: true,
    isDeleted: false,
    slug: user.id,
    createdAt: user.createdAt,
    updatedAt: user.createdAt,
    __v: 0,
  };
}

/** The token of `Authorization: Bearer <token>`, or undefined. */
function bearerToken(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
  return match?.[1];
}

const missingBearer = (what: string) => failure("INVALID_TOKEN", `Send the ${what} as Authorization: Bearer <token>.`);

/** The service's own tokens: the JWKS (RFC 7517), refresh (rotation with reuse detection), logout. */
export function tokenRoutes(options: TokenRouteOptions): FastifyPluginAsync {
  const { sessionTokens } = options;
  return async (app) => {
    acceptEmptyJsonBody(app);

    app.get(
      "/.well-known/jwks.json",
      {
        schema: {
          tags: ["Tokens"],
          summary: "The keys that verify this service's tokens",
          security: [],
          response: { 200: JwksSchema, ...errorResponses(500) },
        },
      },
      async (_request, reply) => {
        reply.header("cache-control", "public, max-age=300");
        return sessionTokens.jwks();
      },
    );

    app.post(
      "/userAccount/refresh/token",
      {
        schema: {
          operationId: "refreshToken",
          tags: ["User Account"],
          summary: "Refresh access token",
          description:
            "Redeems the refresh token sent as `Authorization: Bearer <refresh token>` for a new access token and the next refresh token. A refresh token works once: presenting a used one again ends the whole session (both copies stop working).",
          security: [{ scopedToken: [] }],
          response: { 200: RefreshTokenResponseSchema, ...errorResponses(401, 403, 404, 500) },
        },
      },
      async (request, reply) => {
        reply.header("cache-control", "no-store");
        const token = bearerToken(request);
        if (token === undefined) return sendFailure(reply, missingBearer("refresh token"));
        const result = await sessionTokens.refresh(token, { ip: request.ip });
        if (!result.ok) return sendFailure(reply, result);
        return {
          user: refreshTokenUser(result.value.user),
          accessToken: result.value.accessToken,
          refreshToken: result.value.refreshToken,
        };
      },
    );

    app.post(
      "/userAccount/logout/manual",
      {
        schema: {
          operationId: "logout",
          tags: ["User Account"],
          summary: "Logout current session",
          description:
            "Ends the session of the access token sent as `Authorization: Bearer <access token>`: its refresh tokens stop working, and so does the access token at this service.",
          security: [{ bearerAuth: [] }],
          response: { 200: Type.Null({ description: "Logged out successfully (empty response body)" }), ...errorResponses(401, 500) },
        },
      },
      async (request, reply) => {
        reply.header("cache-control", "no-store");
        const token = bearerToken(request);
        if (token === undefined) return sendFailure(reply, missingBearer("access token"));
        const result = await sessionTokens.logout(token, { ip: request.ip });
        if (!result.ok) return sendFailure(reply, result);
        return reply.code(200).send();
      },
    );
  };
}
