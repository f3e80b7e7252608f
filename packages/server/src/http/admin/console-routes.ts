import { readdirSync } from "node:fs";
import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import {
  CONSOLE_SESSION_TTL_MS,
  type ConsoleSessionDeps,
  closeConsoleSession,
  consoleCallerOf,
  openConsoleSession,
} from "../../admin/console-sessions.ts";
import { accessTokenStanding, type OrgAdminDeps } from "../../admin/org-admins.ts";
import { failure } from "../../domain/failures.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { readWebFile, serveWebFiles, WEB_DIR } from "../web-files.ts";
import { adminTokenCheck, CONSOLE_COOKIE, cookieOf } from "./admin-token.ts";
import type { CredentialFailures } from "../credential-failures.ts";
import { isSetupSessionToken, type SetupLinkDeps } from "../../admin/setup-links.ts";
import { endSetupConsoleSession, openSetupConsoleSession, setupConsoleSessionOf } from "../../admin/setup-link-sessions.ts";

const SessionBody = Type.Object(
  {
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: "The admin token: an operator's session" })),
    accessToken: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description: "The service's access token of an organisation admin: a session for their organisation only",
      }),
    ),
    setupLink: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: "A setup link's secret (its URL's fragment), redeemed once: a session for the link's organisation until the link ends",
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1, description: "One of token, accessToken or setupLink" },
);
const SessionAnswer = Type.Union([
  Type.Object({ kind: Type.Literal("operator") }),
  Type.Object({ kind: Type.Literal("org-admin"), orgId: Type.String(), email: Type.String() }),
  Type.Object({ kind: Type.Literal("setup-link"), orgId: Type.String(), expiresAt: Type.String({ format: "date-time" }) }),
]);

export interface ConsoleOptions {
  readonly publicUrl: string;
  /** The sessions, and the admin token an operator signs in with. */
  readonly sessions: ConsoleSessionDeps;
  /** Organisation admins open sessions with their access token; their standing is re-read whenever the session is used. */
  readonly orgAdmins: OrgAdminDeps;
  /** A refused admin or access token here counts with the admin API's: one limit per address. */
  readonly credentialFailures: CredentialFailures;
  /** Setup links, redeemed here for a console session held in the same cookie (admin/setup-link-sessions.ts). */
  readonly setupLinks: SetupLinkDeps;
}

/**
 * The admin console at `/admin` (and `/admin/setup`, where a setup link lands): static files
 * under the same strict CSP as the sign-in page, and the operator's session. An operator signs
 * in with the admin token once; the console then holds an HttpOnly, SameSite=Strict cookie, so
 * the token is never kept where the page's script could read it. An organisation admin signs in
 * with their own sign-in's access token (the sign-in page at `/?next=admin` hands it over) for a
 * session that reaches their organisation only, and ends when they stop being an active admin.
 * A setup link's holder, at /admin/setup#<secret>, redeems the link here for the same kind of
 * cookie, reaching the link's organisation until the link expires or is revoked.
 */
export function consoleRoutes(options: ConsoleOptions): FastifyPluginAsync {
  // The console's modules and style sheet: every web/console*.js and console.css.
  const assets = Object.fromEntries(
    readdirSync(WEB_DIR)
      .filter((name) => /^console[\w-]*\.(js|css)$/.test(name))
      .map((name) => [`/admin/assets/${name}`, name]),
  );
  const isAdminToken = adminTokenCheck(options.sessions.adminToken);
  const secure = new URL(options.publicUrl).protocol === "https:" ? "; Secure" : "";
  const cookie = (value: string, maxAgeMs: number) =>
    `${CONSOLE_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure}`;

  return async (app) => {
    // /admin/setup is where a setup link lands; /admin/test-signin where a provider sends a test
    // sign-in back (a redirect URI the console's wizard registers).
    serveWebFiles(app, readWebFile("console.html"), ["/admin", "/admin/setup", "/admin/test-signin"], assets);

    app.post<{ Body: Static<typeof SessionBody> }>(
      "/admin/session",
      {
        schema: {
          tags: ["Admin"],
          summary:
            "Console sign-in: exchange the admin token, an organisation admin's access token, or a setup link (once), for an HttpOnly, SameSite=Strict session cookie",
          body: SessionBody,
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 429) },
        },
        onRequest: options.credentialFailures.guard,
      },
      async (request, reply) => {
        const { token, accessToken, setupLink } = request.body;
        if (setupLink !== undefined) {
          const opened = await openSetupConsoleSession(options.setupLinks, setupLink);
          if (!opened.ok) {
            await options.credentialFailures.failed(request, "setup link");
            return sendFailure(reply, opened);
          }
          return reply.header("set-cookie", cookie(opened.value.cookie, opened.value.ttlMs)).code(204).send();
        }
        if (token !== undefined) {
          if (!isAdminToken(token)) {
            await options.credentialFailures.failed(request, "admin token");
            return sendFailure(reply, failure("UNAUTHORIZED", "That is not the admin token."));
          }
          const session = await openConsoleSession(options.sessions);
          return reply.header("set-cookie", cookie(session, CONSOLE_SESSION_TTL_MS)).code(204).send();
        }
        const standing = await accessTokenStanding(options.orgAdmins, accessToken!);
        if (!standing.ok) {
          await options.credentialFailures.failed(request, "access token");
          return sendFailure(reply, standing);
        }
        const { user, refusal, expiresAtMs, signInSession } = standing.value;
        if (refusal) return sendFailure(reply, refusal);
        // The session lasts no longer than the access token it was opened with.
        const ttlMs = Math.min(CONSOLE_SESSION_TTL_MS, expiresAtMs - Date.now());
        if (ttlMs < 1000) return sendFailure(reply, failure("UNAUTHORIZED", "The access token is expiring. Sign in again."));
        const session = await openConsoleSession(
          options.sessions,
          { kind: "org-admin", orgId: user.orgId, userId: user.id, signInSession },
          ttlMs,
        );
        return reply.header("set-cookie", cookie(session, ttlMs)).code(204).send();
      },
    );
    app.get(
      "/admin/session",
      {
        schema: {
          tags: ["Admin"],
          summary:
            "The console's session: the operator's, an organisation admin's (their organisation and email), or a setup link's (its organisation and end)",
          response: { 200: SessionAnswer, ...errorResponses(401) },
        },
      },
      async (request, reply) => {
        const value = cookieOf(request, CONSOLE_COOKIE);
        if (value !== undefined && isSetupSessionToken(value)) {
          const setup = await setupConsoleSessionOf(options.setupLinks, value);
          if (!setup.ok) return sendFailure(reply, setup);
          return reply.header("cache-control", "no-store").send({ kind: "setup-link" as const, ...setup.value });
        }
        const caller = value ? await consoleCallerOf(options.sessions, options.orgAdmins, value) : undefined;
        if (!caller) return sendFailure(reply, failure("UNAUTHORIZED", "No console session: sign in."));
        reply.header("cache-control", "no-store");
        if (caller.kind === "operator") return { kind: "operator" as const };
        const { standing } = caller;
        if (standing.ok && !standing.value.refusal)
          return { kind: "org-admin" as const, orgId: standing.value.user.orgId, email: standing.value.user.email };
        return sendFailure(
          reply,
          failure(
            "UNAUTHORIZED",
            standing.ok ? "The console session ended: its user is no longer an active admin of the organisation." : standing.message,
          ),
        );
      },
    );
    app.delete(
      "/admin/session",
      {
        schema: {
          tags: ["Admin"],
          summary: "Console sign-out: ends the session (a setup link's by revoking the link) and clears its cookie",
          response: { 204: Type.Null() },
        },
      },
      async (request, reply) => {
        const session = cookieOf(request, CONSOLE_COOKIE);
        if (session && isSetupSessionToken(session)) await endSetupConsoleSession(options.setupLinks, session, request.ip);
        else if (session) await closeConsoleSession(options.sessions, session);
        return reply.header("set-cookie", cookie("", 0)).code(204).send();
      },
    );
  };
}
