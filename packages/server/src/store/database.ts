import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { AlreadyExistsError } from "../domain/ports/repositories.ts";
import { migrateToLatest } from "./migrations.ts";
import { resilientPool } from "./resilient-pool.ts";
import type { Database } from "./schema.ts";
import { openSqlite } from "./sqlite-driver.ts";

/** The typed database handle, either engine. */
export type Db = Kysely<Database>;

/** Where the data lives: an SQLite file (or `:memory:`), or a PostgreSQL server. */
export type DatabaseLocation =
  | { kind: "sqlite"; path: string }
  | { kind: "postgres"; url: string };

/** How the PostgreSQL pool treats an unavailable server. */
export interface DatabaseOptions {
  /** Deadline to connect and of every statement (`connectionTimeoutMillis`, `statement_timeout`, `query_timeout`). */
  readonly timeoutMs?: number;
  /** Told of every connection that broke (the pool replaces it); default: ignored. */
  readonly onConnectionError?: (error: Error) => void;
}

/** Opens the configured database and applies migrations. */
export async function openDatabase(location: DatabaseLocation, options: DatabaseOptions = {}): Promise<Db> {
  let db: Db;
  if (location.kind === "sqlite") {
    if (location.path !== ":memory:") mkdirSync(dirname(location.path), { recursive: true });
    const sqlite = openSqlite(location.path);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  } else {
    const timeoutMs = options.timeoutMs ?? 3000;
    const pool = new pg.Pool({ connectionString: location.url, max: 10, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs, query_timeout: timeoutMs });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: resilientPool(pool, options.onConnectionError ?? (() => undefined)) }) });
  }
  await migrateToLatest(db as Kysely<unknown>);
  return db;
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
