import { failure, type Result, success } from "../domain/failures.ts";
import type { Organisation } from "../domain/organisation.ts";
import { AlreadyExistsError, type OrganisationRepository } from "../domain/ports/repositories.ts";

/** The ports organisation administration needs. */
export interface OrganisationAdministration {
  readonly organisations: OrganisationRepository;
}

/** Creates an organisation claiming `domains`; a domain another organisation claims is CONFLICT. */
export async function createOrganisation(
  deps: OrganisationAdministration,
  name: string,
  domains: readonly string[],
): Promise<Result<Organisation>> {
  try {
    return success(await deps.organisations.create(name.trim(), domains));
  } catch (error) {
    if (error instanceof AlreadyExistsError) return failure("CONFLICT", "One of these domains is already claimed by another organisation.");
    throw error;
  }
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
