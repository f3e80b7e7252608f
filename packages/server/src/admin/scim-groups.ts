import { scimPatch, type ScimPatchOperation } from "scim-patch";
import { type Result, success } from "../domain/failures.ts";
import { AlreadyExistsError } from "../domain/ports/repositories.ts";
import type { ScimGroup } from "../domain/scim.ts";
import { changesBetween, recordAdminAction } from "./admin-actions.ts";
import { SCIM_SCHEMA, scimFailure, scimVersion } from "./scim-user-resource.ts";
import { type ScimCaller, type ScimUserDeps, scimPage } from "./scim-users.ts";

const notFound = () => scimFailure("NOT_FOUND", undefined, "No such group.");
const taken = () => scimFailure("CONFLICT", "uniqueness", "A group with this displayName already exists in the organisation.");

/** The group as a SCIM Group resource (RFC 7643 §4.2). */
export function scimGroupResource(group: ScimGroup, baseUrl: string) {
  return {
    schemas: [SCIM_SCHEMA.group],
    id: group.id,
    ...(group.externalId !== null && { externalId: group.externalId }),
    displayName: group.displayName,
    members: group.members.map((value) => ({ value, $ref: `${baseUrl}/Users/${value}`, type: "User" })),
    meta: {
      resourceType: "Group",
      created: group.createdAt,
      lastModified: group.updatedAt,
      location: `${baseUrl}/Groups/${group.id}`,
      version: scimVersion(group.version),
    },
  };
}

/**
 * An operation with its `op` lower-cased (Entra ID sends "Add", "Remove"); Entra's removal of
 * members by a value list becomes one removal by filter per member, so it matches whatever else
 * the stored member carries ($ref, type).
 */
function memberRemovals(operation: Record<string, unknown>): Record<string, unknown>[] {
  const op = String(operation?.op).toLowerCase();
  const { path, value } = operation ?? {};
  if (op === "remove" && typeof path === "string" && path.toLowerCase() === "members" && Array.isArray(value))
    return value.map((m: { value?: unknown }) => ({ op, path: `members[value eq ${JSON.stringify(String(m?.value))}]` }));
  return [{ ...operation, op }];
}

/** A Group body's displayName, externalId and member ids. */
function groupWrite(body: unknown): Result<{ displayName: string; externalId: string | null; members: string[] }> {
  const { displayName, externalId, members } = (body ?? {}) as Record<string, unknown>;
  if (typeof displayName !== "string" || displayName.trim() === "" || displayName.length > 256)
    return scimFailure("VALIDATION_ERROR", "invalidValue", "displayName is required: a non-empty string.");
  if (members !== undefined && members !== null && !Array.isArray(members))
    return scimFailure("VALIDATION_ERROR", "invalidValue", "members must be a list.");
  const ids = ((members ?? []) as unknown[]).map((m) => (m as { value?: unknown } | null)?.value);
  if (!ids.every((id): id is string => typeof id === "string"))
    return scimFailure("VALIDATION_ERROR", "invalidValue", "Each member needs a value (a user id).");
  return success({ displayName, externalId: typeof externalId === "string" ? externalId : null, members: [...new Set(ids)] });
}

/**
 * Makes the admin role follow the operator's admin group (setScimAdminGroup): its members are
 * admins, and who leaves it (or whose group stops being it) is a member again. Only provisioned
 * users are ever touched: the operator's admins stay admins.
 */
async function applyAdminRole(deps: ScimUserDeps, orgId: string, before: ScimGroup | undefined, after: ScimGroup | undefined) {
  const adminGroup = await deps.scim.adminGroup(orgId);
  if (adminGroup === null) return;
  const admins = after?.displayName === adminGroup ? after.members : [];
  const former = before?.displayName === adminGroup ? before.members.filter((id) => !admins.includes(id)) : [];
  await deps.scim.setRoles(orgId, admins, "admin");
  await deps.scim.setRoles(orgId, former, "member");
}

async function recordGroup(deps: ScimUserDeps, caller: ScimCaller, event: string, before?: ScimGroup, after?: ScimGroup) {
  const shown = (g?: ScimGroup) => g && { displayName: g.displayName, externalId: g.externalId, members: g.members };
  await recordAdminAction(deps, caller, { event, orgId: caller.orgId, changes: changesBetween(shown(before), shown(after)) });
}

export async function createScimGroup(deps: ScimUserDeps, caller: ScimCaller, body: unknown): Promise<Result<ScimGroup>> {
  const write = groupWrite(body);
  if (!write.ok) return write;
  let group: ScimGroup;
  try {
    group = await deps.scim.createGroup(caller.orgId, write.value.displayName, write.value.externalId, write.value.members);
  } catch (error) {
    if (error instanceof AlreadyExistsError) return taken();
    throw error;
  }
  await applyAdminRole(deps, caller.orgId, undefined, group);
  await recordGroup(deps, caller, "scim_group.created", undefined, group);
  return success(group);
}

export async function getScimGroup(deps: ScimUserDeps, caller: ScimCaller, id: string): Promise<Result<ScimGroup>> {
  const group = await deps.scim.getGroup(caller.orgId, id);
  return group ? success(group) : notFound();
}

/** A page of the organisation's groups; the one filter answered is `displayName eq "…"`. */
export async function listScimGroups(
  deps: ScimUserDeps,
  caller: ScimCaller,
  query: { filter?: string | undefined; startIndex?: number | undefined; count?: number | undefined },
): Promise<Result<{ total: number; startIndex: number; groups: ScimGroup[] }>> {
  let displayName: string | undefined;
  if (query.filter !== undefined && query.filter.trim() !== "") {
    const match = /^\s*displayName\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i.exec(query.filter);
    if (!match) return scimFailure("VALIDATION_ERROR", "invalidFilter", 'The Groups filter supported is displayName eq "…".');
    displayName = JSON.parse(`"${match[1]}"`) as string;
  }
  const { startIndex, count } = scimPage(query);
  return success({ ...(await deps.scim.findGroups(caller.orgId, displayName, startIndex, count)), startIndex });
}

/** Replaces a group (PUT), or patches it (PATCH: members added and removed as Entra ID and Okta send them). */
export async function writeScimGroup(
  deps: ScimUserDeps,
  caller: ScimCaller,
  id: string,
  body: unknown,
  kind: "replace" | "patch",
): Promise<Result<ScimGroup>> {
  const before = await deps.scim.getGroup(caller.orgId, id);
  if (!before) return notFound();
  let resource: unknown = body;
  if (kind === "patch") {
    const operations = (body as { Operations?: unknown } | null)?.Operations;
    if (!Array.isArray(operations) || operations.length === 0)
      return scimFailure("VALIDATION_ERROR", "invalidSyntax", "A PATCH body is a PatchOp with a list of Operations.");
    try {
      const lowered = operations.flatMap(memberRemovals) as unknown as ScimPatchOperation[];
      const current = { ...scimGroupResource(before, ""), meta: { created: new Date(), lastModified: new Date() } };
      resource = scimPatch(current, lowered, { mutateDocument: false, treatMissingAsAdd: true });
    } catch (error) {
      return scimFailure(
        "VALIDATION_ERROR",
        "invalidValue",
        `The PATCH could not be applied: ${error instanceof Error ? error.message : "invalid"}`,
      );
    }
  }
  const write = groupWrite(resource);
  if (!write.ok) return write;
  let after: ScimGroup | undefined;
  try {
    after = await deps.scim.replaceGroup(caller.orgId, id, write.value.displayName, write.value.externalId, write.value.members);
  } catch (error) {
    if (error instanceof AlreadyExistsError) return taken();
    throw error;
  }
  if (!after) return notFound();
  await applyAdminRole(deps, caller.orgId, before, after);
  await recordGroup(deps, caller, "scim_group.updated", before, after);
  return success(after);
}

export async function deleteScimGroup(deps: ScimUserDeps, caller: ScimCaller, id: string): Promise<Result<void>> {
  const before = await deps.scim.getGroup(caller.orgId, id);
  if (!before || !(await deps.scim.deleteGroup(caller.orgId, id))) return notFound();
  await applyAdminRole(deps, caller.orgId, before, undefined);
  await recordGroup(deps, caller, "scim_group.deleted", before, undefined);
  return success(undefined);
}
