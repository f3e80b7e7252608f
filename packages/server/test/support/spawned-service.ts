import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestContext } from "node:test";

export const repoRoot = resolve(import.meta.dirname, "../../../..");

export interface SpawnedService {
  readonly dataDir: string;
  out(): string;
  err(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects after `timeoutMs` or at exit. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** The exit code, once the process has ended by itself. */
  exited(): Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** Sends `signal` (SIGKILL: a crash, leaving whatever it left). */
  kill(signal: NodeJS.Signals): void;
  /** GET/POST … with the admin token from DATA_DIR/admin-token. */
  admin(url: string, init?: RequestInit): Promise<Response>;
}

/** A free loopback port (free when asked; good enough for a test). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

export function temporaryDataDir(t: TestContext): string {
  const dataDir = mkdtempSync(join(tmpdir(), "pipeshub-spawned-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  return dataDir;
}

/** Runs `node packages/server/src/main.ts` (what `npm start` runs) as a child process; killed when the test ends. */
export function spawnService(t: TestContext, env: Record<string, string> & { DATA_DIR: string }): SpawnedService {
  const child = spawn(process.execPath, [join(repoRoot, "packages/server/src/main.ts")], {
    cwd: repoRoot,
    // The suites send many requests from one address: no rate limits unless a test sets them.
    env: { ...process.env, LOG_LEVEL: "warn", RATE_LIMIT_PER_MINUTE: "0", ADMIN_AUTH_FAILURES_PER_MINUTE: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((done) =>
    child.on("exit", (code) => {
      exitCode = code;
      done(code);
    }),
  );
  t.after(() => {
    if (exitCode === undefined) child.kill("SIGKILL");
  });
  return {
    dataDir: env.DATA_DIR,
    out: () => stdout,
    err: () => stderr,
    async waitFor(pattern, timeoutMs = 45_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(stdout);
        if (match) return match;
        if (exitCode !== undefined || Date.now() > deadline) {
          throw new Error(
            `no ${pattern} in the output (${exitCode === undefined ? "timed out" : `exited ${exitCode}`}); stdout: ${stdout} stderr: ${stderr}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    exited: () => exited,
    async stop() {
      if (exitCode === undefined) child.kill("SIGTERM");
      return exited;
    },
    kill: (signal) => void child.kill(signal),
    admin(url, init = {}) {
      const token = readFileSync(join(env.DATA_DIR, "admin-token"), "utf8").trim();
      return fetch(url, {
        ...init,
        headers: {
          authorization: `Bearer ${token}`,
          ...(init.body !== undefined && { "content-type": "application/json" }),
          ...(init.headers as Record<string, string>),
        },
      });
    },
  };
}
