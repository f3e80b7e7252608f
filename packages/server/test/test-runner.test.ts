// npm test's own runner (scripts/run-tests.mjs): its counts are what CI trusts, so none may go missing.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { nodeTestArguments } from "../../../scripts/node-test-run.mjs";

const TESTS = 3000;

test("every verdict of a test file reaches npm test's summary, though the file's process is made to exit at its end", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "pipeshub-runner-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Many quick tests: their last verdicts are still being written when --test-force-exit ends the
  // process, which lost a part of them in some runs (a tail of one file, exit code 0).
  const file = join(dir, "many.test.mjs");
  writeFileSync(file, `import { test } from "node:test";\nfor (let i = 0; i < ${TESTS}; i++) test(\`t\${i}\`, () => {});\n`);
  // As npm test starts it: not as a test file of this run (which NODE_TEST_CONTEXT would make it).
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  for (let run = 0; run < 3; run++) {
    const summary = join(dir, `summary-${run}.json`);
    const result = spawnSync(process.execPath, [...nodeTestArguments(summary), file], { encoding: "utf8", env });
    assert.equal(result.status, 0, result.stderr);
    const counts = JSON.parse(readFileSync(summary, "utf8")) as { passed: number; failed: number };
    assert.deepEqual([counts.passed, counts.failed], [TESTS, 0], `run ${run + 1}`);
  }
});

test("a failed test's summary says why and where: the assertion's message and the test file's line", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "pipeshub-runner-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "failing.test.mjs");
  writeFileSync(
    file,
    'import assert from "node:assert/strict";\nimport { test } from "node:test";\n' +
      'test("finds nothing", () => {\n  assert.equal("timeout", "nxdomain", "the lookup\'s answer");\n});\n',
  );
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const summary = join(dir, "summary.json");
  const result = spawnSync(process.execPath, [...nodeTestArguments(summary), file], { encoding: "utf8", env });
  assert.equal(result.status, 1, "a failed test fails the run");
  const { failures } = JSON.parse(readFileSync(summary, "utf8")) as { failures: { name: string; reason?: string }[] };
  assert.equal(failures.length, 1);
  assert.equal(failures[0]?.name, "finds nothing");
  assert.match(failures[0]?.reason ?? "", /^the lookup's answer\n/);
  assert.match(failures[0]?.reason ?? "", /failing\.test\.mjs:4:\d+\)?$/);
});
