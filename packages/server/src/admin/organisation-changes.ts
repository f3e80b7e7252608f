import { failure, type Result, success } from "../domain/failures.ts";
import type { Organisation } from "../domain/organisation.ts";
import { AlreadyExistsError } from "../domain/ports/repositories.ts";
import { type AdminActionDeps, type AdminCaller, changesBetween, recordAdminAction } from "./admin-actions.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";

// The operator's changes to an organisation after its creation. Each write goes through the
// organisation repository the sign-in's cache wraps (wiring/backends.ts), so this instance's
// sign-in sees it at once.

type Deps = OrganisationAdministration & AdminActionDeps;

/** Renames the organisation; recorded as `org.updated` with the name before and after. */
export async function renameOrganisation(deps: Deps, orgId: string, name: string, caller: AdminCaller): Promise<Result<Organisation>> {
  const before = await requireOrganisation(deps, orgId);
  if (!before.ok) return before;
  const renamed = await deps.organisations.rename(orgId, name.trim());
  if (!renamed) return failure("ORG_NOT_FOUND", `No organisation with id "${orgId}".`);
  const changes = changesBetween({ name: before.value.name }, { name: renamed.name });
  await recordAdminAction(deps, caller, { event: "org.updated", orgId, changes });
  return success(renamed);
}

/**
 * Adds an email domain: new sign-ins with addresses of it route to the organisation. A domain
 * any organisation claims already (this one included) is CONFLICT. Recorded as `org.domain_added`.
 */
export async function addOrganisationDomain(deps: Deps, orgId: string, domain: string, caller: AdminCaller): Promise<Result<Organisation>> {
  const normalised = domain.toLowerCase();
  let org: Organisation | undefined;
  try {
    org = await deps.organisations.addDomain(orgId, normalised);
  } catch (error) {
    if (error instanceof AlreadyExistsError)
      return failure("CONFLICT", `The domain "${normalised}" is already claimed by an organisation.`);
    throw error;
  }
  if (!org) return failure("ORG_NOT_FOUND", `No organisation with id "${orgId}".`);
  const changes = [{ field: "domain", before: null, after: normalised }];
  await recordAdminAction(deps, caller, { event: "org.domain_added", orgId, changes });
  return success(org);
}

/**
 * Removes an email domain: new sign-ins with addresses of it no longer route to the organisation
 * (the organisation's existing users keep their accounts and still sign in to it). NOT_FOUND when
 * the organisation does not claim it. Recorded as `org.domain_removed`.
 */
export async function removeOrganisationDomain(deps: Deps, orgId: string, domain: string, caller: AdminCaller): Promise<Result<void>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const normalised = domain.toLowerCase();
  if (!(await deps.organisations.removeDomain(orgId, normalised))) {
    return failure("NOT_FOUND", `The organisation does not claim the domain "${normalised}".`);
  }
  const changes = [{ field: "domain", before: normalised, after: null }];
  await recordAdminAction(deps, caller, { event: "org.domain_removed", orgId, changes });
  return success(undefined);
}

/**
 * Deletes the organisation with everything of it: its domains, providers, users, identity links,
 * sign-in steps, setup links, console sessions and refresh tokens (its users can no longer
 * refresh). Its audit trail stays. Recorded as `org.deleted` outside any organisation (the
 * service's trail), with what it was: its id, name and domains.
 */
export async function deleteOrganisation(deps: Deps, orgId: string, caller: AdminCaller): Promise<Result<void>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  if (!(await deps.organisations.remove(orgId))) return failure("ORG_NOT_FOUND", `No organisation with id "${orgId}".`);
  const { id, name, domains } = org.value;
  const changes = changesBetween({ id, name, domains }, undefined);
  await recordAdminAction(deps, caller, { event: "org.deleted", orgId: null, changes });
  return success(undefined);
}
