import { type Failure, failure, type Result, success } from "../domain/failures.ts";
import type { RefreshTokenRepository, UserRepository } from "../domain/ports/repositories.ts";
import type { User } from "../domain/user.ts";

/**
 * Organisation admins: users with the `admin` role, signed in through their organisation's own
 * provider, who may do for their organisation what a setup session may. What they may do is
 * decided by the user as stored at each request (never by what a token says), so a demotion or
 * a disabled account takes effect at once.
 */
export interface OrgAdminDeps {
  readonly users: Pick<UserRepository, "get">;
  /** Whether a sign-in session (a refresh-token family) is still active: a console session ends with the one it came from. */
  readonly signInSessions: Pick<RefreshTokenRepository, "isFamilyActive">;
  /**
   * Verifies one of the service's own access tokens (signature, claims, kind, session not ended):
   * `verifyAccessToken` of signin/session-tokens.ts, handed in by the composition root.
   */
  readonly verifyAccessToken: (
    token: string,
  ) => Promise<Result<{ readonly sub: string; readonly orgId: string; readonly exp: number; readonly sid: string }>>;
}

/** A signed-in user as stored now and, unless they may administer their organisation, why not. */
export interface OrgAdminStanding {
  readonly user: User;
  readonly refusal?: Failure;
}

const NO_SUCH_USER = "This account no longer exists. Sign in again.";

/** Why `user` may not administer their organisation now, or undefined when they may. */
function refusalFor(user: User): Failure | undefined {
  if (user.status !== "active") return failure("USER_DISABLED", "This account is disabled. Contact your administrator.");
  if (user.role !== "admin")
    return failure(
      "FORBIDDEN",
      "Only organisation admins may administer an organisation; this account is a member. Ask the operator to make you an admin.",
    );
  return undefined;
}

/**
 * The standing now of the organisation's user `userId`, signed in as sign-in session
 * `signInSession` (a console session's user, at each request): once they sign out there, or the
 * session is revoked, the console session is over too.
 */
export async function standingOf(
  deps: Pick<OrgAdminDeps, "users" | "signInSessions">,
  orgId: string,
  userId: string,
  signInSession: string,
): Promise<Result<OrgAdminStanding>> {
  if (!(await deps.signInSessions.isFamilyActive(signInSession)))
    return failure("UNAUTHORIZED", "The sign-in this console session came from has ended (signed out or revoked). Sign in again.");
  return userStanding(deps, orgId, userId);
}

/** The stored user `userId` of organisation `orgId`, and why they may not administer it, if so. */
async function userStanding(deps: Pick<OrgAdminDeps, "users">, orgId: string, userId: string): Promise<Result<OrgAdminStanding>> {
  const user = await deps.users.get(userId);
  if (!user || user.orgId !== orgId) return failure("UNAUTHORIZED", NO_SUCH_USER, { detail: "organisation admin's user is gone" });
  const refusal = refusalFor(user);
  return success(refusal ? { user, refusal } : { user });
}

/**
 * The standing of the user whose access token this is, and when the token expires (ms since the
 * epoch). A token that is not a valid, current access token of this service (a refresh token, an
 * expired one, another issuer's, one whose session ended) is UNAUTHORIZED.
 */
export async function accessTokenStanding(
  deps: OrgAdminDeps,
  accessToken: string,
): Promise<Result<OrgAdminStanding & { expiresAtMs: number; signInSession: string }>> {
  const claims = await deps.verifyAccessToken(accessToken);
  if (!claims.ok)
    return failure("UNAUTHORIZED", "The access token is invalid or expired, or its session has ended. Sign in again.", {
      ...(claims.detail && { detail: claims.detail }),
    });
  // verifyAccessToken has just checked the session is active; the user is what is left.
  const standing = await userStanding(deps, claims.value.orgId, claims.value.sub);
  return standing.ok ? success({ ...standing.value, expiresAtMs: claims.value.exp * 1000, signInSession: claims.value.sid }) : standing;
}
