import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import { initial } from "./migrations/0001-initial.ts";
import { sessionTokens } from "./migrations/0002-session-tokens.ts";
import { authSteps } from "./migrations/0003-auth-steps.ts";

/**
 * Every migration, by name (applied in name order). Written with Kysely's schema builder only,
 * so the same steps run on SQLite and PostgreSQL. One file per migration under migrations/.
 */
const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_session_tokens": sessionTokens,
  "0003_auth_steps": authSteps,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies pending migrations; throws with the failing migration's error. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({ db, provider, migrationTableName: "schema_migrations", migrationLockTableName: "schema_migrations_lock" });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
