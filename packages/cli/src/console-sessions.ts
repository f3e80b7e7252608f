import type { Command } from "./command.ts";
import { table } from "./output.ts";

const list: Command = {
  group: "console-sessions",
  name: "list",
  args: [],
  synopsis: "",
  summary: "every live console session: operators', organisation admins', setup links'",
  help: `One line per session, oldest first: its id (not its cookie or token), kind, organisation
and user where it has them, and when it started and ends.`,
  options: {},
  async run({ admin, out }) {
    const sessions = await admin.listConsoleSessions();
    if (out.json) return out.data(sessions);
    if (sessions.length === 0) return out.line("no console sessions");
    out.line(
      table(sessions, [
        { header: "ID", value: (s) => s.id },
        { header: "KIND", value: (s) => s.kind },
        { header: "ORG", value: (s) => s.orgId ?? "-" },
        { header: "USER", value: (s) => s.userId ?? "-" },
        { header: "STARTED", value: (s) => s.createdAt },
        { header: "ENDS", value: (s) => s.expiresAt },
      ]),
    );
  },
};

const end: Command = {
  group: "console-sessions",
  name: "end",
  args: ["id"],
  synopsis: "",
  summary: "end one console session at once (a setup link's by revoking the link)",
  help: "",
  options: {},
  async run({ admin, out }, { args }) {
    await admin.endConsoleSession(args[0]!);
    if (out.json) return out.data({ ended: true, id: args[0] });
    out.line(`ended console session ${args[0]}`);
  },
};

const endAll: Command = {
  group: "console-sessions",
  name: "end-all",
  args: [],
  synopsis: "",
  summary: "end every console session at once, setup links' included",
  help: `Everyone signed in to the console, the operator included, must sign in again. A new
ADMIN_TOKEN ends every operator session by itself.`,
  options: {},
  async run({ admin, out }) {
    const result = await admin.endAllConsoleSessions();
    if (out.json) return out.data(result);
    out.line(`ended ${result.ended} console session${result.ended === 1 ? "" : "s"}`);
  },
};

export const consoleSessionCommands: readonly Command[] = [list, end, endAll];
