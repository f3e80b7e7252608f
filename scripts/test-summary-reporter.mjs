// A node:test reporter that writes one JSON summary of a run: how many tests passed, failed
// and were skipped, which failed, and every skip with its reason. A skipped `describe` counts
// as a skipped suite (node's own summary leaves it out, which hid whole skipped suites).
// Each failure keeps its reason (the assertion's message and where it was thrown) so the summary,
// which is what a CI log shows last, says why and not only what.
export default async function* testSummary(source) {
  const summary = { passed: 0, failed: 0, skipped: 0, failures: [], skips: [] };
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { name, skip, details, file } = event.data;
    const isSuite = details?.type === "suite";
    if (skip !== undefined && skip !== false) {
      summary.skipped += 1;
      summary.skips.push({ name, reason: typeof skip === "string" ? skip : "skipped", suite: isSuite, file });
    } else if (event.type === "test:fail") {
      // A failing suite is already counted by the tests that failed in it, unless it failed itself (a hook).
      if (!isSuite || details?.error?.failureType !== "subtestsFailed") {
        summary.failed += 1;
        summary.failures.push({ name, file, reason: failureReason(details?.error) });
      }
    } else if (!isSuite) {
      summary.passed += 1;
    }
  }
  yield `${JSON.stringify(summary)}\n`;
}

/** The first lines of what made a test fail, and the test file's line that threw it. */
function failureReason(error) {
  const cause = error?.cause ?? error;
  if (!cause) return undefined;
  const message = String(cause.message ?? cause)
    .split("\n")
    .slice(0, 12)
    .join("\n");
  const where = String(cause.stack ?? "")
    .split("\n")
    .find((line) => /\.test\.[cm]?[jt]s:\d+/.test(line));
  return where ? `${message}\n${where.trim()}` : message;
}
