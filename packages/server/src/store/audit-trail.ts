import type { AuditEvent, AuditRecord, AuditOutcome } from "../signin/model.ts";
import type { Db } from "./database.ts";
import { isoNow, newId } from "./ids.ts";

export function auditTrailRepository(db: Db) {
  return {
    async record(event: AuditEvent): Promise<void> {
      await db
        .insertInto("audit_events")
        .values({ id: newId(), created_at: isoNow(), org_id: event.orgId, user_id: event.userId, email: event.email, provider: event.provider, event: event.event, outcome: event.outcome, error: event.error, ip: event.ip })
        .execute();
    },
    /** Newest first; `cursor` is the id of the last record of the previous page. */
    async page(orgId: string | null, limit: number, cursor?: string): Promise<{ records: AuditRecord[]; nextCursor: string | null }> {
      let query = db.selectFrom("audit_events").selectAll().orderBy("id", "desc").limit(limit + 1);
      query = orgId === null ? query.where("org_id", "is", null) : query.where("org_id", "=", orgId);
      if (cursor) query = query.where("id", "<", cursor);
      const rows = await query.execute();
      const records = rows.slice(0, limit).map((r) => ({
        id: r.id,
        createdAt: r.created_at,
        orgId: r.org_id,
        userId: r.user_id,
        email: r.email,
        provider: r.provider,
        event: r.event,
        outcome: r.outcome as AuditOutcome,
        error: r.error,
        ip: r.ip,
      }));
      return { records, nextCursor: rows.length > limit ? (records.at(-1)?.id ?? null) : null };
    },
  };
}

export type AuditTrailRepository = ReturnType<typeof auditTrailRepository>;
