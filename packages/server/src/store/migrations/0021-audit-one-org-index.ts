import type { Kysely, Migration } from "kysely";

/**
 * The audit trail keeps one index that leads with the organisation (`audit_events_org_id`: org_id,
 * id). A provider's health reads its window through it too, as a range of ids (ids begin with
 * their time, domain/ids.ts), so 0010's (org_id, provider, created_at) goes: every audit row was
 * written into two places per organisation, and with many organisations signing in at once those
 * writes land on as many scattered pages (bench/growth.bench.ts: 0.79 of the small case's
 * throughput with it, 0.92 without, on SQLite).
 */
export const auditOneOrgIndex: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.dropIndex("audit_events_org_provider_time").ifExists().execute();
  },
};
