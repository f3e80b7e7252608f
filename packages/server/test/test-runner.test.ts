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
