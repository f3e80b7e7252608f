import { readdirSync, readFileSync } from "node:fs";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { type Static, Type } from "typebox";
import { CONSOLE_SESSION_TTL_MS, type ConsoleSessionDeps, closeConsoleSession, openConsoleSession } from "../../admin/console-sessions.ts";
import { failure } from "../../domain/failures.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { adminTokenCheck, CONSOLE_COOKIE, cookieOf } from "./admin-token.ts";

const WEB_DIR = new URL("../../web/", import.meta.url);

const SessionBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }) }, { additionalProperties: false });

export interface ConsoleOptions {
  readonly adminToken: string;
  readonly publicUrl: string;
  readonly sessions: ConsoleSessionDeps;
}

/**
 * The admin console at `/admin` (and `/admin/setup`, where a setup link lands): static files
 * under the same strict CSP as the sign-in page, and the operator's session. An operator signs
 * in with the admin token once; the console then holds an HttpOnly, SameSite=Strict cookie, so
 * the token is never kept where the page's script could read it.
 */
export function consoleRoutes(options: ConsoleOptions): FastifyPluginAsync {
  const read = (name: string) => readFileSync(new URL(name, WEB_DIR), "utf8");
  const html = read("console.html");
  // The console's modules and style sheet: every web/console*.js and console.css.
  const assets: Record<string, { body: string; type: string }> = Object.fromEntries(
    readdirSync(WEB_DIR)
      .filter((name) => /^console[\w-]*\.(js|css)$/.test(name))
      .map((name) => [
        `/admin/assets/${name}`,
        { body: read(name), type: name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8" },
      ]),
  );
  const isAdminToken = adminTokenCheck(options.adminToken);
  const secure = new URL(options.publicUrl).protocol === "https:" ? "; Secure" : "";
  const cookie = (value: string, maxAgeSeconds: number) =>
    `${CONSOLE_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure}`;

  return async (app) => {
    const page = async (_request: unknown, reply: FastifyReply) =>
      reply.header("cache-control", "no-store").type("text/html; charset=utf-8").send(html);
    app.get("/admin", { schema: { hide: true } }, page);
    app.get("/admin/setup", { schema: { hide: true } }, page);
    // Where a provider sends a test sign-in back (a redirect URI the console's wizard registers).
    app.get("/admin/test-signin", { schema: { hide: true } }, page);
    for (const [path, asset] of Object.entries(assets)) {
      app.get(path, { schema: { hide: true } }, async (_request, reply) =>
        reply.header("cache-control", "no-cache").type(asset.type).send(asset.body),
      );
    }

    app.post<{ Body: Static<typeof SessionBody> }>(
      "/admin/session",
      {
        schema: {
          tags: ["Admin"],
          summary: "Console sign-in: exchange the admin token for an HttpOnly, SameSite=Strict session cookie",
          body: SessionBody,
          response: { 204: Type.Null(), ...errorResponses(400, 401) },
        },
      },
      async (request, reply) => {
        if (!isAdminToken(request.body.token)) return sendFailure(reply, failure("UNAUTHORIZED", "That is not the admin token."));
        const session = await openConsoleSession(options.sessions);
        return reply
          .header("set-cookie", cookie(session, CONSOLE_SESSION_TTL_MS / 1000))
          .code(204)
          .send();
      },
    );
    app.delete(
      "/admin/session",
      { schema: { tags: ["Admin"], summary: "Console sign-out: ends the session and clears its cookie", response: { 204: Type.Null() } } },
      async (request, reply) => {
        const session = cookieOf(request, CONSOLE_COOKIE);
        if (session) await closeConsoleSession(options.sessions, session);
        return reply.header("set-cookie", cookie("", 0)).code(204).send();
      },
    );
  };
}
