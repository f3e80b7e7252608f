import { type Command, stringOption } from "./command.ts";
import { details, table } from "./output.ts";

const add: Command = {
  group: "users",
  name: "add",
  args: ["orgId"],
  synopsis: "--email EMAIL [--name NAME]",
  summary: "add a user to an organisation (for sign-in without just-in-time provisioning)",
  help: `Options:
  --email EMAIL   the user's email address (required); their first sign-in links it
  --name NAME     the user's full name`,
  options: { email: { type: "string" }, name: { type: "string" } },
  async run({ admin, out }, { args, values }) {
    const fullName = stringOption(values, "name", this);
    const user = await admin.createUser(args[0]!, {
      email: stringOption(values, "email", this, true),
      ...(fullName !== undefined && { fullName }),
    });
    if (out.json) return out.data(user);
    out.line(
      details([
        ["id", user.id],
        ["email", user.email],
        ["name", user.fullName ?? "-"],
        ["status", user.status],
        ["created", user.createdAt],
      ]),
    );
  },
};

const find: Command = {
  group: "users",
  name: "find",
  args: ["orgId"],
  synopsis: "[--email EMAIL]",
  summary: "find a user by email (case-insensitively), or list all",
  help: `Options:
  --email EMAIL   the address to look for; without it, every user of the organisation`,
  options: { email: { type: "string" } },
  async run({ admin, out }, { args, values }) {
    const email = stringOption(values, "email", this);
    const users = email === undefined ? await admin.listUsers(args[0]!) : await admin.findUsers(args[0]!, email);
    if (out.json) return out.data(users);
    if (users.length === 0) return out.note(email === undefined ? "no users yet" : `no user with email ${email}`);
    out.line(
      table(users, [
        { header: "ID", value: (u) => u.id },
        { header: "EMAIL", value: (u) => u.email },
        { header: "NAME", value: (u) => u.fullName ?? "-" },
        { header: "STATUS", value: (u) => u.status },
        { header: "CREATED", value: (u) => u.createdAt },
      ]),
    );
  },
};

export const userCommands: readonly Command[] = [add, find];
