import type { FastifyPluginAsync } from "fastify";
import { readWebFile, serveWebFiles } from "../web-files.ts";

const escapeAttribute = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The sign-in page at `/` and the redirect target `/callback` (the same page: its module sees
 * which), plus their assets. Not part of the API: hidden from the OpenAPI document. Their strict
 * CSP and the other security headers come from `registerSecurityHeaders`.
 */
export function webRoutes(options: { publicUrl: string }): FastifyPluginAsync {
  const html = readWebFile("index.html").replace("{{PUBLIC_URL}}", escapeAttribute(options.publicUrl));
  return async (app) =>
    serveWebFiles(app, html, ["/", "/callback"], {
      "/assets/app.js": "app.js",
      "/assets/app.css": "app.css",
      "/favicon.svg": "favicon.svg",
    });
}
