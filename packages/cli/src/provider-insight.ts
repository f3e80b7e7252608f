import { type Command, stringOption } from "./command.ts";
import { UsageError } from "./errors.ts";
import { details, oneLine, table } from "./output.ts";
import type { HealthWindow } from "pipeshub";

const WINDOWS: readonly HealthWindow[] = ["1h", "24h", "7d"];

const health: Command = {
  group: "providers",
  name: "health",
  args: ["orgId", "name"],
  synopsis: "[--window 1h|24h|7d]",
  summary: "how sign-ins through a provider went lately: attempts, failures by reason, what to fix",
  help: `Counts the audited sign-in steps through the provider over the last hour, day (default) or
week: successes, failures by reason (the error identifier a sign-in answered) and the last failure
with what to change, and where; then, over time, the attempts and failures of each 5-minute (1h),
hour (24h) or 6-hour (7d) bucket that had any.`,
  options: { window: { type: "string" } },
  async run({ admin, out }, { args, values }) {
    const window = stringOption(values, "window", health) ?? "24h";
    if (!WINDOWS.includes(window as HealthWindow))
      throw new UsageError(`--window must be one of ${WINDOWS.join(", ")}`, "providers health");
    const h = await admin.getProviderHealth(args[0]!, args[1]!, window as HealthWindow);
    if (out.json) return out.data(h);
    out.line(
      details([
        ["window", `${h.window} (since ${h.since})`],
        ["attempts", String(h.attempts)],
        ["successes", String(h.successes)],
        ["last success", h.lastSuccessAt ?? "-"],
        ["last failure", h.lastFailure ? `${h.lastFailure.reason} at ${h.lastFailure.at}` : "-"],
      ]),
    );
    const reasons = Object.entries(h.failures).sort(([, a], [, b]) => b - a);
    if (reasons.length > 0) {
      out.line("");
      out.line(
        table(reasons, [
          { header: "FAILURES", value: ([, count]) => String(count) },
          { header: "REASON", value: ([reason]) => reason },
        ]),
      );
    }
    const busy = h.series.filter((b) => b.attempts > 0);
    if (busy.length > 0) {
      out.line("");
      out.line(
        table(busy, [
          { header: `FROM (${bucketLength(h.bucketSeconds)})`, value: (b) => b.start },
          { header: "ATTEMPTS", value: (b) => String(b.attempts) },
          { header: "FAILURES", value: (b) => String(b.failures) },
        ]),
      );
    }
    if (h.lastFailure?.fix) out.line(`\nWhat to change: ${oneLine(h.lastFailure.fix)}`);
  },
};

/** 300 → "5 MIN", 21600 → "6 H". */
const bucketLength = (seconds: number) => (seconds % 3600 === 0 ? `${seconds / 3600} H` : `${seconds / 60} MIN`);

export const providerInsightCommands: readonly Command[] = [health];
