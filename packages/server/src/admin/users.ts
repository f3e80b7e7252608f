import { failure, type Result, success } from "../domain/failures.ts";
import { isoNow } from "../domain/ids.ts";
import { AlreadyExistsError, type AuditTrail, type UserChanges, type UserRepository } from "../domain/ports/repositories.ts";
import type { ListedUser, UserDirectory, UserListing } from "../domain/ports/user-directory.ts";
import type { User, UserRole } from "../domain/user.ts";
import { type AdminCaller, changesBetween, recordAdminAction } from "./admin-actions.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";
import type { UserEvent } from "../domain/user.ts";

/** The ports user administration needs. */
export interface UserAdministration extends OrganisationAdministration {
  readonly users: UserRepository;
  /** The users a page at a time, with their identities and last sign-in. */
  readonly userDirectory: UserDirectory;
  /** The organisation's audit trail, where every change to its users is recorded. */
  readonly audit: Pick<AuditTrail, "record">;
  /** Told when a user is disabled (the events webhook's `user.disabled`). */
  readonly userEvents?: ((event: UserEvent) => void) | undefined;
}

/**
 * Adds a user to an organisation (a member unless `role` says otherwise); a taken email
 * (case-insensitive) is CONFLICT. Recorded as `user.created`.
 */
export async function createUser(
  deps: UserAdministration,
  orgId: string,
  email: string,
  fullName: string | null,
  role: UserRole | undefined,
  caller: AdminCaller,
): Promise<Result<User>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  let user: User;
  try {
    user = await deps.users.create(orgId, email, fullName, role ?? "member");
  } catch (error) {
    if (error instanceof AlreadyExistsError) return failure("CONFLICT", "A user with this email already exists in the organisation.");
    throw error;
  }
  const changes = changesBetween(undefined, { email: user.email, fullName: user.fullName, role: user.role, status: user.status });
  await recordAdminAction(deps, caller, { event: "user.created", orgId: user.orgId, user, changes });
  return success(user);
}

/** The most users a page holds, whatever is asked; and how many when nothing is. */
export const MAX_USERS_PAGE = 200;
export const DEFAULT_USERS_PAGE = 50;

/**
 * A page of the organisation's users, oldest first (by id, so paging neither repeats nor skips
 * one): those whose email or full name contains `q` and the one with `email` (case-insensitively)
 * when given, each with their identity links and last sign-in.
 */
export async function findUsers(
  deps: UserAdministration,
  orgId: string,
  listing: Omit<UserListing, "limit"> & { readonly limit?: number | undefined },
): Promise<Result<{ users: ListedUser[]; nextCursor: string | null }>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const limit = Math.min(listing.limit ?? DEFAULT_USERS_PAGE, MAX_USERS_PAGE);
  return success(await deps.userDirectory.page(org.value.id, { ...listing, limit }));
}

/**
 * Changes what `changes` gives of the organisation's user, in one write:
 *
 * - `role`: an `admin` administers the organisation with their own sign-in, a `member` does not.
 *   Takes effect at the user's next request: their access is decided by the stored role each
 *   time, never by what their token says.
 * - `status`: a `disabled` user cannot sign in, and every sign-in session of theirs ends at once
 *   (their refresh-token families are revoked, so their access tokens and refresh tokens stop
 *   working here); `active` lets them sign in again, but revives no ended session.
 *
 * Setting what is already set changes nothing, except that disabling again ends any session
 * still open (one a sign-in under way at the first disabling may have started).
 *
 * Each update is one record in the organisation's audit trail, with what it changed, named by
 * it: the status `user.disabled` or `user.enabled`, the role `user.made_admin` or
 * `user.made_member`, both `user.updated`. An update that changed nothing is named by what it
 * set (disabling again still ends sessions), with no changes.
 */
export async function updateUser(
  deps: UserAdministration,
  orgId: string,
  userId: string,
  changes: UserChanges,
  caller: AdminCaller,
): Promise<Result<User>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const notFound = () => failure("NOT_FOUND", `No user with id "${userId}" in this organisation.`);
  const before = await deps.users.get(userId);
  if (!before || before.orgId !== org.value.id) return notFound();
  const user = await deps.users.update(org.value.id, userId, changes);
  if (!user) return notFound();
  // Disabling ended the user's sessions in the same write (UserRepository.update).
  if (changes.status === "disabled" && before.status !== "disabled")
    deps.userEvents?.({ type: "user.disabled", orgId: user.orgId, userId: user.id, email: user.email, at: isoNow() });
  const changed = changesBetween({ role: before.role, status: before.status }, { role: user.role, status: user.status });
  await recordAdminAction(deps, caller, { event: userUpdateEvent(changes, changed, user), orgId: user.orgId, user, changes: changed });
  return success(user);
}

/** The event an update of a user is recorded as: what it changed, else what it set, when that is one thing. */
function userUpdateEvent(requested: UserChanges, changed: readonly { readonly field: string }[], user: User): string {
  const set = Object.entries(requested).flatMap(([field, value]) => (value === undefined ? [] : [field]));
  const fields = changed.length > 0 ? changed.map((c) => c.field) : set;
  if (fields.length !== 1) return "user.updated";
  if (fields[0] === "status") return user.status === "disabled" ? "user.disabled" : "user.enabled";
  return user.role === "admin" ? "user.made_admin" : "user.made_member";
}
