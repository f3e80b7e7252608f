import type { Kysely, Migration } from "kysely";

/**
 * Indexes of the exchange's lookups: an organisation's domains by organisation (every
 * organisation read loads them), and users by email in id order (the organisation an email
 * signs in to), so that lookup reads the index in order instead of sorting.
 */
export const lookupIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex("organisation_domains_org_id").on("organisation_domains").column("org_id").execute();
    await db.schema.createIndex("users_email_lower_id").on("users").columns(["email_lower", "id"]).execute();
    // Its prefix is the index above.
    await db.schema.dropIndex("users_email_lower").execute();
  },
};
