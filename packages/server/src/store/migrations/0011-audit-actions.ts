import type { Kysely, Migration } from "kysely";

/**
 * Admin actions on the record: who acted (`actor`) and what changed, field by field (`changes`,
 * JSON). Sign-in steps leave both null.
 */
export const auditActions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("audit_events").addColumn("actor", "text").execute();
    await db.schema.alterTable("audit_events").addColumn("changes", "text").execute();
  },
};
