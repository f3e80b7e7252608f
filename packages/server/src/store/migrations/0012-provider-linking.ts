import type { Kysely, Migration } from "kysely";

/**
 * Which existing users a provider may link: who last saved its identity settings (`operator` or
 * `delegated`; every provider stored before this counts as `delegated` until the operator saves
 * it) and the operator's `linkExistingUsers` (0 or 1). And identity links by user, for the
 * first sign-in's "has this user an identity anywhere" and the operator's list of a user's links.
 */
export const providerLinking: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("providers")
      .addColumn("identity_settings_saved_by", "text", (c) => c.notNull().defaultTo("delegated"))
      .execute();
    await db.schema
      .alterTable("providers")
      .addColumn("link_existing_users", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex("identity_links_user_id").on("identity_links").column("user_id").execute();
  },
};
