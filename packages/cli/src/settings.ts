import type { Command } from "./command.ts";
import { details } from "./output.ts";

/** A setting's value as a person reads it: a secret only as set or not set. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (Array.isArray(value)) return value.join(",") || "-";
  if (typeof value === "object") return "set" in value && value.set === true ? "(secret, set)" : "(secret, not set)";
  return String(value);
}

const show: Command = {
  group: "settings",
  name: "show",
  args: [],
  synopsis: "",
  summary: "show the service's effective settings, by environment variable (never a secret)",
  help: `Secrets (ADMIN_TOKEN, ENCRYPTION_KEY, METRICS_TOKEN, EVENTS_WEBHOOK_SECRET) show only
whether they are set; the passwords in DATABASE_URL, REDIS_URL and the webhook URL show as ***.`,
  options: {},
  async run({ admin, out }) {
    const settings = await admin.getSettings();
    if (out.json) return out.data(settings);
    out.line(details(Object.entries(settings).map(([name, value]) => [name, shown(value)] as const)));
  },
};

export const settingCommands: readonly Command[] = [show];
