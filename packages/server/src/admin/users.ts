import { failure, type Result, success } from "../domain/failures.ts";
import { AlreadyExistsError, type UserRepository } from "../domain/ports/repositories.ts";
import type { User, UserRole } from "../domain/user.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";

/** The ports user administration needs. */
export interface UserAdministration extends OrganisationAdministration {
  readonly users: UserRepository;
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
 * Makes the organisation's user an `admin` (who may then administer the organisation with their
 * own sign-in) or a `member` again. Takes effect at the user's next request: their access is
 * decided by the stored role each time, never by what their token says.
 */
export async function setUserRole(deps: UserAdministration, orgId: string, userId: string, role: UserRole): Promise<Result<User>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const user = await deps.users.update(org.value.id, userId, { role });
  return user ? success(user) : failure("NOT_FOUND", `No user with id "${userId}" in this organisation.`);
}
