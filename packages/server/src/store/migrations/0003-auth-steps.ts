import type { Kysely, Migration } from "kysely";

/** Each organisation's sign-in steps (PipesHub's orgAuthConfig), as JSON. */
export const authSteps: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("organisation_auth_steps")
      .addColumn("org_id", "text", (c) => c.primaryKey().references("organisations.id").onDelete("cascade"))
      .addColumn("steps", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
  },
};
