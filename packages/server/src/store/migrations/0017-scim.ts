import type { Kysely, Migration } from "kysely";

/**
 * SCIM provisioning (#22): the organisations' SCIM tokens and the operator's introspection tokens
 * (only SHA-256 hashes of both), what SCIM keeps of the users it provisioned (who made them, their
 * `externalId`, the resource's other attributes, a version for ETags), SCIM groups with their
 * members, and the group an organisation's operator maps to the admin role.
 */
export const scim: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("scim_tokens")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("revoked_at", "text")
      .execute();
    await db.schema.createIndex("scim_tokens_org").on("scim_tokens").column("org_id").execute();
    await db.schema
      .createTable("introspection_tokens")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text")
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("revoked_at", "text")
      .execute();
    // `provisioned_by`: `scim:<token id>` for users SCIM made (null for the operator's and JIT's).
    await db.schema.alterTable("users").addColumn("provisioned_by", "text").execute();
    await db.schema.alterTable("users").addColumn("external_id", "text").execute();
    // SCIM's userName, lower-cased (unique in the organisation, as RFC 7643 asks; null for others).
    await db.schema.alterTable("users").addColumn("scim_user_name", "text").execute();
    await db.schema.alterTable("users").addColumn("scim_attributes", "text").execute();
    await db.schema
      .alterTable("users")
      .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.createIndex("users_org_scim_user_name").on("users").columns(["org_id", "scim_user_name"]).unique().execute();
    await db.schema.createIndex("users_org_external_id").on("users").columns(["org_id", "external_id"]).execute();
    await db.schema.alterTable("organisations").addColumn("scim_admin_group", "text").execute();
    await db.schema
      .createTable("scim_groups")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("external_id", "text")
      .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addUniqueConstraint("scim_groups_org_name_unique", ["org_id", "display_name"])
      .execute();
    await db.schema
      .createTable("scim_group_members")
      .addColumn("group_id", "text", (c) => c.notNull())
      .addColumn("user_id", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("scim_group_members_pk", ["group_id", "user_id"])
      .execute();
    await db.schema.createIndex("scim_group_members_user").on("scim_group_members").column("user_id").execute();
  },
};
