import { failure, type Result, success } from "../domain/failures.ts";
import type { Organisation } from "../domain/organisation.ts";
import { AlreadyExistsError, type OrganisationRepository } from "../domain/ports/repositories.ts";
import { type AdminActionDeps, type AdminCaller, changesBetween, recordAdminAction } from "./admin-actions.ts";

/** The ports organisation administration needs. */
export interface OrganisationAdministration {
  readonly organisations: OrganisationRepository;
}

/**
 * Creates an organisation claiming `domains`; a domain another organisation claims is CONFLICT.
 * Recorded as `org.created` in the new organisation's own trail.
 */
export async function createOrganisation(
  deps: OrganisationAdministration & AdminActionDeps,
  name: string,
  domains: readonly string[],
  caller: AdminCaller,
): Promise<Result<Organisation>> {
  let org: Organisation;
  try {
    org = await deps.organisations.create(name.trim(), domains);
  } catch (error) {
    if (error instanceof AlreadyExistsError) return failure("CONFLICT", "One of these domains is already claimed by another organisation.");
    throw error;
  }
  const changes = changesBetween(undefined, { name: org.name, domains: org.domains });
  await recordAdminAction(deps, caller, { event: "org.created", orgId: org.id, changes });
  return success(org);
}

/** The organisation with this id, or ORG_NOT_FOUND. */
export async function requireOrganisation(deps: OrganisationAdministration, orgId: string): Promise<Result<Organisation>> {
  const org = await deps.organisations.get(orgId);
  return org ? success(org) : failure("ORG_NOT_FOUND", `No organisation with id "${orgId}".`);
}

/** The organisation PipesHub's single-organisation endpoints mean: the named one, or the only one. */
export async function implicitOrganisation(deps: OrganisationAdministration, orgId: string | undefined): Promise<Result<Organisation>> {
  if (orgId) return requireOrganisation(deps, orgId);
  const all = await deps.organisations.list(2);
  if (all.length === 1) return success(all[0]!);
  return failure(
    all.length === 0 ? "ORG_NOT_FOUND" : "VALIDATION_ERROR",
    all.length === 0 ? "No organisation exists yet." : "Several organisations exist: pass orgId.",
  );
}

/** Every organisation (the first thousand), oldest first. */
export function listOrganisations(deps: OrganisationAdministration): Promise<Organisation[]> {
  return deps.organisations.list(1000);
}
