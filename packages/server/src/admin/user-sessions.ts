import { failure, type Result, success } from "../domain/failures.ts";
import { isoNow } from "../domain/ids.ts";
import type { ConsoleSessionRepository } from "../domain/ports/console-sessions.ts";
import type { AuditTrail, RefreshTokenRepository, UserRepository } from "../domain/ports/repositories.ts";
import { type AdminCaller, recordAdminAction } from "./admin-actions.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";

/** The ports ending a user's sessions needs. */
export interface UserSessionDeps extends OrganisationAdministration {
  readonly users: Pick<UserRepository, "get">;
  readonly refreshTokens: Pick<RefreshTokenRepository, "revokeUserFamilies">;
  readonly consoleSessions: Pick<ConsoleSessionRepository, "endForUser">;
  readonly audit: Pick<AuditTrail, "record">;
}

/**
 * Ends every session of the organisation's user, without disabling them: each sign-in of theirs
 * (its refresh-token family is revoked, so its refresh token is refused and its access token
 * wherever this service checks it), and their console sessions as an organisation admin. They may
 * sign in again. Answers how many sign-ins it ended; recorded as `user.sessions_ended`.
 */
export async function endUserSessions(
  deps: UserSessionDeps,
  orgId: string,
  userId: string,
  caller: AdminCaller,
): Promise<Result<{ ended: number }>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const user = await deps.users.get(userId);
  if (!user || user.orgId !== org.value.id) return failure("NOT_FOUND", `No user with id "${userId}" in this organisation.`);
  const now = isoNow();
  const ended = await deps.refreshTokens.revokeUserFamilies(user.id, "ended", now);
  const consoleSessions = await deps.consoleSessions.endForUser(user.id, now);
  const changes = [
    { field: "sessions", before: ended, after: 0 },
    ...(consoleSessions > 0 ? [{ field: "consoleSessions", before: consoleSessions, after: 0 }] : []),
  ];
  await recordAdminAction(deps, caller, { event: "user.sessions_ended", orgId: user.orgId, user, changes });
  return success({ ended });
}
