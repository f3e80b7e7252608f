import type { Kysely, Migration } from "kysely";

/**
 * A provider's next client secret, for rotating it without downtime: sealed like the current
 * one, tried when the provider refuses the current one, promoted by an admin.
 */
export const nextClientSecret: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("providers").addColumn("next_client_secret_sealed", "text").execute();
  },
};
