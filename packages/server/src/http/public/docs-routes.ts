import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { API_V1_GROUPS, API_V1_PREFIX, documentApiV1Mount } from "../api-v1-mount.ts";
import { cspHeader, DOCS_CSP_DIRECTIVES } from "../security-headers.ts";

/**
 * The OpenAPI document, generated from the route schemas (`/openapi.json`), and a browsable
 * reference at `/docs` served from the installed swagger-ui package (no third-party requests).
 * Must be registered before the routes it describes.
 */
export async function registerApiDocs(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "pipeshub-auth",
        version: "0.1.0",
        description:
          "Sign in through your organisation's own OAuth 2.0 / OpenID Connect provider, speaking PipesHub's user-account API. Every 4xx/5xx answers AuthError. " +
          `${API_V1_GROUPS.join(", ")} are served at the root and under ${API_V1_PREFIX}, as PipesHub serves them: each such operation lists both servers.`,
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          bearerAuth: { type: "http", scheme: "bearer", description: "Admin routes: the ADMIN_TOKEN. Logout: the service's access token." },
          scopedToken: { type: "http", scheme: "bearer", description: "The service's refresh token" },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`) },
  });
  documentApiV1Mount(app, publicUrl);
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    staticCSP: cspHeader(DOCS_CSP_DIRECTIVES),
    uiConfig: { docExpansion: "list", deepLinking: true },
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
