import { createHmac } from "node:crypto";
import type { AuditActor } from "../domain/audit.ts";
import type { ConsoleSessionView, StoredConsoleSession } from "../domain/console-session.ts";
import { failure, type Result, success } from "../domain/failures.ts";
import { isoNow, newOpaqueToken, tokenHash } from "../domain/ids.ts";
import type { ConsoleSessionRepository } from "../domain/ports/console-sessions.ts";
import type { AuditTrail, SetupLinkRepository } from "../domain/ports/repositories.ts";
import { type OrgAdminDeps, type OrgAdminStanding, standingOf } from "./org-admins.ts";

/** How long a console session lasts at most. */
export const CONSOLE_SESSION_TTL_MS = 8 * 3600_000;

/**
 * The console's sessions, in the database (every instance sees the same ones). An operator's
 * session is kept under its cookie's HMAC keyed by the admin token: an instance with another
 * ADMIN_TOKEN finds none of them, so a new token ends every operator session at once, and the
 * database holds nothing that would let anyone check a guess of the token without a live cookie.
 */
export interface ConsoleSessionDeps {
  readonly sessions: ConsoleSessionRepository;
  readonly adminToken: string;
}

/**
 * Who a console session is for: the operator (who proved the admin token), or an organisation
 * admin (who proved their access token), whose standing is re-read at each request.
 */
export type ConsoleSession =
  | { readonly kind: "operator" }
  | { readonly kind: "org-admin"; readonly orgId: string; readonly userId: string; readonly signInSession: string };

/** The keys a cookie's session may be stored under: an organisation admin's, an operator's. */
const keysOf = (deps: ConsoleSessionDeps, token: string) => ({
  orgAdmin: tokenHash(token),
  operator: createHmac("sha256", deps.adminToken).update(token).digest("base64url"),
});

/** Opens a session, for at most `ttlMs`; answers the cookie's value. */
export async function openConsoleSession(
  deps: ConsoleSessionDeps,
  session: ConsoleSession = { kind: "operator" },
  ttlMs = CONSOLE_SESSION_TTL_MS,
): Promise<string> {
  const token = newOpaqueToken();
  const keys = keysOf(deps, token);
  const expiresAt = new Date(Date.now() + Math.min(ttlMs, CONSOLE_SESSION_TTL_MS)).toISOString();
  await deps.sessions.open(
    session.kind === "operator" ? keys.operator : keys.orgAdmin,
    session.kind === "operator"
      ? { kind: "operator", orgId: null, userId: null, signInSession: null, expiresAt }
      : { kind: "org-admin", orgId: session.orgId, userId: session.userId, signInSession: session.signInSession, expiresAt },
  );
  return token;
}

/** The session a cookie's value opens, while it lasts (an operator's only under the admin token it was opened with). */
export async function consoleSessionOf(deps: ConsoleSessionDeps, token: string): Promise<ConsoleSession | undefined> {
  const keys = keysOf(deps, token);
  const found = await deps.sessions.find([keys.orgAdmin, keys.operator], isoNow());
  if (!found) return undefined;
  const { session, keyHash } = found;
  if (session.kind === "operator") return keyHash === keys.operator ? { kind: "operator" } : undefined;
  const { orgId, userId, signInSession } = session;
  if (keyHash !== keys.orgAdmin || orgId === null || userId === null || signInSession === null) return undefined;
  return { kind: "org-admin", orgId, userId, signInSession };
}

export async function closeConsoleSession(deps: ConsoleSessionDeps, token: string): Promise<void> {
  const keys = keysOf(deps, token);
  await deps.sessions.endByKey([keys.orgAdmin, keys.operator]);
}

/**
 * Who a console cookie speaks for now: nobody, the operator, or an organisation admin with their
 * standing re-read. A session whose admin is no longer one (or gone, or signed out) ends here,
 * and a later promotion does not revive it.
 */
export async function consoleCallerOf(
  deps: ConsoleSessionDeps,
  orgAdmins: Pick<OrgAdminDeps, "users" | "signInSessions">,
  token: string,
): Promise<{ readonly kind: "operator" } | { readonly kind: "org-admin"; readonly standing: Result<OrgAdminStanding> } | undefined> {
  const session = await consoleSessionOf(deps, token);
  if (session?.kind !== "org-admin") return session;
  const standing = await standingOf(orgAdmins, session.orgId, session.userId, session.signInSession);
  if (!standing.ok || standing.value.refusal) await closeConsoleSession(deps, token);
  return { kind: "org-admin", standing };
}

/** What the operator's listing and ending of sessions need: the console's sessions, setup sessions, and the trail. */
export interface ConsoleSessionAdministration {
  readonly consoleSessions: ConsoleSessionRepository;
  readonly setupLinks: Pick<SetupLinkRepository, "activeSessions" | "revoke">;
  readonly audit: Pick<AuditTrail, "record">;
}

/** Who ends sessions, as the audit trail names them. */
export interface Ender {
  readonly actor: AuditActor;
  readonly ip: string | null;
}

const viewOf = ({ id, kind, orgId, userId, createdAt, expiresAt }: StoredConsoleSession): ConsoleSessionView => ({
  id,
  kind,
  orgId,
  userId,
  createdAt,
  expiresAt,
});

/**
 * Every live console session, oldest first: the cookie sessions of operators and organisation
 * admins, and the setup sessions of redeemed setup links (whose token the console's cookie or a script holds),
 * by their link's id, from redemption to the link's end.
 */
export async function listConsoleSessions(deps: ConsoleSessionAdministration): Promise<ConsoleSessionView[]> {
  const now = isoNow();
  const [cookies, setups] = await Promise.all([deps.consoleSessions.list(now), deps.setupLinks.activeSessions(now)]);
  const setupViews = setups.map((link): ConsoleSessionView => ({
    id: link.id,
    kind: "setup-link",
    orgId: link.orgId,
    userId: null,
    createdAt: link.usedAt ?? link.createdAt,
    expiresAt: link.expiresAt,
  }));
  return [...cookies.map(viewOf), ...setupViews].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

const ended = (by: Ender, orgId: string | null, changes: { field: string; before: unknown; after: unknown }) => ({
  orgId,
  userId: null,
  email: null,
  provider: null,
  event: "console_sessions.ended",
  outcome: "success" as const,
  error: null,
  ip: by.ip,
  actor: by.actor,
  changes: [changes],
});

/** Ends one console session by its id (a setup session by revoking its link); audited. */
export async function endConsoleSession(deps: ConsoleSessionAdministration, id: string, by: Ender): Promise<Result<void>> {
  let orgId = (await deps.consoleSessions.end(id))?.orgId;
  if (orgId === undefined) {
    const link = (await deps.setupLinks.activeSessions(isoNow())).find((l) => l.id === id);
    if (!link) return failure("NOT_FOUND", "No such console session: it ended, or never was.");
    await deps.setupLinks.revoke(link.orgId, link.id);
    orgId = link.orgId;
  }
  await deps.audit.record(ended(by, orgId, { field: "id", before: id, after: null }));
  return success(undefined);
}

/** Ends every console session, setup sessions included; answers how many were live. Audited once. */
export async function endAllConsoleSessions(deps: ConsoleSessionAdministration, by: Ender): Promise<{ ended: number }> {
  const now = isoNow();
  const cookies = await deps.consoleSessions.endAll(now);
  const setups = await deps.setupLinks.activeSessions(now);
  for (const link of setups) await deps.setupLinks.revoke(link.orgId, link.id);
  const count = cookies + setups.length;
  await deps.audit.record(ended(by, null, { field: "sessions", before: count, after: 0 }));
  return { ended: count };
}
