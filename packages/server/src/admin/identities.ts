import type { AuditActor } from "../domain/audit.ts";
import { failure, type Result, success } from "../domain/failures.ts";
import type { LinkedIdentity } from "../domain/identity.ts";
import type { AuditTrail, IdentityLinkRepository, UserRepository } from "../domain/ports/repositories.ts";
import type { User } from "../domain/user.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";

/** The ports the operator's view of users' identities needs. */
export interface IdentityAdministration extends OrganisationAdministration {
  readonly users: Pick<UserRepository, "get">;
  readonly links: Pick<IdentityLinkRepository, "identitiesOf" | "unlink">;
  /** Where every removed link is recorded (`identity.unlinked`). */
  readonly audit: Pick<AuditTrail, "record">;
}

async function userOf(deps: IdentityAdministration, orgId: string, userId: string): Promise<Result<User>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const user = await deps.users.get(userId);
  return user && user.orgId === org.value.id ? success(user) : failure("NOT_FOUND", `No user with id "${userId}" in this organisation.`);
}

/** The organisation's user's identity links, by provider name. */
export async function listIdentities(deps: IdentityAdministration, orgId: string, userId: string): Promise<Result<LinkedIdentity[]>> {
  const user = await userOf(deps, orgId, userId);
  return user.ok ? success(await deps.links.identitiesOf(user.value.id)) : user;
}

/**
 * Removes the user's identity link at the provider, recorded as `identity.unlinked`: their next
 * sign-in through it links again, by the rules of signin/account-linking.ts. How the operator
 * lets an admin who already has an identity be linked to another provider.
 */
export async function unlinkIdentity(
  deps: IdentityAdministration,
  orgId: string,
  userId: string,
  provider: string,
  caller: { readonly actor: AuditActor; readonly ip: string | null },
): Promise<Result<void>> {
  const user = await userOf(deps, orgId, userId);
  if (!user.ok) return user;
  const subject = await deps.links.unlink(user.value.orgId, user.value.id, provider);
  if (subject === undefined) return failure("NOT_FOUND", `The user has no identity at a provider "${provider}".`);
  await deps.audit.record({
    orgId: user.value.orgId,
    userId: user.value.id,
    email: user.value.email,
    provider,
    event: "identity.unlinked",
    outcome: "success",
    error: null,
    ip: caller.ip,
    actor: caller.actor,
    changes: [{ field: "subject", before: subject, after: null }],
  });
  return success(undefined);
}
