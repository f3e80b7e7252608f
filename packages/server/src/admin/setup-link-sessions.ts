import { failure, type Result, success } from "../domain/failures.ts";
import { changesBetween, recordAdminAction } from "./admin-actions.ts";
import { activeSetupSession, redeemSetupLink, type SetupLinkDeps } from "./setup-links.ts";

/*
 * A setup link redeemed in the console: its setup session's token is kept in the console's
 * HttpOnly cookie (never in the page's memory or web storage), so reloading the tab keeps the IT
 * admin in until the link expires or is revoked — by the operator, or by signing out here.
 */

/** What to do when a setup link's session is gone, in the words the console shows (the admin API's guard says the same). */
export const SETUP_SESSION_ENDED =
  "The setup link's session ended: the link expired or was revoked, and each link works once. Ask the operator who sent it for a new setup link.";

/** Redeems a setup link for the console: the cookie's value (the setup session's token) and how long it may live. */
export async function openSetupConsoleSession(
  deps: Pick<SetupLinkDeps, "setupLinks">,
  linkToken: string,
): Promise<Result<{ readonly cookie: string; readonly ttlMs: number }>> {
  const session = await redeemSetupLink(deps, linkToken);
  if (!session.ok) return session;
  return success({ cookie: session.value.sessionToken, ttlMs: Date.parse(session.value.expiresAt) - Date.now() });
}

/** The organisation and end of the setup session a console cookie holds, while it may act. */
export async function setupConsoleSessionOf(
  deps: Pick<SetupLinkDeps, "setupLinks">,
  sessionToken: string,
): Promise<Result<{ readonly orgId: string; readonly expiresAt: string }>> {
  const link = await activeSetupSession(deps, sessionToken);
  return link ? success({ orgId: link.orgId, expiresAt: link.expiresAt }) : failure("UNAUTHORIZED", SETUP_SESSION_ENDED);
}

/**
 * Signing out of a setup link's console session ends it for good: the link is revoked (it was
 * spent already), recorded as `setup_link.revoked` by the link's own session.
 */
export async function endSetupConsoleSession(deps: SetupLinkDeps, sessionToken: string, ip: string | null): Promise<void> {
  const link = await activeSetupSession(deps, sessionToken);
  if (!link || !(await deps.setupLinks.revoke(link.orgId, link.id))) return;
  await recordAdminAction(
    deps,
    { actor: `setup-link:${link.id}`, ip, delegated: true },
    { event: "setup_link.revoked", orgId: link.orgId, changes: changesBetween({ id: link.id }, undefined) },
  );
}
