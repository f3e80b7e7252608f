import type { Kysely, Migration } from "kysely";

/**
 * Self-service setup links: a one-time link an organisation's IT admin redeems for a setup
 * session scoped to that organisation's providers. Only hashes of the link and session are kept.
 */
export const setupLinks: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("setup_links")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("session_hash", "text", (c) => c.unique())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("expires_at", "text", (c) => c.notNull())
      .addColumn("used_at", "text")
      .addColumn("revoked_at", "text")
      .execute();
    await db.schema.createIndex("setup_links_org_id").on("setup_links").columns(["org_id", "id"]).execute();
  },
};
