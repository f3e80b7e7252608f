// A node:test reporter that writes one JSON summary of a run: how many tests passed, failed
// and were skipped, which failed, and every skip with its reason. A skipped `describe` counts
// as a skipped suite (node's own summary leaves it out, which hid whole skipped suites).
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
        summary.failures.push({ name, file });
      }
    } else if (!isSuite) {
      summary.passed += 1;
    }
  }
  yield `${JSON.stringify(summary)}\n`;
}
