import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";

const root = resolve(import.meta.dirname, "../../..");

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [join(root, "packages/server/src/main.ts")], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe("the start command (npm start runs packages/server/src/main.ts)", () => {
  test("starts on the embedded defaults, serves /healthz, generates the admin token, key and database with mode 0600, stops on SIGTERM", async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), "pipeshub-start-"));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const run = start({ DATA_DIR: dataDir, PORT: "0", DEMO: "off", LOG_LEVEL: "warn" });
    t.after(() => run.child.kill("SIGKILL"));
    const deadline = Date.now() + 60_000; // generous: a loaded 2-core machine can take 20 s to start a service
    let url: string | undefined;
    while (!url && Date.now() < deadline) {
      url = /listening on (http:\/\/\S+)/.exec(run.out())?.[1];
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(url, `no listening line; stdout: ${run.out()} stderr: ${run.err()}`);
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.match(run.out(), /Admin token \(generated once/);
    for (const file of ["admin-token", "encryption.key", "pipeshub-auth.sqlite"])
      assert.equal(statSync(join(dataDir, file)).mode & 0o777, 0o600, file);
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0);
  });

  test("a SIGTERM the moment it says it is listening is a clean stop, exit 0 (a supervisor may send one at once)", async (t) => {
    // Several at once, so the machine is busy and the child may be descheduled right after it prints.
    const runs = Array.from({ length: 6 }, () => {
      const dataDir = mkdtempSync(join(tmpdir(), "pipeshub-start-"));
      t.after(() => rmSync(dataDir, { recursive: true, force: true }));
      const run = start({ DATA_DIR: dataDir, PORT: "0", DEMO: "off", LOG_LEVEL: "warn" });
      t.after(() => run.child.kill("SIGKILL"));
      run.child.stdout?.on("data", () => {
        if (/listening on/.test(run.out())) run.child.kill("SIGTERM");
      });
      return run.exited;
    });
    assert.deepEqual(await Promise.all(runs), [0, 0, 0, 0, 0, 0]);
  });

  test("a bad setting stops the service with one line naming the variable", async () => {
    const run = start({ PORT: "eighty", DATA_DIR: join(tmpdir(), "pipeshub-never") });
    assert.equal(await run.exited, 2);
    assert.equal(run.err().trim(), 'pipeshub-auth: bad configuration: PORT: must be a whole number, got "eighty"');
  });
});
