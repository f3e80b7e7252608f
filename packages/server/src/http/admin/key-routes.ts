import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { type KeyAdministration, listSigningKeys, reencryptSecrets, rotateSigningKey } from "../../admin/keys.ts";
import { acceptEmptyJsonBody } from "../empty-json-body.ts";
import { errorResponses } from "../error-handling.ts";
import { adminCaller } from "./admin-caller.ts";
import { ADMIN_SECURITY as security } from "./schemas.ts";

const SigningKeySchema = Type.Object({
  kid: Type.String(),
  alg: Type.Literal("ES256"),
  createdAt: Type.String(),
  retiredAt: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean({ description: "The key new tokens are signed with" }),
});

/** `/api/v1/keys`: the signing keys; `/api/v1/keys/rotate`: a new signing key for the service's own tokens; `/api/v1/keys/reencrypt`: secrets onto the current ENCRYPTION_KEY. */
export function keyRoutes(deps: KeyAdministration): FastifyPluginAsync {
  return async (app) => {
    acceptEmptyJsonBody(app);
    app.get(
      "/api/v1/keys",
      {
        schema: {
          tags: ["Admin"],
          security,
          summary: "List the token signing keys",
          description:
            "The published signing keys, newest first: the current one signs new tokens; a retired one stays published until every token it signed has expired. Public facts only.",
          response: { 200: Type.Array(SigningKeySchema) },
        },
      },
      async () => listSigningKeys(deps),
    );
    app.post(
      "/api/v1/keys/rotate",
      {
        schema: {
          tags: ["Admin"],
          security,
          summary: "Rotate the token signing key",
          description:
            "Creates a new signing key for new tokens. The previous key stays published in the JWKS until every token it signed has expired.",
          response: { 200: Type.Object({ kid: Type.String() }), ...errorResponses(500) },
        },
      },
      async (request) => rotateSigningKey(deps, adminCaller(request)),
    );
    app.post(
      "/api/v1/keys/reencrypt",
      {
        schema: {
          tags: ["Admin"],
          security,
          summary: "Re-encrypt secrets under the current encryption key",
          description:
            "Re-seals every client secret and signing key sealed under a previous ENCRYPTION_KEY (one after the first in the list) under the first. Afterwards the previous keys can be removed from ENCRYPTION_KEY.",
          response: { 200: Type.Object({ reencrypted: Type.Integer({ minimum: 0 }) }), ...errorResponses(500) },
        },
      },
      async (request) => reencryptSecrets(deps, adminCaller(request)),
    );
  };
}
