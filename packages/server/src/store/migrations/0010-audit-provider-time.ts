import type { Kysely, Migration } from "kysely";

/**
 * An index of the audit trail by organisation, provider and time: a provider's health (and its
 * series) reads one provider's rows of one window, which without it meant every row the
 * organisation ever wrote.
 */
export const auditProviderTime: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex("audit_events_org_provider_time")
      .on("audit_events")
      .columns(["org_id", "provider", "created_at"])
      .execute();
  },
};
