import type { Kysely, Migration } from "kysely";

/**
 * The service's own tokens: its signing keys (private half sealed), and refresh-token families
 * for rotation with reuse detection. No foreign keys to users/organisations: a refresh for a
 * user who no longer exists must answer USER_NOT_FOUND, not lose its rows silently.
 */
export const sessionTokens: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("signing_keys")
      .addColumn("kid", "text", (c) => c.primaryKey())
      .addColumn("public_jwk", "text", (c) => c.notNull())
      .addColumn("private_jwk_sealed", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("retired_at", "text")
      .execute();
    await db.schema
      .createTable("refresh_token_families")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("org_id", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("revoked_at", "text")
      .addColumn("revoked_reason", "text")
      .execute();
    await db.schema.createIndex("refresh_token_families_user_id").on("refresh_token_families").column("user_id").execute();
    await db.schema
      .createTable("refresh_tokens")
      .addColumn("jti", "text", (c) => c.primaryKey())
      .addColumn("family_id", "text", (c) => c.notNull().references("refresh_token_families.id").onDelete("cascade"))
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("expires_at", "text", (c) => c.notNull())
      .addColumn("used_at", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("refresh_tokens_family_id").on("refresh_tokens").column("family_id").execute();
  },
};
