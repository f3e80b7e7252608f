import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import {
  createIntrospectionToken,
  type IntrospectionTokenDeps,
  listIntrospectionTokens,
  revokeIntrospectionToken,
} from "../../admin/introspection-tokens.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { adminCaller } from "./admin-caller.ts";
import { ADMIN_SECURITY as security } from "./schemas.ts";

const IntrospectionTokenSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: "date-time" }),
    revokedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  },
  { $id: "IntrospectionToken" },
);
const CreateBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "Which resource server holds it" })) },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** `/api/v1/introspection-tokens`: the bearer tokens resource servers introspect with (the operator's alone). */
export function introspectionTokenRoutes(deps: IntrospectionTokenDeps): FastifyPluginAsync {
  return async (app) => {
    const tags = ["Admin"];
    app.post<{ Body: Static<typeof CreateBody> }>(
      "/api/v1/introspection-tokens",
      {
        schema: {
          tags,
          security,
          summary: "Make a token a resource server sends to POST /userAccount/token/introspect; shown once, only its hash kept",
          body: CreateBody,
          response: {
            201: Type.Object({ ...IntrospectionTokenSchema.properties, token: Type.String({ description: "Shown once" }) }),
            ...errorResponses(400),
          },
        },
      },
      async (request, reply) => {
        const made = await createIntrospectionToken(deps, request.body?.name ?? null, adminCaller(request));
        return made.ok ? reply.code(201).header("cache-control", "no-store").send(made.value) : sendFailure(reply, made);
      },
    );
    app.get(
      "/api/v1/introspection-tokens",
      {
        schema: {
          tags,
          security,
          summary: "The introspection tokens, newest first (never their values)",
          response: { 200: Type.Array(IntrospectionTokenSchema) },
        },
      },
      async (_request, reply) => {
        const tokens = await listIntrospectionTokens(deps);
        return tokens.ok ? tokens.value : sendFailure(reply, tokens);
      },
    );
    app.delete<{ Params: Static<typeof IdParams> }>(
      "/api/v1/introspection-tokens/:id",
      {
        schema: {
          tags,
          security,
          summary: "Revoke an introspection token: its next request is refused",
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const revoked = await revokeIntrospectionToken(deps, request.params.id, adminCaller(request));
        return revoked.ok ? reply.code(204).send() : sendFailure(reply, revoked);
      },
    );
  };
}
