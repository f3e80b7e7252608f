import type { Kysely, Migration } from "kysely";

/**
 * Sign-in steps on the record carry the redirect URI the application named (`redirect_uri`), so
 * the audit trail shows which URI a REDIRECT_URI_MISMATCH tried. Older records leave it null.
 */
export const auditRedirectUri: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("audit_events").addColumn("redirect_uri", "text").execute();
  },
};
