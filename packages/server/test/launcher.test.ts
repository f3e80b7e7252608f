// scripts/launch.mjs: what `npm start`, `npm test` and the CLI run first, under whatever Node
// is on PATH. It is exercised as a real process in a scratch copy of the repository's layout.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { isSupportedNode } from "../../../scripts/launch.mjs";
import { repoRoot } from "./support/spawned-service.ts";

/** A directory shaped like the repository: the launcher, a lockfile, and a `test` task that says it ran. */
function scratchRepository(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "pipeshub-launcher-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "scripts"));
  copyFileSync(join(repoRoot, "scripts/launch.mjs"), join(dir, "scripts/launch.mjs"));
  writeFileSync(join(dir, "scripts/run-tests.mjs"), 'console.log("the test task ran with", process.argv.slice(2).join(" "));\n');
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module" }));
  writeFileSync(
    join(dir, "package-lock.json"),
    JSON.stringify({ name: "scratch", lockfileVersion: 3, requires: true, packages: { "": { name: "scratch" } } }),
  );
  return dir;
}

function launch(node: string, dir: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(node, [join(dir, "scripts/launch.mjs"), ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
}

/** The machine's own Node when it is too old for the project (CI keeps Node 20 as `/usr/bin/node`). */
const OLD_NODE = ["/usr/bin/node", "/usr/local/bin/node"].find((path) => {
  if (!existsSync(path)) return false;
  const version = spawnSync(path, ["-p", "process.version"], { encoding: "utf8" }).stdout.trim();
  return version !== "" && !isSupportedNode(version);
});

describe("the launcher (scripts/launch.mjs)", () => {
  test("knows which Node versions run the project: 22.18 and later", () => {
    for (const version of ["v22.18.0", "22.18.1", "v22.20.0", "v23.0.0", "v24.11.1", "v30.1.0"])
      assert.equal(isSupportedNode(version), true, version);
    for (const version of ["v18.20.4", "v20.20.2", "v22.17.9", "v22.0.0", "v21.99.0"])
      assert.equal(isSupportedNode(version), false, version);
  });

  test("installs dependencies when node_modules is missing or older than the lockfile, then runs the task", (t) => {
    const dir = scratchRepository(t);
    const first = launch(process.execPath, dir, ["test", "--flag"]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /Installing dependencies \(npm ci\)/);
    assert.match(first.stdout, /the test task ran with --flag/);

    mkdirSync(join(dir, "node_modules"), { recursive: true });
    writeFileSync(join(dir, "node_modules/.package-lock.json"), "{}");
    const installedAt = new Date(Date.now() - 60_000);
    utimesSync(join(dir, "node_modules/.package-lock.json"), installedAt, installedAt);
    const stale = launch(process.execPath, dir, ["test"]);
    assert.equal(stale.status, 0, stale.stderr);
    assert.match(stale.stderr, /package-lock.json changed: reinstalling dependencies/);

    const current = launch(process.execPath, dir, ["test"]);
    assert.equal(current.status, 0, current.stderr);
    assert.doesNotMatch(current.stderr, /npm ci/, "an install that is current is not repeated");
  });

  test("an unknown task is a one-line usage error", (t) => {
    const run = launch(process.execPath, scratchRepository(t), ["serve"]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr.trim(), "usage: node scripts/launch.mjs start|cli|test [arguments…]");
  });

  test(
    "under a Node older than 22.18, with installing turned off, it says so in one line with the command that fixes it, and exits 1",
    { skip: OLD_NODE ? false : "not applicable: no Node older than 22.18 on this machine (/usr/bin/node)" },
    (t) => {
      const started = Date.now();
      const run = launch(OLD_NODE!, scratchRepository(t), ["test"], { PIPESHUB_AUTH_INSTALL_NODE: "0" });
      assert.equal(run.status, 1);
      const lines = run.stderr.trim().split("\n");
      assert.equal(lines.length, 1, run.stderr);
      assert.match(
        lines[0]!,
        /^pipeshub-auth needs Node\.js >= 22\.18 and this is v\d+\.\d+\.\d+: install Node 24, or run `npm install --prefix \.tools node@24` here\.$/,
      );
      assert.equal(run.stdout, "", "the task did not run");
      assert.ok(Date.now() - started < 10_000, "it answers within seconds");
    },
  );

  test(
    "under a Node older than 22.18 it runs the task with the Node 24 in .tools",
    {
      skip:
        OLD_NODE && existsSync(join(repoRoot, ".tools/node_modules/node/bin/node"))
          ? false
          : "not applicable: needs an old /usr/bin/node and Node 24 in .tools",
    },
    (t) => {
      const dir = scratchRepository(t);
      mkdirSync(join(dir, ".tools/node_modules/node/bin"), { recursive: true });
      // The real Node 24 binary of this checkout, linked into the scratch repository's .tools.
      spawnSync("ln", ["-s", join(repoRoot, ".tools/node_modules/node/bin/node"), join(dir, ".tools/node_modules/node/bin/node")]);
      writeFileSync(join(dir, "scripts/run-tests.mjs"), 'console.log("ran under", process.version);\n');
      const run = launch(OLD_NODE!, dir, ["test"], { PIPESHUB_AUTH_INSTALL_NODE: "0" });
      assert.equal(run.status, 0, run.stderr);
      const version = /ran under (v[\d.]+)/.exec(run.stdout)?.[1];
      assert.ok(version && isSupportedNode(version), run.stdout);
    },
  );
});
