import type { Kysely, Migration } from "kysely";

/**
 * What the provider watch last saw of each provider (its discovery document and keys, reduced to
 * what matters), and the changes it found: the organisation's provider events.
 */
export const providerWatch: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("provider_snapshots")
      .addColumn("org_id", "text", (c) => c.notNull())
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("snapshot", "text", (c) => c.notNull())
      .addColumn("taken_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("provider_snapshots_pk", ["org_id", "provider"])
      .execute();
    await db.schema
      .createTable("provider_events")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull())
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("changes", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("provider_events_org_id").on("provider_events").columns(["org_id", "id"]).execute();
  },
};
