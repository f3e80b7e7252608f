import { randomBytes } from "node:crypto";
import { type Kysely, type Migration, sql } from "kysely";

/**
 * An organisation's domains become claims that a DNS TXT record proves (issue #22): each row is
 * one organisation's claim of one domain, `verified` or `pending`, with its own random record
 * value. Several organisations may claim a domain pending; only one may hold it verified (a
 * partial unique index, the same on SQLite and PostgreSQL). The table is rebuilt because the
 * domain alone was its primary key; every existing domain was the operator's and stays verified.
 */
export const domainClaims: Migration = {
  async up(db: Kysely<unknown>) {
    const old = db as unknown as Kysely<{ organisation_domains: { domain: string; org_id: string } }>;
    const rows = await old.selectFrom("organisation_domains").select(["domain", "org_id"]).execute();
    await db.schema
      .createTable("organisation_domains_0018")
      .addColumn("org_id", "text", (c) => c.notNull().references("organisations.id").onDelete("cascade"))
      .addColumn("domain", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("txt_token", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("verified_at", "text")
      .addColumn("last_checked_at", "text")
      .addPrimaryKeyConstraint("organisation_domains_0018_pkey", ["org_id", "domain"])
      .execute();
    const now = new Date().toISOString();
    const copied = db as unknown as Kysely<{ organisation_domains_0018: Record<string, string> }>;
    for (const row of rows) {
      await copied
        .insertInto("organisation_domains_0018")
        .values({ ...row, status: "verified", txt_token: randomBytes(24).toString("base64url"), created_at: now, verified_at: now })
        .execute();
    }
    await db.schema.dropTable("organisation_domains").execute();
    await db.schema.alterTable("organisation_domains_0018").renameTo("organisation_domains").execute();
    // The sign-in's lookup by domain reads verified claims only: this index is both the rule and its lookup.
    await db.schema
      .createIndex("organisation_domains_verified")
      .on("organisation_domains")
      .column("domain")
      .unique()
      .where(sql.ref("status"), "=", "verified")
      .execute();
    await db.schema.createIndex("organisation_domains_org_id").on("organisation_domains").column("org_id").execute();
  },
};
