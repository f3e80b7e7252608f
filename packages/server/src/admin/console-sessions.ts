import { newOpaqueToken, tokenHash } from "../domain/ids.ts";
import type { Result } from "../domain/failures.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import { type OrgAdminDeps, type OrgAdminStanding, standingOf } from "./org-admins.ts";

/** How long a console session lasts at most. */
export const CONSOLE_SESSION_TTL_MS = 8 * 3600_000;

/** The console's sessions, kept by the hash of their cookie value in the shared state. */
export interface ConsoleSessionDeps {
  readonly state: Pick<ShortLivedState, "set" | "get" | "delete">;
}

/**
 * Who a console session is for: the operator (who proved the admin token), or an organisation
 * admin (who proved their access token), whose standing is re-read at each request.
 */
export type ConsoleSession =
  | { readonly kind: "operator" }
  | { readonly kind: "org-admin"; readonly orgId: string; readonly userId: string; readonly signInSession: string };

const keyOf = (token: string) => `console:${tokenHash(token)}`;
/** The operator's sessions are stored as this word (as before organisation admins had sessions). */
const OPERATOR = "operator";

/** Opens a session, for at most `ttlMs`; answers the cookie's value. */
export async function openConsoleSession(
  deps: ConsoleSessionDeps,
  session: ConsoleSession = { kind: "operator" },
  ttlMs = CONSOLE_SESSION_TTL_MS,
): Promise<string> {
  const token = newOpaqueToken();
  const value = session.kind === "operator" ? OPERATOR : JSON.stringify(session);
  await deps.state.set(keyOf(token), value, Math.min(ttlMs, CONSOLE_SESSION_TTL_MS));
  return token;
}

/** The session a cookie's value opens, while it lasts. */
export async function consoleSessionOf(deps: ConsoleSessionDeps, token: string): Promise<ConsoleSession | undefined> {
  const value = await deps.state.get(keyOf(token));
  if (value === OPERATOR) return { kind: "operator" };
  if (!value?.startsWith("{")) return undefined;
  try {
    const stored = JSON.parse(value) as Partial<{ kind: string; orgId: unknown; userId: unknown; signInSession: unknown }>;
    const { kind, orgId, userId, signInSession } = stored;
    if (kind === "org-admin" && typeof orgId === "string" && typeof userId === "string" && typeof signInSession === "string")
      return { kind, orgId, userId, signInSession };
  } catch {
    // Not a session this version wrote: none.
  }
  return undefined;
}

export async function closeConsoleSession(deps: ConsoleSessionDeps, token: string): Promise<void> {
  await deps.state.delete(keyOf(token));
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
