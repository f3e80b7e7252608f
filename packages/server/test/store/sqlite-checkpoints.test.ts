/**
 * The embedded default's WAL checkpoints run in a thread of their own, never in a commit on the
 * event loop: the service's connection copies nothing, the thread copies the WAL into the
 * database file, the WAL is rewound under writes without pause, and should the thread fail the
 * connection checkpoints by itself again.
 */
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { openSqlite } from "../../src/store/sqlite-driver.ts";
import { checkpointInBackground } from "../../src/store/sqlite-checkpoints.ts";
import { eventually } from "../support/eventually.ts";
import { temporaryDataDir } from "../support/spawned-service.ts";

const PAGE = 4096;
const autocheckpoint = (db: DatabaseSync) =>
  (db.prepare("PRAGMA wal_autocheckpoint").get() as { wal_autocheckpoint: number }).wal_autocheckpoint;

function walFile(dir: string, name: string): DatabaseSync {
  const db = new DatabaseSync(join(dir, name));
  db.exec("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE pages (body BLOB)");
  return db;
}

test("the service's connection never checkpoints; a thread of its own copies the WAL into the database file", async (t) => {
  const path = join(temporaryDataDir(t), "auth.sqlite");
  const sqlite = openSqlite(path);
  t.after(() => sqlite.close());
  assert.equal(autocheckpoint(sqlite.raw), 0, "commits on the event loop copy nothing");
  sqlite.raw.exec("CREATE TABLE pages (body BLOB)");
  const before = statSync(path).size;
  const insert = sqlite.raw.prepare("INSERT INTO pages (body) VALUES (?)");
  for (let i = 0; i < 500; i++) insert.run(Buffer.alloc(PAGE, i % 251));
  await eventually(() => statSync(path).size >= before + 500 * PAGE, 5000, "the database file holds the 500 pages written");
});

test("under commits without pause the WAL is rewound, not grown: past its limit a checkpoint waits for the writer", async (t) => {
  const dir = temporaryDataDir(t);
  const db = walFile(dir, "busy.sqlite");
  const checkpoints = checkpointInBackground(db, {
    path: join(dir, "busy.sqlite"),
    busyTimeoutMs: 5000,
    intervalMs: 5,
    restartFrames: 200,
  });
  t.after(() => {
    checkpoints.stop();
    db.close();
  });
  const insert = db.prepare("INSERT INTO pages (body) VALUES (?)");
  const path = join(dir, "busy.sqlite");
  insert.run(Buffer.alloc(PAGE, 1));
  await eventually(() => statSync(path).size > PAGE, 5000, "the thread has started checkpointing");
  // Commits back to back, as a busy service makes them: a passive checkpoint never sees the writer pause.
  const commits = 6000;
  for (let i = 0; i < commits; i++) {
    insert.run(Buffer.alloc(1000, i % 251));
    if (i % 100 === 0) await sleep(1);
  }
  // The WAL file keeps the largest size it reached; without a rewind it holds a frame per commit at least.
  const wal = statSync(`${path}-wal`).size;
  assert.ok(wal < commits * PAGE, `the WAL (${wal} bytes) was rewound, against ${commits} commits`);
});

test("should the thread fail, the connection checkpoints by itself again", async (t) => {
  const dir = temporaryDataDir(t);
  const db = walFile(dir, "orphan.sqlite");
  t.after(() => db.close());
  // A path the thread cannot open: it fails at its start.
  checkpointInBackground(db, { path: join(dir, "missing", "orphan.sqlite"), busyTimeoutMs: 100 });
  assert.equal(autocheckpoint(db), 0);
  await eventually(() => autocheckpoint(db) === 1000, 5000, "SQLite's own checkpoints are back");
});
