import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Engines a fault test owns: started here, on a free port, so the test may kill, freeze or stop them. */

const POSTGRES_BIN = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"].find((dir) =>
  existsSync(join(dir, "pg_ctl")),
);
const REDIS_SERVER = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((path) => existsSync(path));

/** Why the PostgreSQL fault tests cannot run here, or false. */
export const postgresMissing: string | false = POSTGRES_BIN
  ? false
  : "not applicable: no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql";
/** Why the Redis fault tests cannot run here, or false. */
export const redisMissing: string | false = REDIS_SERVER ? false : "not applicable: no redis-server binary";

/** A free TCP port on loopback (nothing listens on it when this returns). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 0;
}

/** The processes whose parent is `pid`, read from /proc (Linux). */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // The field after the parenthesised command name: state, then the parent's pid.
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false; // ended meanwhile
      }
    })
    .map(Number);
}

export interface ThrowawayPostgres {
  readonly url: string;
  stop(): void;
  start(): void;
  /** SIGSTOP to the postmaster and every process it started: connections open, nothing answers. */
  freeze(): void;
  /** SIGCONT to the same processes. */
  thaw(): void;
  /** Removes the cluster (stopping it first). */
  destroy(): void;
}

/** A fresh PostgreSQL cluster in a temp dir on a free port; as root it runs as the `postgres` user. */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  if (!POSTGRES_BIN) throw new Error(String(postgresMissing));
  const dir = mkdtempSync(join(tmpdir(), "pipeshub-auth-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (command: string, args: string[]) =>
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", join(POSTGRES_BIN, command), ...args], { stdio: "pipe" })
      : execFileSync(join(POSTGRES_BIN, command), args, { stdio: "pipe" });
  const data = join(dir, "data");
  run("initdb", ["-D", data, "-U", "pipeshub", "-A", "trust", "--no-sync", "--no-instructions"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = () => run("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "-t", "60", "start"]);
  const stop = () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]);
  start();
  let running = true;
  // The postmaster first, so it forks nothing new while its children are signalled.
  const signalAll = (signal: NodeJS.Signals) => {
    const postmaster = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    process.kill(postmaster, signal);
    for (const child of childrenOf(postmaster)) {
      try {
        process.kill(child, signal);
      } catch {
        // It ended between the listing and the signal.
      }
    }
  };
  return {
    url: `postgres://pipeshub@127.0.0.1:${port}/postgres`,
    start() {
      start();
      running = true;
    },
    stop() {
      stop();
      running = false;
    },
    freeze: () => signalAll("SIGSTOP"),
    thaw: () => signalAll("SIGCONT"),
    destroy() {
      if (running) {
        signalAll("SIGCONT");
        stop();
      }
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ThrowawayRedis {
  readonly url: string;
  freeze(): void;
  thaw(): void;
  kill(): Promise<void>;
  /** Starts it again on the same port (after `kill`). */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** A redis-server without persistence on a free loopback port. */
export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  if (!REDIS_SERVER) throw new Error(String(redisMissing));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn(REDIS_SERVER, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      started.stdout!.on("data", (chunk: Buffer) => {
        seen += String(chunk);
        if (seen.includes("Ready to accept connections")) resolve();
      });
      started.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${seen.slice(-500)}`)));
    });
    started.stdout!.resume();
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGCONT");
    running.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    freeze: () => child?.kill("SIGSTOP"),
    thaw: () => child?.kill("SIGCONT"),
    kill,
    start,
    destroy: kill,
  };
}
