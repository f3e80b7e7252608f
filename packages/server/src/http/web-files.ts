import { readFileSync } from "node:fs";
import type { FastifyInstance, FastifyReply } from "fastify";

/** The hand-written pages and their assets (src/web), read once at start. */
export const WEB_DIR = new URL("../web/", import.meta.url);

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** One file of src/web. */
export const readWebFile = (name: string): string => readFileSync(new URL(name, WEB_DIR), "utf8");

/**
 * Serves `html` at each of `pagePaths` (never cached: it may carry settings) and each asset at its
 * path (revalidated), all hidden from the OpenAPI document. The security headers come from
 * `registerSecurityHeaders`.
 */
export function serveWebFiles(app: FastifyInstance, html: string, pagePaths: readonly string[], assets: Record<string, string>): void {
  const page = async (_request: unknown, reply: FastifyReply) => reply.header("cache-control", "no-store").type(TYPES[".html"]!).send(html);
  for (const path of pagePaths) app.get(path, { schema: { hide: true } }, page);
  for (const [path, name] of Object.entries(assets)) {
    const body = readWebFile(name);
    const type = TYPES[name.slice(name.lastIndexOf("."))]!;
    app.get(path, { schema: { hide: true } }, async (_request, reply) => reply.header("cache-control", "no-cache").type(type).send(body));
  }
}
