import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type DialectAdapter, Kysely, PostgresDialect, SqliteAdapter, SqliteDialect, sql } from "kysely";
import pg from "pg";
import type { Breaker } from "../domain/breaker.ts";
import { AlreadyExistsError } from "../domain/ports/repositories.ts";
import { migrateToLatest, pendingMigrations } from "./migrations.ts";
import { resilientPool } from "./resilient-pool.ts";
import type { Database } from "./schema.ts";
import type { StoredChanges } from "../domain/ports/stored-changes.ts";
import { openSqlite } from "./sqlite-driver.ts";
import type { DatabaseLocation } from "../domain/database-location.ts";

/** The typed database handle, either engine. */
export type Db = Kysely<Database>;

export type { DatabaseLocation };

/** How the PostgreSQL pool treats an unavailable server. */
export interface DatabaseOptions {
  /** Deadline to connect and of every statement (`connectionTimeoutMillis`, `statement_timeout`, `query_timeout`). */
  readonly timeoutMs?: number;
  /** Told of every connection that broke (the pool replaces it); default: ignored. */
  readonly onConnectionError?: (error: Error) => void;
  /** PostgreSQL's circuit breaker (default: one of its own). */
  readonly breaker?: Breaker;
}

/**
 * SQLite's migration lock: the file's write lock (`BEGIN IMMEDIATE`), held while the migrations
 * run, so processes sharing the file migrate it one at a time (Kysely's own SQLite lock is a no-op).
 */
class SqliteMigrationLockAdapter extends SqliteAdapter {
  override async acquireMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`begin immediate`.execute(db);
  }
  override async releaseMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`commit`.execute(db);
  }
}

class LockingSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new SqliteMigrationLockAdapter();
  }
}

/** The database's schema is older than this version and MIGRATE_AT_START=false. */
export class SchemaNotMigratedError extends Error {
  constructor(pending: readonly string[]) {
    super(
      `the database schema is not up to date (pending migrations: ${pending.join(", ")}): run "npm run migrate" first, or start with MIGRATE_AT_START=true`,
    );
    this.name = "SchemaNotMigratedError";
  }
}

const sqliteChanges = new WeakMap<Db, StoredChanges>();

/**
 * How a cache over this database tells a remembered read is still current (SQLite: every change
 * of this process and any other's is seen at once); none for PostgreSQL, whose other instances'
 * writes are seen only by reading again.
 */
export function storedChangesOf(db: Db): StoredChanges | undefined {
  return sqliteChanges.get(db);
}

/** A connection pool to the database, without migrating it (openDatabase is what the service uses). */
export function connect(location: DatabaseLocation, options: DatabaseOptions = {}): Db {
  if (location.kind === "sqlite") {
    if (location.path !== ":memory:") mkdirSync(dirname(location.path), { recursive: true });
    const sqlite = openSqlite(location.path);
    const db = new Kysely<Database>({ dialect: new LockingSqliteDialect({ database: sqlite }) });
    sqliteChanges.set(db, sqlite.changes);
    return db;
  }
  if (options.timeoutMs === undefined)
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: location.url, max: 1 }) }) });
  const timeoutMs = options.timeoutMs;
  const pool = new pg.Pool({
    connectionString: location.url,
    max: 10,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs,
  });
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: resilientPool(pool, options.onConnectionError ?? (() => undefined), options.breaker) }),
  });
}

/**
 * Opens the configured database and applies pending migrations; with `migrate: false` it applies
 * none and throws `SchemaNotMigratedError` when any is pending.
 */
export async function openDatabase(location: DatabaseLocation, options: DatabaseOptions & { migrate?: boolean } = {}): Promise<Db> {
  const db = connect(location, {
    timeoutMs: options.timeoutMs ?? 3000,
    ...(options.onConnectionError && { onConnectionError: options.onConnectionError }),
    ...(options.breaker && { breaker: options.breaker }),
  });
  try {
    if (options.migrate ?? true) {
      if (location.kind === "postgres") {
        // Migrating, or waiting for another instance's migration lock, may outlast a request's
        // statement deadline: it runs on a connection of its own without one.
        const migrator = connect(location);
        try {
          await migrateToLatest(migrator as Kysely<unknown>);
        } finally {
          await migrator.destroy();
        }
      } else {
        await migrateToLatest(db as Kysely<unknown>);
      }
    } else {
      const pending = await pendingMigrations(db as Kysely<unknown>);
      if (pending.length > 0) throw new SchemaNotMigratedError(pending);
    }
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

/** `pipeshub-auth migrate`: applies pending migrations and closes; returns the names applied. */
export async function migrateDatabase(location: DatabaseLocation): Promise<string[]> {
  const db = connect(location);
  try {
    return await migrateToLatest(db as Kysely<unknown>);
  } finally {
    await db.destroy();
  }
}

/** Answers when the database does; throws when it cannot be reached (readiness). */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

/** True when the error is a unique-constraint violation in either engine. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { code?: unknown; errcode?: unknown; message?: unknown };
  return e.code === "23505" || (typeof e.message === "string" && /UNIQUE constraint failed/i.test(e.message));
}

/** Runs a write, reporting a unique-constraint violation as the domain's `AlreadyExistsError`. */
export async function uniquely<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AlreadyExistsError(`${what} already exists`, { cause: error });
    throw error;
  }
}
