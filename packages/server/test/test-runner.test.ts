// npm test's own runner (scripts/run-tests.mjs): its counts are what CI trusts, so none may go missing.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { nodeTestArguments } from "../../../scripts/node-test-run.mjs";

const TESTS = 3000;

/** Runs a test file as npm test runs one, in a scratch directory; answers its exit status and summary. */
function runAsNpmTest<Summary>(t: TestContext, source: string, runs = 1): { status: number | null; stderr: string; summary: Summary }[] {
  const dir = mkdtempSync(join(tmpdir(), "pipeshub-runner-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "subject.test.mjs");
  writeFileSync(file, source);
  // As npm test starts it: not as a test file of this run (which NODE_TEST_CONTEXT would make it).
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return Array.from({ length: runs }, (_, run) => {
    const summaryFile = join(dir, `summary-${run}.json`);
    const result = spawnSync(process.execPath, [...nodeTestArguments(summaryFile), file], { encoding: "utf8", env });
    return { status: result.status, stderr: result.stderr, summary: JSON.parse(readFileSync(summaryFile, "utf8")) as Summary };
  });
}

test("every verdict of a test file reaches npm test's summary, though the file's process is made to exit at its end", (t) => {
  // Many quick tests: their last verdicts are still being written when --test-force-exit ends the
  // process, which lost a part of them in some runs (a tail of one file, exit code 0).
  const source = `import { test } from "node:test";\nfor (let i = 0; i < ${TESTS}; i++) test(\`t\${i}\`, () => {});\n`;
  runAsNpmTest<{ passed: number; failed: number }>(t, source, 3).forEach((result, run) => {
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual([result.summary.passed, result.summary.failed], [TESTS, 0], `run ${run + 1}`);
  });
});

test("a failed test's summary says why and where: the assertion's message and the test file's line", (t) => {
  const source =
    'import assert from "node:assert/strict";\nimport { test } from "node:test";\n' +
    'test("finds nothing", () => {\n  assert.equal("timeout", "nxdomain", "the lookup\'s answer");\n});\n';
  const [result] = runAsNpmTest<{ failures: { name: string; reason?: string }[] }>(t, source);
  assert.equal(result?.status, 1, "a failed test fails the run");
  const failures = result!.summary.failures;
  assert.equal(failures.length, 1);
  assert.equal(failures[0]?.name, "finds nothing");
  assert.match(failures[0]?.reason ?? "", /^the lookup's answer\n/);
  assert.match(failures[0]?.reason ?? "", /subject\.test\.mjs:4:\d+\)?$/);
});
