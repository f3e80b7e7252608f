// `npm test`: type check, lint, format check, the server, SDK, CLI and demo-provider suites. Every step runs even when
// an earlier one failed, so one run shows every problem; the run fails when any step failed.
// It ends with a summary: each step, each suite's counts and every skip with its reason.
// Under CI (CI=true) nothing may be skipped: .ci/run provides PostgreSQL, Redis and Chromium, so
// a skip there means a suite silently stopped running. Only a skip whose reason starts with
// "not applicable:" (the machine lacks what the test is about, e.g. an old Node) is allowed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeTestArguments } from "./node-test-run.mjs";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const scratch = mkdtempSync(join(tmpdir(), "pipeshub-auth-tests-"));

function run(command, args) {
  return spawnSync(command, args, { cwd: ROOT, stdio: "inherit", shell: process.platform === "win32" }).status === 0;
}

/** A `node --test` run with the spec reporter on stdout and the summary reporter into a file. */
function suite(name, args) {
  const file = join(scratch, `${name.replace(/\W+/g, "-")}.json`);
  const ok = run(process.execPath, [...nodeTestArguments(file), ...args]);
  let counts;
  try {
    counts = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    counts = undefined; // the runner itself failed before reporting
  }
  const skipsAllowed = process.env.CI !== "true" || (counts?.skips ?? []).every((skip) => skip.reason.startsWith("not applicable:"));
  return {
    ok: ok && counts !== undefined && counts.failed === 0 && skipsAllowed,
    counts,
    ...(!skipsAllowed && { note: "skips are failures under CI" }),
  };
}

const steps = [
  ["type check", () => ({ ok: run("npm", ["run", "--silent", "typecheck"]) })],
  ["lint", () => ({ ok: run("npm", ["run", "--silent", "lint"]) })],
  ["format check", () => ({ ok: run("npm", ["run", "--silent", "format:check"]) })],
  ["server tests", () => suite("server", ["--test-concurrency=2", "packages/server/test/**/*.test.ts"])],
  [
    "SDK tests",
    () =>
      run("npm", ["run", "--silent", "build", "-w", "packages/sdk"]) ? suite("sdk", ["packages/sdk/test/**/*.test.ts"]) : { ok: false },
  ],
  ["CLI tests", () => suite("cli", ["packages/cli/test/**/*.test.ts"])],
  ["demo-provider tests", () => suite("demo-provider", ["packages/demo-provider/test/**/*.test.ts"])],
];

const results = [];
for (const [name, step] of steps) {
  console.log(`\n=== ${name}`);
  results.push({ name, ...step() });
}
rmSync(scratch, { recursive: true, force: true });

const total = { passed: 0, failed: 0, skipped: 0 };
const width = Math.max(...results.map((r) => r.name.length));
console.log("\n=== summary");
for (const { name, ok, counts, note } of results) {
  let line = `${name.padEnd(width)}  ${ok ? "ok" : `FAILED${note ? ` (${note})` : ""}`}`;
  if (counts) {
    line += `  (${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped)`;
    for (const key of ["passed", "failed", "skipped"]) total[key] += counts[key];
  }
  console.log(line);
  for (const failure of counts?.failures ?? []) {
    console.log(`    failed: ${failure.name}${failure.file ? ` (${relative(ROOT, failure.file)})` : ""}`);
    if (failure.reason) console.log(failure.reason.replace(/^/gm, "      | "));
  }
  for (const skip of counts?.skips ?? []) console.log(`    skipped ${skip.suite ? "suite" : "test"}: ${skip.name} — ${skip.reason}`);
}
const failedSteps = results.filter((r) => !r.ok).length;
if (failedSteps > 0 && total.failed === 0) total.failed = failedSteps; // a failed check counts as a failure
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exitCode = failedSteps > 0 ? 1 : 0;
