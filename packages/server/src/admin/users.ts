import { failure, type Result, success } from "../domain/failures.ts";
import { isoNow } from "../domain/ids.ts";
import {
  AlreadyExistsError,
  type AuditTrail,
  type RefreshTokenRepository,
  type UserChanges,
  type UserRepository,
} from "../domain/ports/repositories.ts";
import type { User, UserRole } from "../domain/user.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";

/** The ports user administration needs. */
export interface UserAdministration extends OrganisationAdministration {
  readonly users: UserRepository;
  /** The users' sign-in sessions: disabling a user ends theirs. */
  readonly refreshTokens: Pick<RefreshTokenRepository, "revokeUserFamilies">;
  /** The organisation's audit trail, where disabling and enabling a user are recorded. */
  readonly audit: Pick<AuditTrail, "record">;
}

/** Adds a user to an organisation (a member unless `role` says otherwise); a taken email (case-insensitive) is CONFLICT. */
export async function createUser(
  deps: UserAdministration,
  orgId: string,
  email: string,
  fullName: string | null,
  role: UserRole = "member",
): Promise<Result<User>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  try {
    return success(await deps.users.create(orgId, email, fullName, role));
  } catch (error) {
    if (error instanceof AlreadyExistsError) return failure("CONFLICT", "A user with this email already exists in the organisation.");
    throw error;
  }
}

/** The organisation's users, or the one with `email` (case-insensitive) when given. */
export async function findUsers(deps: UserAdministration, orgId: string, email: string | undefined): Promise<Result<User[]>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  if (email === undefined) return success(await deps.users.list(org.value.id));
  const user = await deps.users.findInOrganisation(org.value.id, email);
  return success(user ? [user] : []);
}

/**
 * Changes what `changes` gives of the organisation's user, in one write:
 *
 * - `role`: an `admin` administers the organisation with their own sign-in, a `member` does not.
 *   Takes effect at the user's next request: their access is decided by the stored role each
 *   time, never by what their token says.
 * - `status`: a `disabled` user cannot sign in, and every sign-in session of theirs ends at once
 *   (their refresh-token families are revoked, so their access tokens and refresh tokens stop
 *   working here); `active` lets them sign in again, but revives no ended session. A change of
 *   status is recorded in the organisation's audit trail (`user.disabled`, `user.enabled`), and so is a
 *   change of role (`user.made_admin`, `user.made_member`).
 *
 * Setting what is already set changes nothing, except that disabling again ends any session
 * still open (one a sign-in under way at the first disabling may have started).
 */
export async function updateUser(
  deps: UserAdministration,
  orgId: string,
  userId: string,
  changes: UserChanges,
  context: { readonly ip?: string } = {},
): Promise<Result<User>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const notFound = () => failure("NOT_FOUND", `No user with id "${userId}" in this organisation.`);
  const before = await deps.users.get(userId);
  if (!before || before.orgId !== org.value.id) return notFound();
  const user = await deps.users.update(org.value.id, userId, changes);
  if (!user) return notFound();
  if (changes.status === "disabled") await deps.refreshTokens.revokeUserFamilies(user.id, "disabled", isoNow());
  const record = (event: string) =>
    deps.audit.record({
      orgId: user.orgId,
      userId: user.id,
      email: user.email,
      provider: null,
      event,
      outcome: "success",
      error: null,
      ip: context.ip ?? null,
    });
  if (user.status !== before.status) await record(user.status === "disabled" ? "user.disabled" : "user.enabled");
  // Who may administer the organisation is worth a record too.
  if (user.role !== before.role) await record(user.role === "admin" ? "user.made_admin" : "user.made_member");
  return success(user);
}
