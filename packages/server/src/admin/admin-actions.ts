import type { AuditActor, AuditChange } from "../domain/audit.ts";
import type { AuditTrail } from "../domain/ports/repositories.ts";

/** Who made an admin write, and from where: what its record names as `actor` and `ip`. */
export interface AdminCaller {
  readonly actor: AuditActor;
  readonly ip: string | null;
  /** An organisation admin or a setup-link session rather than the operator: trusted for less (domain/provider-linking.ts). */
  readonly delegated: boolean;
}

/** Where admin writes are recorded. */
export interface AdminActionDeps {
  readonly audit: Pick<AuditTrail, "record">;
}

/** One admin write, as its record tells it. */
export interface AdminAction {
  /** `org.created`, `provider.updated`, `user.disabled`, `keys.rotated`, … */
  readonly event: string;
  /** The organisation written to; null for what lies outside any (the service's keys). */
  readonly orgId: string | null;
  /** The provider written, when the write is about one. */
  readonly provider?: string | null;
  /** The user written, when the write is about one (the actor is named apart, in `actor`). */
  readonly user?: { readonly id: string; readonly email: string } | null;
  readonly changes: readonly AuditChange[];
}

/** A value whose JSON is longer than this is recorded only as changed: the trail keeps what was done, not whole documents. */
export const MAX_RECORDED_VALUE = 500;

/** A stored secret whose value is not at hand (it stays sealed): differs from any secret given. */
export const STORED_SECRET: unique symbol = Symbol("stored secret");

type Fields = Readonly<Record<string, unknown>>;

/**
 * What a write changed, field by field: the fields of `before` and `after` (undefined: the thing
 * did not exist, or no longer does) whose values differ, as `{field, before, after}` (a missing
 * value as null). A field in `secretFields`, or whose value is too large to keep, is only
 * `{field, changed: true}`: a secret's value never reaches the trail. Secrets are compared by
 * identity, so pass {@link STORED_SECRET} for one kept as it was and the given value for a new one.
 */
export function changesBetween(
  before: Fields | undefined,
  after: Fields | undefined,
  options: { readonly secretFields?: readonly string[] } = {},
): AuditChange[] {
  const secret = new Set(options.secretFields ?? []);
  const fields = [...new Set([...Object.keys(after ?? {}), ...Object.keys(before ?? {})])];
  const changes: AuditChange[] = [];
  for (const field of fields) {
    const was = before?.[field] ?? null;
    const is = after?.[field] ?? null;
    if (secret.has(field)) {
      if (was !== is) changes.push({ field, changed: true });
      continue;
    }
    const [wasJson, isJson] = [sortedJson(was), sortedJson(is)];
    if (wasJson === isJson) continue;
    const tooLarge = wasJson.length > MAX_RECORDED_VALUE || isJson.length > MAX_RECORDED_VALUE;
    changes.push(tooLarge ? { field, changed: true } : { field, before: was, after: is });
  }
  return changes;
}

/** JSON with every object's keys sorted: the same value stored and given in another key order is no change. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** Records one admin write that succeeded: who did it, to which organisation, and what changed. */
export function recordAdminAction(deps: AdminActionDeps, caller: AdminCaller, action: AdminAction): Promise<void> {
  return deps.audit.record({
    orgId: action.orgId,
    userId: action.user?.id ?? null,
    email: action.user?.email ?? null,
    provider: action.provider ?? null,
    event: action.event,
    outcome: "success",
    error: null,
    ip: caller.ip,
    actor: caller.actor,
    changes: action.changes,
  });
}
