import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type ConsoleSessionDeps, consoleSessionOpen } from "../../admin/console-sessions.ts";
import { activeSetupSession, isSetupSessionToken, type SetupLinkDeps } from "../../admin/setup-links.ts";
import type { AuditTrail } from "../../domain/ports/repositories.ts";
import type { SetupLink } from "../../domain/setup-link.ts";
import { failure } from "../../domain/failures.ts";
import { sendFailure } from "../error-handling.ts";

/**
 * What a setup session may do: read its organisation, and configure, check and test that
 * organisation's providers. Everything else in the admin API is the operator's.
 */
const SETUP_SESSION_ROUTES: ReadonlySet<string> = new Set([
  "GET /api/v1/orgs/:orgId",
  "GET /api/v1/provider-presets",
  "GET /api/v1/orgs/:orgId/oauth-providers",
  "GET /api/v1/orgs/:orgId/oauth-providers/:name",
  "PUT /api/v1/orgs/:orgId/oauth-providers/:name",
  "DELETE /api/v1/orgs/:orgId/oauth-providers/:name",
  "POST /api/v1/orgs/:orgId/oauth-providers/:name/test",
  "POST /api/v1/orgs/:orgId/oauth-providers/:name/doctor",
  "POST /api/v1/orgs/:orgId/oauth-providers/:name/promote-secret",
  "POST /api/v1/orgs/:orgId/oauth-providers/:name/test-signin",
  "GET /api/v1/orgs/:orgId/oauth-providers/:name/health",
  "GET /api/v1/orgs/:orgId/events",
]);

/** Set on a request made with a setup session, so its answer is audited. */
const setupLinkOf = new WeakMap<FastifyRequest, SetupLink>();

const routeOf = (request: FastifyRequest) => `${request.method} ${request.routeOptions.url ?? ""}`;

/** The console's session cookie: HttpOnly, SameSite=Strict, never readable by the page's script. */
export const CONSOLE_COOKIE = "pipeshub_console";
/** The console sends this header with every API call: a cross-site form or link cannot, so a cookie alone never authorises. */
export const CONSOLE_HEADER = "x-pipeshub-console";

/** Compares a presented token with the admin token in constant time. */
export function adminTokenCheck(adminToken: string): (given: string) => boolean {
  const expected = createHash("sha256").update(adminToken).digest();
  return (given) => timingSafeEqual(createHash("sha256").update(given).digest(), expected);
}

/** The value of one cookie of the request, if it sent it. */
export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

/**
 * The admin scope's guard: `Authorization: Bearer <admin token>` (compared in constant time), or
 * the console's session cookie together with its header, may do anything; a setup session's
 * token only what SETUP_SESSION_ROUTES allow, for its own organisation. Every request of a setup
 * session is audited in its organisation's trail.
 */
export function adminAccess(options: {
  adminToken: string;
  setupSessions: Pick<SetupLinkDeps, "setupLinks">;
  consoleSessions: ConsoleSessionDeps;
  audit: Pick<AuditTrail, "record">;
}) {
  const isAdminToken = adminTokenCheck(options.adminToken);
  const refuse = (reply: FastifyReply) => {
    reply.header("www-authenticate", 'Bearer realm="admin"');
    return sendFailure(reply, failure("UNAUTHORIZED", "Admin API: send Authorization: Bearer <admin token>."));
  };
  return {
    async onRequest(request: FastifyRequest, reply: FastifyReply) {
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
      if (token === undefined) {
        const cookie = request.headers[CONSOLE_HEADER] === "1" ? cookieOf(request, CONSOLE_COOKIE) : undefined;
        if (cookie && (await consoleSessionOpen(options.consoleSessions, cookie))) return;
        return refuse(reply);
      }
      if (isAdminToken(token)) return;
      const link = isSetupSessionToken(token) ? await activeSetupSession(options.setupSessions, token) : undefined;
      if (!link) return refuse(reply);
      setupLinkOf.set(request, link);
      const orgId = (request.params as { orgId?: string } | undefined)?.orgId;
      if (!SETUP_SESSION_ROUTES.has(routeOf(request)) || (orgId !== undefined && orgId !== link.orgId)) {
        return sendFailure(reply, failure("FORBIDDEN", "A setup link reaches only its own organisation's providers."));
      }
    },
    async onResponse(request: FastifyRequest, reply: FastifyReply) {
      const link = setupLinkOf.get(request);
      if (!link) return;
      const status = reply.statusCode;
      await options.audit.record({
        orgId: link.orgId,
        userId: null,
        email: null,
        provider: (request.params as { name?: string } | undefined)?.name ?? null,
        event: `setup-link ${routeOf(request)}`,
        outcome: status < 400 ? "success" : "failure",
        error: status < 400 ? null : status === 403 ? "FORBIDDEN" : `HTTP_${status}`,
        ip: request.ip,
      });
    },
  };
}
