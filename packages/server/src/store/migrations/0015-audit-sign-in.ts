import type { Kysely, Migration } from "kysely";

/**
 * Sign-in steps on the record carry their sign-in session (`sign_in`: a hash of its token), so a
 * provider's health counts an exchange and the authenticate of the same sign-in as one attempt.
 * Records written before, and steps made without a session, leave it null and count alone.
 */
export const auditSignIn: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("audit_events").addColumn("sign_in", "text").execute();
    await db.schema.createIndex("audit_events_sign_in").on("audit_events").column("sign_in").execute();
  },
};
