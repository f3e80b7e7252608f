import { readFileSync } from "node:fs";
import type { FastifyPluginAsync, FastifyReply } from "fastify";

/** The sign-in page's files (src/web): hand-written HTML, CSS and one browser ES module. */
const WEB_DIR = new URL("../../web/", import.meta.url);

const escapeAttribute = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The sign-in page at `/` and the redirect target `/callback` (the same page: its module sees
 * which), plus their assets. Not part of the API: hidden from the OpenAPI document. Their strict
 * CSP and the other security headers come from `registerSecurityHeaders`.
 */
export function webRoutes(options: { publicUrl: string }): FastifyPluginAsync {
  const read = (name: string) => readFileSync(new URL(name, WEB_DIR), "utf8");
  const html = read("index.html").replace("{{PUBLIC_URL}}", escapeAttribute(options.publicUrl));
  const assets: Record<string, { body: string; type: string }> = {
    "/assets/app.js": { body: read("app.js"), type: "text/javascript; charset=utf-8" },
    "/assets/app.css": { body: read("app.css"), type: "text/css; charset=utf-8" },
    "/favicon.svg": { body: read("favicon.svg"), type: "image/svg+xml" },
  };

  return async (app) => {
    const page = async (_request: unknown, reply: FastifyReply) =>
      reply.header("cache-control", "no-store").type("text/html; charset=utf-8").send(html);
    app.get("/", { schema: { hide: true } }, page);
    app.get("/callback", { schema: { hide: true } }, page);
    for (const [path, asset] of Object.entries(assets)) {
      app.get(path, { schema: { hide: true } }, async (_request, reply) =>
        reply.header("cache-control", "no-cache").type(asset.type).send(asset.body),
      );
    }
  };
}
