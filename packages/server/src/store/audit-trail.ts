import type { AuditOutcome } from "../domain/audit.ts";
import { isoNow, newId } from "../domain/ids.ts";
import type { AuditTrail } from "../domain/ports/repositories.ts";
import type { Db } from "./database.ts";

/** The audit trail over SQL; ids sort in creation order, which the newest-first paging relies on. */
export function auditTrailRepository(db: Db): AuditTrail {
  return {
    async record(event) {
      await db
        .insertInto("audit_events")
        .values({
          id: newId(),
          created_at: isoNow(),
          org_id: event.orgId,
          user_id: event.userId,
          email: event.email,
          provider: event.provider,
          event: event.event,
          outcome: event.outcome,
          error: event.error,
          ip: event.ip,
        })
        .execute();
    },
    async page(orgId, limit, cursor) {
      let query = db
        .selectFrom("audit_events")
        .selectAll()
        .orderBy("id", "desc")
        .limit(limit + 1);
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
