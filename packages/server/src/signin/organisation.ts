import { failure, type Result, success } from "../domain/failures.ts";
import { emailDomain, type Organisation } from "../domain/organisation.ts";
import type { OrganisationRepository, UserRepository } from "../domain/ports/repositories.ts";

export interface OrganisationLookup {
  readonly organisations: Pick<OrganisationRepository, "get" | "findByDomain" | "list">;
  readonly users: Pick<UserRepository, "findByEmail">;
}

/**
 * Which organisation an email signs in to: the organisation of an existing user with that
 * email; else the one that claims the email's domain; else the only organisation, if there
 * is exactly one.
 */
export async function resolveOrganisation(deps: OrganisationLookup, email: string): Promise<Result<Organisation>> {
  const domain = emailDomain(email);
  const users = await deps.users.findByEmail(email);
  if (users.length > 0) {
    const claiming = users.length > 1 ? await deps.organisations.findByDomain(domain) : undefined;
    const orgId = claiming && users.some((u) => u.orgId === claiming.id) ? claiming.id : users[0]!.orgId;
    const org = await deps.organisations.get(orgId);
    if (org) return success(org);
  }
  const byDomain = await deps.organisations.findByDomain(domain);
  if (byDomain) return success(byDomain);
  const all = await deps.organisations.list(2);
  if (all.length === 1) return success(all[0]!);
  return failure("ORG_NOT_FOUND", "No organisation signs in with this email address.");
}

/**
 * The organisation of this request: the one the caller already resolved (authorize and the
 * exchange resolve it to decide the provider's kind), else resolved now — once per request.
 */
export function organisationOf(
  deps: OrganisationLookup,
  email: string,
  resolved: Result<Organisation> | undefined,
): Promise<Result<Organisation>> {
  return resolved ? Promise.resolve(resolved) : resolveOrganisation(deps, email);
}
