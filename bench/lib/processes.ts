/**
 * Every system under test runs in its own process, started here and stopped by its pid when
 * the benchmark ends (also when it fails), so the load generator never shares an event loop
 * with what it measures and /proc accounts for each one separately.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BENCH_DIR = join(REPO_ROOT, "bench");

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => process.exit(130));
}

export interface Started {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything it printed (last 20 kB), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** A free loopback port (released again at once; the child binds it moments later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node [nodeArgs] script [args]` with `env` and resolves once a line of its output
 * matches `ready` (with the match), or rejects when it exits or `timeoutMs` passes first.
 */
export function startNode(
  script: string,
  options: { args?: string[]; nodeArgs?: string[]; env?: NodeJS.ProcessEnv; ready: RegExp; timeoutMs?: number; cwd?: string },
): Promise<{ started: Started; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...(options.args ?? [])], {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      resolve();
    }),
  );
  const started: Started = {
    pid: child.pid!,
    child,
    output: () => output,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`${script} was not ready within ${options.timeoutMs ?? 60_000} ms`)),
      options.timeoutMs ?? 60_000,
    );
    let settled = false;
    function fail(error: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void started.stop(1000);
      reject(new Error(`${error.message}\n--- its output ---\n${output.slice(-3000)}`));
    }
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      if (settled) return;
      const match = options.ready.exec(output);
      if (match) {
        settled = true;
        clearTimeout(timer);
        resolve({ started, match });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code, signal) => fail(new Error(`${script} exited (${signal ?? code}) before it was ready`)));
    child.once("error", (error) => fail(error));
  });
}
