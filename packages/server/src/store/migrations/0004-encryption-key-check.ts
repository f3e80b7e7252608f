import type { Kysely, Migration } from "kysely";

/**
 * A check value of ENCRYPTION_KEY: a known text sealed under it, so an instance started with
 * another key refuses to start instead of failing on every secret it opens.
 */
export const encryptionKeyCheck: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("encryption_key_check")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("sealed_check", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
  },
};
