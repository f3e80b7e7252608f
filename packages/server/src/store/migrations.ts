import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import { initial } from "./migrations/0001-initial.ts";
import { sessionTokens } from "./migrations/0002-session-tokens.ts";
import { authSteps } from "./migrations/0003-auth-steps.ts";
import { encryptionKeyCheck } from "./migrations/0004-encryption-key-check.ts";
import { providerWatch } from "./migrations/0005-provider-watch.ts";
import { lookupIndexes } from "./migrations/0006-lookup-indexes.ts";
import { nextClientSecret } from "./migrations/0007-next-client-secret.ts";
import { setupLinks } from "./migrations/0008-setup-links.ts";
import { userRole } from "./migrations/0009-user-role.ts";
import { auditProviderTime } from "./migrations/0010-audit-provider-time.ts";
import { auditActions } from "./migrations/0011-audit-actions.ts";
import { providerLinking } from "./migrations/0012-provider-linking.ts";
import { secretBinding } from "./migrations/0013-secret-binding.ts";
import { consoleSessions } from "./migrations/0014-console-sessions.ts";
import { auditSignIn } from "./migrations/0015-audit-sign-in.ts";
import { samlProviders } from "./migrations/0016-saml-providers.ts";
import { scim } from "./migrations/0017-scim.ts";
import { domainClaims } from "./migrations/0018-domain-claims.ts";
import { auditRedirectUri } from "./migrations/0019-audit-redirect-uri.ts";
import { lookupChanges } from "./migrations/0020-lookup-changes.ts";
import { auditOneOrgIndex } from "./migrations/0021-audit-one-org-index.ts";

/**
 * Every migration, by name (applied in name order). Written with Kysely's schema builder, so the
 * same steps run on SQLite and PostgreSQL (0020's triggers are PostgreSQL's alone). One file per migration under migrations/.
 */
const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_session_tokens": sessionTokens,
  "0003_auth_steps": authSteps,
  "0004_encryption_key_check": encryptionKeyCheck,
  "0005_provider_watch": providerWatch,
  "0006_lookup_indexes": lookupIndexes,
  "0007_next_client_secret": nextClientSecret,
  "0008_setup_links": setupLinks,
  "0009_user_role": userRole,
  "0010_audit_provider_time": auditProviderTime,
  "0011_audit_actions": auditActions,
  "0012_provider_linking": providerLinking,
  "0013_secret_binding": secretBinding,
  "0014_console_sessions": consoleSessions,
  "0015_audit_sign_in": auditSignIn,
  "0016_saml_providers": samlProviders,
  "0017_scim": scim,
  "0018_domain_claims": domainClaims,
  "0019_audit_redirect_uri": auditRedirectUri,
  "0020_lookup_changes": lookupChanges,
  "0021_audit_one_org_index": auditOneOrgIndex,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

const migrator = (db: Kysely<unknown>) =>
  new Migrator({ db, provider, migrationTableName: "schema_migrations", migrationLockTableName: "schema_migrations_lock" });

/**
 * Applies pending migrations under a database lock, so instances starting together run each one
 * once: Kysely's Migrator holds `pg_advisory_lock` on PostgreSQL, and on SQLite the dialect in
 * database.ts takes `BEGIN IMMEDIATE` (the file's write lock). Returns the names it applied;
 * throws with the failing migration's error.
 */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Applies the migrations up to and including `name` (tests of one migration start from the schema before it). */
export async function migrateTo(db: Kysely<unknown>, name: string): Promise<void> {
  const { error } = await migrator(db).migrateTo(name);
  if (error) throw error;
}

/** The migrations this version has that the database has not applied yet, in order. */
export async function pendingMigrations(db: Kysely<unknown>): Promise<string[]> {
  return (await migrator(db).getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}
