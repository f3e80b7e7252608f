/** `client.admin`'s audit trail: an organisation's records, and the service's own. */
import type { RequestOptions } from "../http.ts";
import { readBody, withOptional, type Query, type ResponseBody, type Schema } from "../wire.ts";
import { orgPath } from "./resource.ts";
import { UserAdmin } from "./users.ts";

/**
 * One field an admin write changed: its values before and after (null: none), or only that it
 * changed (`changed: true`: a secret, never its value, or a value too large to keep).
 */
export type AuditChange = Schema<"AuditChange">;

/**
 * One audit record: a sign-in step, or an admin write or refused admin request. Never contains
 * a token or secret. `actor` says who acted (`operator`, `org-admin:<userId>`,
 * `setup-link:<id>`; null on sign-in steps), `changes` what an admin write changed.
 */
export type AuditRecord = Schema<"AuditRecord">;

/** One page of the audit trail, newest first; pass `nextCursor` to {@link Admin.listAudit} for the next page (null on the last). */
export type AuditPage = ResponseBody<"GET /api/v1/orgs/{orgId}/audit">;

/**
 * Input of {@link Admin.listAudit}: `limit` (1 to 200, default 50; a number here, digits in the
 * query), `cursor`, and filters by outcome, provider, event, email and actor.
 */
export type ListAuditRequest = Omit<Query<"GET /api/v1/orgs/{orgId}/audit">, "limit"> & { limit?: number };

/** A service from before `actor` and `changes` existed leaves them out: they are read as null. */
const readPage = (operation: "GET /api/v1/orgs/{orgId}/audit" | "GET /api/v1/audit") => {
  const read = readBody<AuditPage>(operation, (schema) => withOptional(schema, ["records[].actor", "records[].changes"]));
  return (raw: Parameters<typeof read>[0]): AuditPage => {
    const page = read(raw);
    return {
      ...page,
      records: page.records.map((record) => ({ ...record, actor: record.actor ?? null, changes: record.changes ?? null })),
    };
  };
};
const readOrgPage = readPage("GET /api/v1/orgs/{orgId}/audit");
const readServicePage = readPage("GET /api/v1/audit");

export class AuditAdmin extends UserAdmin {
  /**
   * Reads the organisation's audit trail (its sign-in steps and the admin writes to it), a page at
   * a time, newest first, optionally narrowed:
   * `GET /api/v1/orgs/{orgId}/audit?limit=&cursor=&outcome=&provider=&event=&email=&actor=`.
   */
  listAudit(orgId: string, request: ListAuditRequest = {}, options?: RequestOptions): Promise<AuditPage> {
    return this.call(
      { method: "GET", path: `${orgPath(orgId)}/audit`, query: auditQuery(request), idempotent: true },
      options,
      readOrgPage,
    );
  }

  /**
   * Reads the records outside any organisation (`keys.rotated`, `keys.reencrypted`, sign-ins that
   * reached none), newest first, narrowed like {@link Admin.listAudit}: `GET /api/v1/audit`. The
   * operator's alone.
   */
  listServiceAudit(request: ListAuditRequest = {}, options?: RequestOptions): Promise<AuditPage> {
    return this.call({ method: "GET", path: "/api/v1/audit", query: auditQuery(request), idempotent: true }, options, readServicePage);
  }
}

function auditQuery({ limit, cursor, outcome, provider, event, email, actor }: ListAuditRequest) {
  return { limit, cursor, outcome, provider, event, email, actor };
}
