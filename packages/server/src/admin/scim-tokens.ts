import { failure, type Result, success } from "../domain/failures.ts";
import { newOpaqueToken, tokenHash } from "../domain/ids.ts";
import type { ScimRepository, ScimToken } from "../domain/scim.ts";
import { type AdminActionDeps, type AdminCaller, changesBetween, recordAdminAction } from "./admin-actions.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";

/** The ports SCIM token administration needs; making and revoking one is recorded in the organisation's trail. */
export interface ScimTokenDeps extends OrganisationAdministration, AdminActionDeps {
  readonly scim: ScimRepository;
}

/** SCIM tokens start so, which tells them from other bearer values before any lookup. */
export const SCIM_TOKEN_PREFIX = "scim.";

/** Where an organisation's SCIM service provider answers: what an IdP calls the tenant URL. */
export const scimBaseUrl = (publicUrl: string, orgId: string) => `${publicUrl}/scim/v2/${orgId}`;

/**
 * Makes a SCIM token for the organisation's directory. The token is shown once, here; only its
 * SHA-256 hash is kept. Recorded as `scim_token.created` with its id (never the token).
 */
export async function createScimToken(
  deps: ScimTokenDeps,
  orgId: string,
  publicUrl: string,
  caller: AdminCaller,
): Promise<Result<ScimToken & { token: string; baseUrl: string }>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const token = `${SCIM_TOKEN_PREFIX}${newOpaqueToken()}`;
  const created = await deps.scim.createToken(org.value.id, tokenHash(token));
  await recordAdminAction(deps, caller, {
    event: "scim_token.created",
    orgId: created.orgId,
    changes: changesBetween(undefined, { id: created.id }),
  });
  return success({ ...created, token, baseUrl: scimBaseUrl(publicUrl, created.orgId) });
}

/** The organisation's SCIM tokens, newest first (never a token's value). */
export async function listScimTokens(deps: ScimTokenDeps, orgId: string): Promise<Result<ScimToken[]>> {
  const org = await requireOrganisation(deps, orgId);
  return org.ok ? success(await deps.scim.listTokens(org.value.id)) : org;
}

/** Revokes a SCIM token: its next request is refused. Recorded as `scim_token.revoked`. */
export async function revokeScimToken(deps: ScimTokenDeps, orgId: string, id: string, caller: AdminCaller): Promise<Result<void>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  if (!(await deps.scim.revokeToken(org.value.id, id))) return failure("NOT_FOUND", "No such SCIM token (or it is already revoked).");
  await recordAdminAction(deps, caller, { event: "scim_token.revoked", orgId: org.value.id, changes: changesBetween({ id }, undefined) });
  return success(undefined);
}

/** The organisation an unrevoked SCIM token belongs to, and the token's id; undefined for any other value. */
export async function scimTokenCaller(deps: Pick<ScimTokenDeps, "scim">, token: string): Promise<ScimToken | undefined> {
  if (!token.startsWith(SCIM_TOKEN_PREFIX)) return undefined;
  return deps.scim.activeToken(tokenHash(token));
}

/**
 * Sets which SCIM group's members are the organisation's admins (the operator's alone: a
 * directory or a delegated admin must not be able to grant the admin role). Null: none.
 * Recorded as `scim.admin_group_set`.
 */
export async function setScimAdminGroup(
  deps: ScimTokenDeps,
  orgId: string,
  displayName: string | null,
  caller: AdminCaller,
): Promise<Result<{ adminGroup: string | null }>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const before = await deps.scim.adminGroup(org.value.id);
  await deps.scim.setAdminGroup(org.value.id, displayName);
  // The roles follow at once: the old group's provisioned members are members again, the new one's admins.
  const membersOf = async (name: string | null) =>
    name === null ? [] : ((await deps.scim.findGroups(org.value.id, name, 1, 1)).groups[0]?.members ?? []);
  const admins = await membersOf(displayName);
  await deps.scim.setRoles(
    org.value.id,
    (await membersOf(before)).filter((id) => !admins.includes(id)),
    "member",
  );
  await deps.scim.setRoles(org.value.id, admins, "admin");
  await recordAdminAction(deps, caller, {
    event: "scim.admin_group_set",
    orgId: org.value.id,
    changes: changesBetween({ adminGroup: before }, { adminGroup: displayName }),
  });
  return success({ adminGroup: displayName });
}
