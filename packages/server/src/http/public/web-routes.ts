import { readFileSync } from "node:fs";
import type { FastifyPluginAsync, FastifyReply } from "fastify";

/** The sign-in page's files (src/web): hand-written HTML, CSS and one browser ES module. */
const WEB_DIR = new URL("../../web/", import.meta.url);

/**
 * Strict for every page and asset: scripts, styles and images from this origin only, no inline
 * code, no framing; the page talks to this service only.
 */
export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join("; ");

const escapeAttribute = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function securityHeaders(reply: FastifyReply): FastifyReply {
  return (
    reply
      .header("content-security-policy", WEB_CONTENT_SECURITY_POLICY)
      .header("x-content-type-options", "nosniff")
      .header("x-frame-options", "DENY")
      // The callback's URL carries the authorization code: never send it on as a referrer.
      .header("referrer-policy", "no-referrer")
      .header("cross-origin-opener-policy", "same-origin")
  );
}

/**
 * The sign-in page at `/` and the redirect target `/callback` (the same page: its module sees
 * which), plus their assets. Not part of the API: hidden from the OpenAPI document.
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
      securityHeaders(reply).header("cache-control", "no-store").type("text/html; charset=utf-8").send(html);
    app.get("/", { schema: { hide: true } }, page);
    app.get("/callback", { schema: { hide: true } }, page);
    for (const [path, asset] of Object.entries(assets)) {
      app.get(path, { schema: { hide: true } }, async (_request, reply) =>
        securityHeaders(reply).header("cache-control", "no-cache").type(asset.type).send(asset.body),
      );
    }
  };
}
