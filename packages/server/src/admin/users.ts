import { failure, type Result, success } from "../domain/failures.ts";
import { AlreadyExistsError, type UserRepository } from "../domain/ports/repositories.ts";
import type { User } from "../domain/user.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";

/** The ports user administration needs. */
export interface UserAdministration extends OrganisationAdministration {
  readonly users: UserRepository;
}

/** Adds a user to an organisation; a taken email (case-insensitive) is CONFLICT. */
export async function createUser(deps: UserAdministration, orgId: string, email: string, fullName: string | null): Promise<Result<User>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  try {
    return success(await deps.users.create(orgId, email, fullName));
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
