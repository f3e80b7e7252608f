import { parse as parseFilter, type Filter } from "scim2-parse-filter";
import { scimPatch, type ScimPatchOperation } from "scim-patch";
import { type Result, success } from "../domain/failures.ts";
import { AlreadyExistsError, type AuditTrail } from "../domain/ports/repositories.ts";
import { type ScimRepository, type ScimUser, type ScimUserFilter, type ScimUserWrite, VERSION_MISMATCH } from "../domain/scim.ts";
import type { UserEvent } from "../domain/user.ts";
import { type AdminCaller, changesBetween, recordAdminAction } from "./admin-actions.ts";
import { scimFailure, scimUserResource, scimUserWrite } from "./scim-user-resource.ts";

/** The ports SCIM's users need. */
export interface ScimUserDeps {
  readonly scim: ScimRepository;
  readonly audit: Pick<AuditTrail, "record">;
  /** Told when a user is disabled or deleted, after the write (the events webhook). */
  readonly userEvents?: (event: UserEvent) => void;
}

/** Who is calling: the SCIM token (its id names the actor `scim:<id>`) of the organisation. */
export interface ScimCaller extends AdminCaller {
  readonly orgId: string;
}

/** The most resources one page holds, whatever `count` asks (ServiceProviderConfig's filter.maxResults). */
export const SCIM_MAX_RESULTS = 200;

/** A list request's page (RFC 7644 §3.4.2.4): from `startIndex` (1-based, at least 1), `count` resources (0 to the most). */
export const scimPage = (query: { startIndex?: number | undefined; count?: number | undefined }) => ({
  startIndex: Math.max(1, query.startIndex ?? 1),
  count: Math.min(Math.max(0, query.count ?? SCIM_MAX_RESULTS), SCIM_MAX_RESULTS),
});

const notFound = () => scimFailure("NOT_FOUND", undefined, "No such user here (a SCIM token reaches only the users SCIM provisioned).");
const taken = () => scimFailure("CONFLICT", "uniqueness", "A user with this userName or email already exists in the organisation.");
const stale = () => scimFailure("PRECONDITION_FAILED", undefined, "The resource changed since the version given in If-Match.");

/** What a user's audit record shows of them. */
const recorded = (u: ScimUser) => ({
  email: u.user.email,
  fullName: u.user.fullName,
  externalId: u.externalId,
  status: u.user.status,
});

/**
 * A SCIM filter as one of those the service answers: `userName eq`, `externalId eq`,
 * `emails[type eq "work"].value eq` (or `emails.value eq`, `emails eq`); anything else is
 * `invalidFilter` (RFC 7644 §3.4.2.2), so an IdP never mistakes an unsupported filter for no match.
 */
export function scimUserFilter(filter: string | undefined): Result<ScimUserFilter> {
  if (filter === undefined || filter.trim() === "") return success(undefined);
  let parsed: Filter;
  try {
    parsed = parseFilter(filter);
  } catch {
    return scimFailure("VALIDATION_ERROR", "invalidFilter", "The filter could not be parsed.");
  }
  const equality = (f: Filter) =>
    f.op === "eq" && typeof f.compValue === "string" ? { path: f.attrPath.toLowerCase(), value: f.compValue } : undefined;
  const single = equality(parsed);
  if (single?.path === "username") return success({ attribute: "userName", value: single.value });
  if (single?.path === "externalid") return success({ attribute: "externalId", value: single.value });
  if (single?.path === "emails.value" || single?.path === "emails") return success({ attribute: "email", value: single.value });
  // emails[type eq "work"].value eq "…" parses as: emails[type eq "work"] and emails.value eq "…".
  if (parsed.op === "and" && parsed.filters.length === 2) {
    const [typed, value] = parsed.filters;
    const email = value && equality(value);
    if (typed?.op === "[]" && typed.attrPath.toLowerCase() === "emails" && email?.path === "emails.value")
      return success({ attribute: "email", value: email.value });
  }
  return scimFailure(
    "VALIDATION_ERROR",
    "invalidFilter",
    'Supported filters: userName eq "…", externalId eq "…", emails[type eq "work"].value eq "…".',
  );
}

/** Provisions a user in the caller's organisation; a taken email or userName is 409 `uniqueness`. Recorded as `user.created`. */
export async function createScimUser(deps: ScimUserDeps, caller: ScimCaller, body: unknown): Promise<Result<ScimUser>> {
  const write = scimUserWrite(body);
  if (!write.ok) return write;
  let created: ScimUser;
  try {
    created = await deps.scim.createUser(caller.orgId, caller.actor, write.value);
  } catch (error) {
    if (error instanceof AlreadyExistsError) return taken();
    throw error;
  }
  const changes = changesBetween(undefined, recorded(created));
  await recordAdminAction(deps, caller, { event: "user.created", orgId: caller.orgId, user: created.user, changes });
  return success(created);
}

export async function getScimUser(deps: ScimUserDeps, caller: ScimCaller, id: string): Promise<Result<ScimUser>> {
  const found = await deps.scim.getUser(caller.orgId, id);
  return found ? success(found) : notFound();
}

/** A page of the caller's organisation's provisioned users matching the filter (1-based `startIndex`). */
export async function listScimUsers(
  deps: ScimUserDeps,
  caller: ScimCaller,
  query: { filter?: string | undefined; startIndex?: number | undefined; count?: number | undefined },
): Promise<Result<{ total: number; startIndex: number; users: ScimUser[] }>> {
  const filter = scimUserFilter(query.filter);
  if (!filter.ok) return filter;
  const { startIndex, count } = scimPage(query);
  const page = await deps.scim.findUsers(caller.orgId, filter.value, startIndex, count);
  return success({ ...page, startIndex });
}

/**
 * Replaces a provisioned user (PUT). `active: false` disables them and ends every session of
 * theirs in the same transaction; told to the events webhook as `user.disabled`.
 */
export async function replaceScimUser(
  deps: ScimUserDeps,
  caller: ScimCaller,
  id: string,
  body: unknown,
  ifVersion?: number,
): Promise<Result<ScimUser>> {
  const write = scimUserWrite(body);
  return write.ok ? store(deps, caller, id, write.value, ifVersion) : write;
}

/**
 * Patches a provisioned user (RFC 7644 §3.5.2) as Entra ID and Okta send it: `op` in any case
 * ("Replace"), path-less operations whose value is an object of attributes, `active` as the string
 * "False". The operations are applied by `scim-patch` to the user's resource, which is then stored
 * as a replace would.
 */
export async function patchScimUser(
  deps: ScimUserDeps,
  caller: ScimCaller,
  id: string,
  body: unknown,
  ifVersion?: number,
): Promise<Result<ScimUser>> {
  const operations = patchOperations(body);
  if (!operations.ok) return operations;
  const current = await deps.scim.getUser(caller.orgId, id);
  if (!current) return notFound();
  let patched: unknown;
  try {
    patched = scimPatch({ ...scimUserResource(current, ""), meta: { created: new Date(), lastModified: new Date() } }, operations.value, {
      mutateDocument: false,
      treatMissingAsAdd: true,
    });
  } catch (error) {
    const scimType = error instanceof Error && /target/i.test(error.name) ? "noTarget" : "invalidValue";
    return scimFailure(
      "VALIDATION_ERROR",
      scimType,
      `The PATCH could not be applied: ${error instanceof Error ? error.message : "invalid"}`,
    );
  }
  const write = scimUserWrite(patched);
  return write.ok ? store(deps, caller, id, write.value, ifVersion ?? current.version) : write;
}

/** The operations of a PatchOp body, their `op` lower-cased (Entra ID sends "Replace", "Add"). */
function patchOperations(body: unknown): Result<ScimPatchOperation[]> {
  const operations = (body as { Operations?: unknown } | null)?.Operations;
  const invalid = () => scimFailure("VALIDATION_ERROR", "invalidSyntax", "A PATCH body is a PatchOp with a list of Operations.");
  if (!Array.isArray(operations) || operations.length === 0 || operations.length > 100) return invalid();
  const normalised: ScimPatchOperation[] = [];
  for (const operation of operations as unknown[]) {
    const { op, path, value } = (operation ?? {}) as { op?: unknown; path?: unknown; value?: unknown };
    const kind = typeof op === "string" ? op.toLowerCase() : "";
    if (!["add", "replace", "remove"].includes(kind) || (path !== undefined && typeof path !== "string")) return invalid();
    if (kind === "remove" && path === undefined) return scimFailure("VALIDATION_ERROR", "noTarget", "A remove operation needs a path.");
    normalised.push({ op: kind, ...(path !== undefined && { path }), ...(value !== undefined && { value }) } as ScimPatchOperation);
  }
  return success(normalised);
}

/** Stores a write of a provisioned user and records it; a deactivation is told to the webhook. */
async function store(
  deps: ScimUserDeps,
  caller: ScimCaller,
  id: string,
  write: ScimUserWrite,
  ifVersion?: number,
): Promise<Result<ScimUser>> {
  let change: Awaited<ReturnType<ScimRepository["replaceUser"]>>;
  try {
    change = await deps.scim.replaceUser(caller.orgId, id, write, ifVersion);
  } catch (error) {
    if (error instanceof AlreadyExistsError) return taken();
    throw error;
  }
  if (change === undefined) return notFound();
  if (change === VERSION_MISMATCH) return stale();
  const { before, after } = change;
  const changes = changesBetween(recorded(before), recorded(after));
  const wasActive = before.user.status === "active";
  const event = wasActive && !write.active ? "user.disabled" : !wasActive && write.active ? "user.enabled" : "user.updated";
  await recordAdminAction(deps, caller, { event, orgId: caller.orgId, user: after.user, changes });
  if (event === "user.disabled") tell(deps, "user.disabled", after);
  return success(after);
}

/** Deletes a provisioned user (their sessions end in the same transaction); then GET is 404. Recorded as `user.deleted`. */
export async function deleteScimUser(deps: ScimUserDeps, caller: ScimCaller, id: string, ifVersion?: number): Promise<Result<void>> {
  const deleted = await deps.scim.deleteUser(caller.orgId, id, ifVersion);
  if (deleted === undefined) return notFound();
  if (deleted === VERSION_MISMATCH) return stale();
  await recordAdminAction(deps, caller, {
    event: "user.deleted",
    orgId: caller.orgId,
    user: deleted.user,
    changes: changesBetween(recorded(deleted), undefined),
  });
  tell(deps, "user.deleted", deleted);
  return success(undefined);
}

function tell(deps: ScimUserDeps, type: UserEvent["type"], { user }: ScimUser): void {
  deps.userEvents?.({ type, orgId: user.orgId, userId: user.id, email: user.email, at: new Date().toISOString() });
}

/** The PATCH body's form, for callers that check it first. */
export type { ScimUserWrite };
