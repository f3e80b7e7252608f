import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type ConsoleSessionDeps, consoleCallerOf } from "../../admin/console-sessions.ts";
import { accessTokenStanding, type OrgAdminDeps, type OrgAdminStanding } from "../../admin/org-admins.ts";
import { activeSetupSession, isSetupSessionToken, type SetupLinkDeps } from "../../admin/setup-links.ts";
import { SETUP_SESSION_ENDED } from "../../admin/setup-link-sessions.ts";
import type { AuditActor } from "../../domain/audit.ts";
import type { AuditTrail } from "../../domain/ports/repositories.ts";
import type { User } from "../../domain/user.ts";
import { type Failure, type FailureId, failure } from "../../domain/failures.ts";
import { sendFailure } from "../error-handling.ts";
import type { AdminCredential, CredentialFailures } from "../credential-failures.ts";

/**
 * What a caller scoped to one organisation may do — a setup session, or an organisation admin
 * (by access token or console session): read the organisation, configure, check and test its
 * providers, and read its audit trail. Everything else in the admin API is the operator's.
 */
export const ORGANISATION_SCOPE_ROUTES: ReadonlySet<string> = new Set([
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
  "GET /api/v1/saml-provider-presets",
  "GET /api/v1/orgs/:orgId/saml-providers",
  "GET /api/v1/orgs/:orgId/saml-providers/:name",
  "PUT /api/v1/orgs/:orgId/saml-providers/:name",
  "DELETE /api/v1/orgs/:orgId/saml-providers/:name",
  "POST /api/v1/orgs/:orgId/saml-providers/:name/doctor",
  "POST /api/v1/orgs/:orgId/saml-providers/:name/test-signin",
  "GET /api/v1/orgs/:orgId/saml-providers/:name/health",
  "GET /api/v1/orgs/:orgId/events",
  "GET /api/v1/orgs/:orgId/audit",
  "POST /api/v1/orgs/:orgId/scim-tokens",
  "GET /api/v1/orgs/:orgId/scim-tokens",
  "DELETE /api/v1/orgs/:orgId/scim-tokens/:id",
  // Domains: a delegated admin's claim is pending until its TXT record proves it, and only pending ones are theirs to remove (admin/domain-claims.ts).
  "GET /api/v1/orgs/:orgId/domains",
  "POST /api/v1/orgs/:orgId/domains",
  "POST /api/v1/orgs/:orgId/domains/:domain/verify",
  "DELETE /api/v1/orgs/:orgId/domains/:domain",
  // No :orgId in its path: the route itself checks the test sign-in's organisation against organisationScopeOf.
  "POST /api/v1/test-signins/complete",
]);

/** Who made a request of the admin scope, when not the operator: audited, and limited to `orgId`. */
type ScopedCaller = (
  | { readonly kind: "setup-link"; readonly orgId: string; readonly setupLinkId: string }
  | { readonly kind: "org-admin"; readonly orgId: string; readonly user: User }
) & {
  /** Why the request was refused before reaching its route, when it was: audited as its error. */
  readonly refusal?: FailureId;
};

const callerOf = new WeakMap<FastifyRequest, ScopedCaller>();

/**
 * The organisation a request of the admin scope is limited to: a setup session's, or an
 * organisation admin's own; undefined for the operator (the admin token or an operator's console
 * session). Set by the scope's onRequest hook before any handler runs.
 */
export function organisationScopeOf(request: FastifyRequest): string | undefined {
  return callerOf.get(request)?.orgId;
}

/**
 * Who made a request of the admin scope, as the audit trail names them: `operator`,
 * `org-admin:<userId>` or `setup-link:<setupLinkId>`.
 */
export function actorOf(request: FastifyRequest): AuditActor {
  const caller = callerOf.get(request);
  if (!caller) return "operator";
  return caller.kind === "org-admin" ? `org-admin:${caller.user.id}` : `setup-link:${caller.setupLinkId}`;
}

const routeOf = (request: FastifyRequest) => `${request.method} ${request.routeOptions.url ?? ""}`;
/** A JWT's shape (the service's access tokens), told apart from the admin token and setup sessions' tokens before any check. */
const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

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
 * The admin scope's guard. The operator may do anything: `Authorization: Bearer <admin token>`
 * (compared in constant time), or an operator's console session cookie together with the
 * console's header. Callers scoped to one organisation may do what ORGANISATION_SCOPE_ROUTES
 * allow, for that organisation only: a setup session's token; an organisation admin's access
 * token (the service's own, of a user who is active and an `admin` as stored now); an
 * organisation admin's console session (cookie and header, the user re-read likewise); a setup
 * link redeemed in the console (its session's token in the cookie, with the header). Every
 * refused request of a scoped caller is audited in its organisation's trail.
 */
export function adminAccess(options: {
  adminToken: string;
  setupSessions: Pick<SetupLinkDeps, "setupLinks">;
  consoleSessions: ConsoleSessionDeps;
  orgAdmins: OrgAdminDeps;
  audit: Pick<AuditTrail, "record">;
  /** Where a refused bearer token is counted, audited and warned (http/credential-failures.ts). */
  credentialFailures?: Pick<CredentialFailures, "failed">;
}) {
  const isAdminToken = adminTokenCheck(options.adminToken);
  const refuse = (reply: FastifyReply, message = "Admin API: send Authorization: Bearer <admin token>.") => {
    reply.header("www-authenticate", 'Bearer realm="admin"');
    return sendFailure(reply, failure("UNAUTHORIZED", message));
  };
  const refuseCredential = async (request: FastifyRequest, reply: FastifyReply, credential: AdminCredential, message?: string) => {
    await options.credentialFailures?.failed(request, credential);
    return refuse(reply, message);
  };

  /** Lets a scoped caller through to what its scope allows, for its organisation only. */
  function scoped(request: FastifyRequest, reply: FastifyReply, caller: ScopedCaller, refusal?: Failure) {
    callerOf.set(request, refusal ? { ...caller, refusal: refusal.error } : caller);
    if (refusal) return sendFailure(reply, refusal);
    const orgId = (request.params as { orgId?: string } | undefined)?.orgId;
    if (ORGANISATION_SCOPE_ROUTES.has(routeOf(request)) && (orgId === undefined || orgId === caller.orgId)) return;
    return sendFailure(
      reply,
      failure(
        "FORBIDDEN",
        caller.kind === "setup-link"
          ? "A setup link reaches only its own organisation's providers and audit trail."
          : "An organisation admin reaches only their own organisation's providers and audit trail; ask the operator for anything else.",
      ),
    );
  }
  const asOrgAdmin = (request: FastifyRequest, reply: FastifyReply, standing: OrgAdminStanding) =>
    scoped(request, reply, { kind: "org-admin", orgId: standing.user.orgId, user: standing.user }, standing.refusal);

  return {
    async onRequest(request: FastifyRequest, reply: FastifyReply) {
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
      if (token === undefined) {
        const cookie = request.headers[CONSOLE_HEADER] === "1" ? cookieOf(request, CONSOLE_COOKIE) : undefined;
        // A setup link redeemed in the console: its session's token, in the cookie.
        if (cookie !== undefined && isSetupSessionToken(cookie)) {
          const link = await activeSetupSession(options.setupSessions, cookie);
          return link
            ? scoped(request, reply, { kind: "setup-link", orgId: link.orgId, setupLinkId: link.id })
            : refuse(reply, SETUP_SESSION_ENDED);
        }
        const caller = cookie ? await consoleCallerOf(options.consoleSessions, options.orgAdmins, cookie) : undefined;
        if (!caller) return refuse(reply);
        if (caller.kind === "operator") return;
        const { standing } = caller;
        return standing.ok ? asOrgAdmin(request, reply, standing.value) : refuse(reply, standing.message);
      }
      if (isAdminToken(token)) return;
      if (isSetupSessionToken(token)) {
        const link = await activeSetupSession(options.setupSessions, token);
        return link
          ? scoped(request, reply, { kind: "setup-link", orgId: link.orgId, setupLinkId: link.id })
          : refuseCredential(request, reply, "setup token");
      }
      if (looksLikeJwt(token)) {
        const standing = await accessTokenStanding(options.orgAdmins, token);
        if (!standing.ok) {
          if (standing.detail) request.log.info({ detail: standing.detail }, "admin API: access token refused");
          return refuseCredential(request, reply, "access token", standing.message);
        }
        return asOrgAdmin(request, reply, standing.value);
      }
      return refuseCredential(request, reply, "admin token");
    },
    // A scoped caller's refused request is recorded here; what succeeded is not: a read leaves no
    // record, and a write leaves its own (admin/admin-actions.ts), with what it changed.
    async onResponse(request: FastifyRequest, reply: FastifyReply) {
      const caller = callerOf.get(request);
      const status = reply.statusCode;
      if (!caller || status < 400) return;
      const user = caller.kind === "org-admin" ? caller.user : undefined;
      await options.audit.record({
        orgId: caller.orgId,
        userId: user?.id ?? null,
        email: user?.email ?? null,
        provider: (request.params as { name?: string } | undefined)?.name ?? null,
        event: `${caller.kind} ${routeOf(request)}`,
        outcome: "failure",
        error: caller.refusal ?? (status === 403 ? "FORBIDDEN" : `HTTP_${status}`),
        ip: request.ip,
        actor: actorOf(request),
      });
    },
  };
}
