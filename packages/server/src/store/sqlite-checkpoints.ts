import type { DatabaseSync } from "node:sqlite";
import { Worker } from "node:worker_threads";

export interface CheckpointSettings {
  readonly path: string;
  /** How often the WAL is copied into the database file. */
  readonly intervalMs: number;
  /** WAL frames (pages) past which a checkpoint waits for the writer, so the WAL is rewound. */
  readonly restartFrames: number;
  readonly busyTimeoutMs: number;
}

const DEFAULTS = { intervalMs: 200, restartFrames: 4000 };

/**
 * Moves the WAL checkpoints of a SQLite file off `db`'s thread (the event loop) into a worker
 * with a connection of its own. SQLite's automatic checkpoint runs in the committing call, copy and
 * sync included: it held the event loop long enough to cost the embedded default most of its
 * throughput (bench/growth.bench.ts: 1,477 exchanges/s with it, about 4,000 without). Should the
 * worker fail, `db` checkpoints automatically again, so the WAL never grows without bound.
 */
export function checkpointInBackground(
  db: DatabaseSync,
  settings: Pick<CheckpointSettings, "path" | "busyTimeoutMs"> & Partial<CheckpointSettings>,
): { stop(): void } {
  db.exec("PRAGMA wal_autocheckpoint = 0");
  const worker = new Worker(new URL("./sqlite-checkpoint-worker.ts", import.meta.url), { workerData: { ...DEFAULTS, ...settings } });
  worker.unref();
  let stopped = false;
  worker.once("error", () => {
    if (!stopped && db.isOpen) db.exec("PRAGMA wal_autocheckpoint = 1000");
  });
  return {
    stop() {
      stopped = true;
      worker.postMessage("stop");
    },
  };
}
