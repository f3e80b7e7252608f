import { existsSync, writeFileSync } from "node:fs";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/** node:sqlite binds only null, numbers, bigints, strings and bytes. */
function bindable(value: unknown): SQLInputValue {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  return value as SQLInputValue;
}

/**
 * Adapts node:sqlite's `DatabaseSync` to the better-sqlite3-shaped interface Kysely's
 * `SqliteDialect` expects, so the embedded default needs no native build.
 */
export function openSqlite(path: string): SqliteDatabase & { raw: DatabaseSync } {
  // The file holds users and sealed secrets: create it readable by the service's user only
  // (SQLite gives its -wal and -shm files the same mode).
  if (path !== ":memory:" && !existsSync(path)) {
    try {
      writeFileSync(path, "", { mode: 0o600, flag: "wx" });
    } catch (error) {
      // Another process starting beside this one created it first.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  const db = new DatabaseSync(path);
  // The busy timeout first: switching to WAL takes the file's lock, which a process starting
  // (or migrating) beside this one may hold for a moment.
  db.exec("PRAGMA busy_timeout = 5000");
  if (path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL");
  // Kysely prepares every query afresh; its SQL strings repeat, so reuse the compiled statements.
  const statements = new Map<string, SqliteStatement>();
  return {
    raw: db,
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const cached = statements.get(sql);
      if (cached) return cached;
      const statement = db.prepare(sql);
      if (statements.size >= 500) statements.clear();
      const prepared: SqliteStatement = {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...parameters.map(bindable)),
        run: (parameters) => {
          const r = statement.run(...parameters.map(bindable));
          return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
        },
        iterate: (parameters) => statement.iterate(...parameters.map(bindable)),
      };
      statements.set(sql, prepared);
      return prepared;
    },
  };
}
