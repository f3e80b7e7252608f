// How `npm test` runs `node --test` (scripts/run-tests.mjs), kept apart so that a test can run a
// file exactly the same way (packages/server/test/test-runner.test.ts).
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SCRIPTS = dirname(fileURLToPath(import.meta.url));

/** The arguments of a `node --test` run: the spec reporter on stdout, the summary reporter into `summaryFile`. */
export function nodeTestArguments(summaryFile) {
  return [
    // Before --test: preloads apply to the runner and every test file's process.
    `--import=${pathToFileURL(join(SCRIPTS, "blocking-test-reports.mjs")).href}`,
    "--test",
    // A test file whose tests have all ended exits even if a handle is still open (a socket a failed
    // test left behind): a hang must never stand in for a result.
    "--test-force-exit",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    `--test-reporter=${join(SCRIPTS, "test-summary-reporter.mjs")}`,
    `--test-reporter-destination=${summaryFile}`,
  ];
}
