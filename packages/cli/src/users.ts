import { type Command, countOption, stringOption } from "./command.ts";
import { ServiceError, UsageError } from "./errors.ts";
import { details, table } from "./output.ts";
import type { Admin, UserRole, UserStatus } from "pipeshub";

const ROLES: readonly string[] = ["member", "admin"] satisfies UserRole[];

/** A role named on the command line, or a usage error naming the command. */
function roleOf(value: string, command: string): UserRole {
  if (!ROLES.includes(value)) throw new UsageError(`the role is member or admin, not "${value.slice(0, 40)}"`, command);
  return value as UserRole;
}

/** The id of the organisation's user named by email (case-insensitively) or id. */
async function userIdOf(admin: Admin, orgId: string, given: string): Promise<string> {
  if (!given.includes("@")) return given;
  const [found] = await admin.findUsers(orgId, given);
  if (!found) throw new ServiceError(404, "NOT_FOUND", `No user with email ${given} in this organisation.`);
  return found.id;
}

const add: Command = {
  group: "users",
  name: "add",
  args: ["orgId"],
  synopsis: "--email EMAIL [--name NAME] [--role member|admin]",
  summary: "add a user to an organisation (for sign-in without just-in-time provisioning)",
  help: `Options:
  --email EMAIL   the user's email address (required); their first sign-in links it
  --name NAME     the user's full name
  --role ROLE     member (default) or admin: administers the organisation with their own sign-in`,
  options: { email: { type: "string" }, name: { type: "string" }, role: { type: "string" } },
  async run({ admin, out }, { args, values }) {
    const fullName = stringOption(values, "name", this);
    const role = stringOption(values, "role", this);
    const user = await admin.createUser(args[0]!, {
      email: stringOption(values, "email", this, true),
      ...(fullName !== undefined && { fullName }),
      ...(role !== undefined && { role: roleOf(role, "users add") }),
    });
    if (out.json) return out.data(user);
    out.line(
      details([
        ["id", user.id],
        ["email", user.email],
        ["name", user.fullName ?? "-"],
        ["status", user.status],
        ["role", user.role],
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
        { header: "ROLE", value: (u) => u.role },
        { header: "CREATED", value: (u) => u.createdAt },
      ]),
    );
  },
};

const list: Command = {
  group: "users",
  name: "list",
  args: ["orgId"],
  synopsis: "[--q TEXT] [--limit N] [--cursor C]",
  summary: "list users a page at a time, with their identities and last sign-in",
  help: `Options:
  --q TEXT     only users whose email or full name contains TEXT (case-insensitively)
  --limit N    users per page (1-200, default 50)
  --cursor C   the page after the one that printed this cursor

Oldest first. When more users follow, the last line gives the --cursor of the next page.`,
  options: { q: { type: "string" }, limit: { type: "string" }, cursor: { type: "string" } },
  async run({ admin, out }, { args, values }) {
    const q = stringOption(values, "q", this);
    const limit = countOption(values, "limit", this, 200);
    const cursor = stringOption(values, "cursor", this);
    const page = await admin.listUsersPage(args[0]!, {
      ...(q !== undefined && { q }),
      ...(limit !== undefined && { limit }),
      ...(cursor !== undefined && { cursor }),
    });
    if (out.json) return out.data(page);
    if (page.users.length === 0) out.note(q === undefined ? "no users" : `no users matching "${q}"`);
    else
      out.line(
        table(page.users, [
          { header: "ID", value: (u) => u.id },
          { header: "EMAIL", value: (u) => u.email },
          { header: "NAME", value: (u) => u.fullName ?? "-" },
          { header: "STATUS", value: (u) => u.status },
          { header: "ROLE", value: (u) => u.role },
          { header: "IDENTITIES", value: (u) => u.identities.map((i) => `${i.provider}:${i.subject}`).join(", ") || "-" },
          { header: "LAST SIGN-IN", value: (u) => u.lastSignInAt ?? "never" },
        ]),
      );
    if (page.nextCursor !== null) out.note(`more users: --cursor ${page.nextCursor}`);
  },
};

const endSessions: Command = {
  group: "users",
  name: "end-sessions",
  args: ["orgId", "user"],
  synopsis: "",
  summary: "end every session of a user, without disabling them",
  help: `Arguments:
  <user>   the user's email (case-insensitively) or id

Each sign-in of theirs ends now: their refresh tokens, and their access tokens wherever this
service checks them, stop working, and so do their console sessions as an organisation admin.
They may sign in again. Recorded in the organisation's audit trail as user.sessions_ended.`,
  options: {},
  async run({ admin, out }, { args }) {
    const orgId = args[0]!;
    const { ended } = await admin.endUserSessions(orgId, await userIdOf(admin, orgId, args[1]!));
    if (out.json) return out.data({ ended });
    out.line(`ended ${ended} sign-in session${ended === 1 ? "" : "s"} of ${args[1]!}; they may sign in again`);
  },
};

const setRole: Command = {
  group: "users",
  name: "set-role",
  args: ["orgId", "user", "role"],
  synopsis: "",
  summary: "make a user an admin of their organisation, or a member again",
  help: `Arguments:
  <user>   the user's email (case-insensitively) or id
  <role>   admin: signs in with their own provider and administers the organisation (its
           providers and audit trail) in the console (/?next=admin) or with their access token;
           member: an ordinary user again. Takes effect at the user's next request.`,
  options: {},
  async run({ admin, out }, { args }) {
    const orgId = args[0]!;
    const role = roleOf(args[2]!, "users set-role");
    const user = await admin.setUserRole(orgId, await userIdOf(admin, orgId, args[1]!), role);
    if (out.json) return out.data(user);
    out.line(`${user.email} (${user.id}) is now ${user.role === "admin" ? "an admin" : "a member"} of organisation ${user.orgId}`);
  },
};

/** `users disable` and `users enable`: set the user's status. */
function statusCommand(name: string, status: UserStatus, summary: string, effect: string, done: readonly [string, string]): Command {
  return {
    group: "users",
    name,
    args: ["orgId", "user"],
    synopsis: "",
    summary,
    help: `Arguments:
  <user>   the user's email (case-insensitively) or id

${effect}`,
    options: {},
    async run({ admin, out }, { args }) {
      const orgId = args[0]!;
      const user = await admin.setUserStatus(orgId, await userIdOf(admin, orgId, args[1]!), status);
      if (out.json) return out.data(user);
      out.line(`${user.email} (${user.id}) ${done[0]} in organisation ${user.orgId}: ${done[1]}`);
    },
  };
}

const disable = statusCommand(
  "disable",
  "disabled",
  "disable a user: no more sign-ins, and their sessions end at once",
  `Their sign-ins are refused (USER_DISABLED) and every sign-in session of theirs ends now:
their refresh tokens, and their access tokens wherever this service checks them, stop working
(an application that verifies access tokens only against the JWKS accepts them until they
expire). Recorded in the organisation's audit trail as user.disabled. "users enable" undoes it.`,
  ["is disabled", "their sign-in sessions have ended"],
);

const enable = statusCommand(
  "enable",
  "active",
  "enable a disabled user again",
  `They may sign in again; the sessions disabling ended stay ended. Recorded in the
organisation's audit trail as user.enabled.`,
  ["is active again", "they may sign in"],
);

const identities: Command = {
  group: "users",
  name: "identities",
  args: ["orgId", "user"],
  synopsis: "",
  summary: "list the provider identities a user signs in with",
  help: `Arguments:
  <user>   the user's email (case-insensitively) or id

One line per provider: the user's subject there and when the link was made. "users unlink"
removes one.`,
  options: {},
  async run({ admin, out }, { args }) {
    const orgId = args[0]!;
    const links = await admin.listUserIdentities(orgId, await userIdOf(admin, orgId, args[1]!));
    if (out.json) return out.data(links);
    if (links.length === 0) return out.note("no identities: the user's next sign-in links one");
    out.line(
      table(links, [
        { header: "PROVIDER", value: (l) => l.provider },
        { header: "SUBJECT", value: (l) => l.subject },
        { header: "LINKED", value: (l) => l.linkedAt },
      ]),
    );
  },
};

const unlink: Command = {
  group: "users",
  name: "unlink",
  args: ["orgId", "user", "provider"],
  synopsis: "",
  summary: "remove a user's identity at a provider; their next sign-in links again",
  help: `Arguments:
  <user>       the user's email (case-insensitively) or id
  <provider>   the provider's name

Their next sign-in through any provider links again by the usual rules. No provider links an
admin who already has an identity: unlinking their old one is how the operator moves an admin to
another provider. Recorded in the organisation's audit trail as identity.unlinked.`,
  options: {},
  async run({ admin, out }, { args }) {
    const [orgId, user, provider] = args as [string, string, string];
    const userId = await userIdOf(admin, orgId, user);
    await admin.unlinkUserIdentity(orgId, userId, provider);
    if (out.json) return out.data({ removed: true, orgId, userId, provider });
    out.line(`removed ${user}'s identity at provider "${provider}": their next sign-in links again`);
  },
};

export const userCommands: readonly Command[] = [add, find, list, setRole, disable, enable, endSessions, identities, unlink];
