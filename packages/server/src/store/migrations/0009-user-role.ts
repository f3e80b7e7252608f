import type { Kysely, Migration } from "kysely";

/**
 * A user's role in their organisation: `member` (every existing user) or `admin`, who may
 * administer the organisation through the admin API and the console with their own sign-in.
 */
export const userRole: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("users")
      .addColumn("role", "text", (c) => c.notNull().defaultTo("member"))
      .execute();
  },
};
