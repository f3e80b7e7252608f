/**
 * The SQLite file's WAL checkpoints, in a thread of their own (store/sqlite-checkpoints.ts): a
 * checkpoint copies the WAL into the database file and syncs both, which on the service's own
 * connection held its event loop for the whole copy and sync.
 */
import { DatabaseSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";
import type { CheckpointSettings } from "./sqlite-checkpoints.ts";

const settings = workerData as CheckpointSettings;
const db = new DatabaseSync(settings.path);
db.exec(`PRAGMA busy_timeout = ${settings.busyTimeoutMs}`);
const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const restart = db.prepare("PRAGMA wal_checkpoint(RESTART)");

const timer = setInterval(() => {
  try {
    // Copies what it can without waiting for anyone.
    const { log } = passive.get() as { log: number };
    // The writer rewinds the WAL only once a checkpoint has copied all of it, which commits
    // arriving during every passive one can put off indefinitely: past the limit, one checkpoint
    // waits for the writer and holds new writes back until it has copied the rest.
    if (log > settings.restartFrames) restart.get();
  } catch {
    // Busy or failed: tried again at the next interval (SQLite keeps what was copied).
  }
}, settings.intervalMs);

parentPort?.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
