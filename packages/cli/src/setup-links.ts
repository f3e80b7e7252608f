import { type Command, countOption } from "./command.ts";
import { table } from "./output.ts";

const create: Command = {
  group: "setup-links",
  name: "create",
  args: ["orgId"],
  synopsis: "[--hours N]",
  summary: "make a one-time link for the organisation's IT admin to set up its providers",
  help: `Prints the link once: whoever holds it may redeem it once for a session that configures,
checks and tests this organisation's providers, and nothing else, until it expires (--hours,
1 to 720, default 72) or is revoked. Send it over a channel you trust.`,
  options: { hours: { type: "string" } },
  async run({ admin, out }, { args, values }) {
    // The service's range (SETUP_LINK_HOURS): 1 to 720 hours, i.e. 30 days.
    const hours = countOption(values, "hours", create, 720);
    const link = await admin.createSetupLink(args[0]!, hours === undefined ? {} : { expiresInHours: hours });
    if (out.json) return out.data(link);
    out.line(link.url);
    out.note(`setup link ${link.id}: works once, until ${link.expiresAt}`);
  },
};

const list: Command = {
  group: "setup-links",
  name: "list",
  args: ["orgId"],
  synopsis: "",
  summary: "the organisation's setup links and whether each was used or revoked",
  help: "",
  options: {},
  async run({ admin, out }, { args }) {
    const links = await admin.listSetupLinks(args[0]!);
    if (out.json) return out.data(links);
    if (links.length === 0) return out.line("no setup links");
    out.line(
      table(links, [
        { header: "ID", value: (l) => l.id },
        { header: "CREATED", value: (l) => l.createdAt },
        { header: "EXPIRES", value: (l) => l.expiresAt },
        { header: "USED", value: (l) => l.usedAt ?? "-" },
        { header: "REVOKED", value: (l) => l.revokedAt ?? "-" },
      ]),
    );
  },
};

const revoke: Command = {
  group: "setup-links",
  name: "revoke",
  args: ["orgId", "id"],
  synopsis: "",
  summary: "revoke a setup link; a session it opened ends at once",
  help: "",
  options: {},
  async run({ admin, out }, { args }) {
    await admin.revokeSetupLink(args[0]!, args[1]!);
    if (out.json) return out.data({ revoked: true, id: args[1] });
    out.line(`revoked setup link ${args[1]}`);
  },
};

export const setupLinkCommands: readonly Command[] = [create, list, revoke];
