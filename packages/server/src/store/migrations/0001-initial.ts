import type { Kysely, Migration } from "kysely";

/** Organisations, users, providers, identity links and the audit trail. */
export const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("organisations")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("organisation_domains")
      .addColumn("domain", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
      .execute();
    await db.schema
      .createTable("users")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
      .addColumn("email", "text", (c) => c.notNull())
      .addColumn("email_lower", "text", (c) => c.notNull())
      .addColumn("full_name", "text")
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addUniqueConstraint("users_org_email_unique", ["org_id", "email_lower"])
      .execute();
    await db.schema.createIndex("users_email_lower").on("users").column("email_lower").execute();
    await db.schema
      .createTable("providers")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("settings", "text", (c) => c.notNull())
      .addColumn("client_secret_sealed", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addUniqueConstraint("providers_org_name_unique", ["org_id", "name"])
      .execute();
    await db.schema
      .createTable("identity_links")
      .addColumn("org_id", "text", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
      .addColumn("provider_id", "text", (c) => c.notNull().references("providers.id").onDelete("cascade"))
      .addColumn("subject", "text", (c) => c.notNull())
      .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
      .addColumn("created_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("identity_links_pk", ["provider_id", "subject"])
      // One subject per user per provider: a linked user is never re-linked to another subject.
      .addUniqueConstraint("identity_links_user_unique", ["provider_id", "user_id"])
      .execute();
    await db.schema
      .createTable("audit_events")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text")
      .addColumn("user_id", "text")
      .addColumn("email", "text")
      .addColumn("provider", "text")
      .addColumn("event", "text", (c) => c.notNull())
      .addColumn("outcome", "text", (c) => c.notNull())
      .addColumn("error", "text")
      .addColumn("ip", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("audit_events_org_id").on("audit_events").columns(["org_id", "id"]).execute();
  },
};
