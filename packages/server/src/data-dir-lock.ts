import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join, relative, isAbsolute } from "node:path";
import type { ConfigDraft } from "./config.ts";

/*
 * One process per data folder. A second `npm start` on the same DATA_DIR (on another port: the
 * same port stops at the port) would share the SQLite file and generated secrets, and re-point
 * the Demo provider at its own demo provider and redirect URIs, breaking the first one's sign-in.
 * So the first takes DATA_DIR/pipeshub-auth.lock, holding its pid and port; a second finds it
 * held by a live process and stops before it reads or writes anything else there.
 */

export const LOCK_FILE = "pipeshub-auth.lock";

interface LockHolder {
  readonly pid: number;
  readonly port?: number;
}

/** DATA_DIR is held by another live process. */
export class DataDirInUseError extends Error {
  readonly holder: LockHolder;
  constructor(dataDir: string, holder: LockHolder) {
    const serving = holder.port === undefined ? "" : `, serving port ${holder.port}`;
    super(
      `DATA_DIR ${dataDir} is in use by pipeshub-auth process ${holder.pid}${serving} — one process per data folder: stop that one, or give this one another DATA_DIR`,
    );
    this.name = "DataDirInUseError";
    this.holder = holder;
  }
}

export interface DataDirLock {
  /** Removes the lock file if it is still this process's (idempotent; safe in an exit handler). */
  release(): void;
}

const isLoopbackHttp = (url: string) => {
  const { protocol, hostname } = new URL(url);
  return protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(hostname);
};

/**
 * Whether this process keeps anything in DATA_DIR: the SQLite database, a generated
 * ENCRYPTION_KEY or ADMIN_TOKEN, or the demo's demo.json (the demo can only run on a loopback
 * PUBLIC_URL, or again where it ran before). Instances on PostgreSQL with both secrets given and
 * no demo keep nothing there, so they may share one folder (several instances on one machine).
 */
export function keepsStateInDataDir(draft: ConfigDraft): boolean {
  const inside = (path: string) => {
    const rel = relative(draft.dataDir, path);
    return !rel.startsWith("..") && !isAbsolute(rel);
  };
  if (draft.database.kind === "sqlite" && inside(draft.database.path)) return true;
  if (draft.encryptionKey === undefined || draft.adminToken === undefined) return true;
  return draft.demo !== "off" && (isLoopbackHttp(draft.publicUrl) || existsSync(join(draft.dataDir, "demo.json")));
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false; // a lock of an earlier life of this pid (a container's pid 1)
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The holder the lock file names, or undefined when it names none (empty, torn, not ours). */
function readHolder(path: string): { text: string; holder?: LockHolder } | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as { pid?: unknown; port?: unknown };
    if (!Number.isSafeInteger(parsed.pid) || (parsed.pid as number) <= 0) return { text };
    const port = typeof parsed.port === "number" ? parsed.port : undefined;
    return { text, holder: { pid: parsed.pid as number, ...(port !== undefined && { port }) } };
  } catch {
    return { text };
  }
}

function removeIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/**
 * Takes DATA_DIR's lock for this process serving `port`, creating the folder if need be. The
 * lock file appears whole (written aside, then hard-linked into place, which fails if it exists),
 * so a reader never sees half of one. A lock whose process is gone (killed, crashed) is taken
 * over. Throws `DataDirInUseError` when a live process holds it.
 */
export function lockDataDir(dataDir: string, port: number): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, LOCK_FILE);
  const mine = JSON.stringify({ pid: process.pid, port, startedAt: new Date().toISOString() });
  const draft = `${path}.${process.pid}`;
  writeFileSync(draft, mine, { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(draft, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 3) throw error;
      }
      const found = readHolder(path);
      if (found?.holder && isAlive(found.holder.pid)) throw new DataDirInUseError(dataDir, found.holder);
      // Stale: remove it unless it changed meanwhile (another start took it over first).
      if (found && readHolder(path)?.text === found.text) removeIfThere(path);
    }
  } finally {
    removeIfThere(draft);
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      if (readHolder(path)?.text === mine) removeIfThere(path);
    },
  };
}
