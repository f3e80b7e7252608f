import type { Kysely, Migration } from "kysely";

/**
 * The console's sessions move from the short-lived state to the database, so that the operator
 * can list and end them on every instance at once. Each is kept by a hash of its cookie (an
 * operator's keyed by the admin token, so a new ADMIN_TOKEN finds none of them). Sessions open
 * in the short-lived state at the upgrade end with it: their holders sign in again.
 */
export const consoleSessions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("console_sessions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("key_hash", "text", (c) => c.notNull().unique())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("org_id", "text")
      .addColumn("user_id", "text")
      .addColumn("sign_in_session", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("expires_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("console_sessions_expires_at").on("console_sessions").column("expires_at").execute();
  },
};
