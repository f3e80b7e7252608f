import type { Kysely, Migration } from "kysely";

/**
 * SAML 2.0 providers live in the providers table beside OAuth ones, so one name means one
 * provider of an organisation, and identity links, cascades, health and the audit trail (by
 * provider name) work for both: `protocol` says which kind a row is (`oauth` for every row stored
 * before), its settings JSON is that kind's. A SAML provider's SP key: the certificate as it is
 * (it is published in the SP metadata), the private key sealed like a client secret.
 */
export const samlProviders: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("providers")
      .addColumn("protocol", "text", (c) => c.notNull().defaultTo("oauth"))
      .execute();
    await db.schema.alterTable("providers").addColumn("sp_certificate", "text").execute();
    await db.schema.alterTable("providers").addColumn("sp_private_key_sealed", "text").execute();
  },
};
