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

/** A module's static imports of its siblings in src/web (`import … from "./x.js"`), not the types its comments name. */
const SIBLING_IMPORT = /^\s*(?:import|export)\b[^;]*?\bfrom\s+"\.\/([\w-]+\.js)"|^\s*import\s+"\.\/([\w-]+\.js)"/gm;

/** The modules of src/web that `name` imports, and theirs, `name` included. */
function moduleGraph(name: string, found = new Set<string>()): Set<string> {
  if (found.has(name)) return found;
  found.add(name);
  for (const match of readWebFile(name).matchAll(SIBLING_IMPORT)) moduleGraph((match[1] ?? match[2])!, found);
  return found;
}

/**
 * Every asset with the modules its scripts import, each beside the script that imports it (the
 * sign-in page and the console share api-client.js, under /assets/ and /admin/assets/): a page
 * never imports a module that is not served.
 */
function withImportedModules(assets: Record<string, string>): Record<string, string> {
  const all = { ...assets };
  for (const [path, name] of Object.entries(assets)) {
    if (!name.endsWith(".js")) continue;
    const dir = path.slice(0, path.lastIndexOf("/") + 1);
    for (const module of moduleGraph(name)) all[`${dir}${module}`] ??= module;
  }
  return all;
}

/**
 * Serves `html` at each of `pagePaths` (never cached: it may carry settings) and each asset at its
 * path (revalidated), with the modules the asset's scripts import, all hidden from the OpenAPI
 * document. The security headers come from `registerSecurityHeaders`.
 */
export function serveWebFiles(app: FastifyInstance, html: string, pagePaths: readonly string[], assets: Record<string, string>): void {
  const page = async (_request: unknown, reply: FastifyReply) => reply.header("cache-control", "no-store").type(TYPES[".html"]!).send(html);
  for (const path of pagePaths) app.get(path, { schema: { hide: true } }, page);
  for (const [path, name] of Object.entries(withImportedModules(assets))) {
    const body = readWebFile(name);
    const type = TYPES[name.slice(name.lastIndexOf("."))]!;
    app.get(path, { schema: { hide: true } }, async (_request, reply) => reply.header("cache-control", "no-cache").type(type).send(body));
  }
}
