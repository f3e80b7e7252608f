import { existsSync, writeFileSync } from "node:fs";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { SqliteDatabase, SqliteStatement } from "kysely";
import type { StoredChanges } from "../domain/ports/stored-changes.ts";
import { checkpointInBackground } from "./sqlite-checkpoints.ts";

/** node:sqlite binds only null, numbers, bigints, strings and bytes. */
function bindable(value: unknown): SQLInputValue {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  return value as SQLInputValue;
}

const BUSY_TIMEOUT_MS = 5000;

/** Tables a sign-in writes on every run and no lookup remembers: writing them leaves the caches be. */
const UNREMEMBERED_TABLES = new Set([
  "audit_events",
  "refresh_tokens",
  "refresh_token_families",
  "console_sessions",
  "provider_events",
  "provider_snapshots",
]);

/** Whether a statement may change what a lookup remembers: every write but those to the tables above. */
function changesRememberedData(sql: string): boolean {
  const text = sql.trimStart().toLowerCase();
  if (/^(select|pragma|explain|begin|commit|savepoint|release)\b/.test(text)) return false;
  const target = /^(?:insert(?:\s+or\s+\w+)?\s+into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+"?([\w]+)"?/.exec(text);
  return !(target && UNREMEMBERED_TABLES.has(target[1]!));
}

/**
 * Adapts node:sqlite's `DatabaseSync` to the better-sqlite3-shaped interface Kysely's
 * `SqliteDialect` expects, so the embedded default needs no native build.
 */
export function openSqlite(path: string): SqliteDatabase & { raw: DatabaseSync; changes: StoredChanges } {
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
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const onFile = path !== ":memory:";
  if (onFile) db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL");
  const checkpoints = onFile ? checkpointInBackground(db, { path, busyTimeoutMs: BUSY_TIMEOUT_MS }) : undefined;
  // Kysely prepares every query afresh; its SQL strings repeat, so reuse the compiled statements.
  const statements = new Map<string, SqliteStatement>();
  // This connection's writes to remembered tables, and (SQLite's `data_version`) other connections' commits.
  let writes = 0;
  let othersSeen: unknown;
  let othersCheckedThisTurn = false;
  const dataVersion = db.prepare("PRAGMA data_version");
  const changes: StoredChanges = {
    exact: true,
    version() {
      // Other connections' commits are looked for once per turn of the event loop: within one
      // turn this process cannot have seen theirs anyway, and its own writes count at once.
      if (!othersCheckedThisTurn) {
        othersCheckedThisTurn = true;
        setImmediate(() => (othersCheckedThisTurn = false)).unref();
        const seen = (dataVersion.get() as { data_version: number }).data_version;
        if (seen !== othersSeen) {
          othersSeen = seen;
          writes += 1;
        }
      }
      return writes;
    },
  };
  return {
    raw: db,
    changes,
    close: () => {
      checkpoints?.stop();
      db.close();
    },
    prepare(sql: string): SqliteStatement {
      const cached = statements.get(sql);
      if (cached) return cached;
      const statement = db.prepare(sql);
      if (statements.size >= 500) statements.clear();
      const counted = changesRememberedData(sql);
      const prepared: SqliteStatement = {
        reader: statement.columns().length > 0,
        all: (parameters) => {
          const rows = statement.all(...parameters.map(bindable));
          if (counted) writes += 1;
          return rows;
        },
        run: (parameters) => {
          const r = statement.run(...parameters.map(bindable));
          if (counted) writes += 1;
          return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
        },
        iterate: (parameters) => {
          if (counted) writes += 1;
          return statement.iterate(...parameters.map(bindable));
        },
      };
      statements.set(sql, prepared);
      return prepared;
    },
  };
}
