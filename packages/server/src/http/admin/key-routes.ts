import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { type KeyAdministration, reencryptSecrets, rotateSigningKey } from "../../admin/keys.ts";
import { acceptEmptyJsonBody } from "../empty-json-body.ts";
import { errorResponses } from "../error-handling.ts";
import { adminCaller } from "./admin-caller.ts";
import { ADMIN_SECURITY as security } from "./schemas.ts";

/** `/api/v1/keys/rotate`: a new signing key for the service's own tokens; `/api/v1/keys/reencrypt`: secrets onto the current ENCRYPTION_KEY. */
export function keyRoutes(deps: KeyAdministration): FastifyPluginAsync {
  return async (app) => {
    acceptEmptyJsonBody(app);
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
