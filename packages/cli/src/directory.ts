import type { Command } from "./command.ts";
import { table } from "./output.ts";

const tokenRows = <T extends { id: string; createdAt: string; revokedAt: string | null }>(rows: T[], name?: (row: T) => string) =>
  table(rows, [
    { header: "ID", value: (r) => r.id },
    ...(name ? [{ header: "NAME", value: name }] : []),
    { header: "CREATED", value: (r) => r.createdAt },
    { header: "REVOKED", value: (r) => r.revokedAt ?? "-" },
  ]);

const scimCreate: Command = {
  group: "scim-tokens",
  name: "create",
  args: ["orgId"],
  synopsis: "",
  summary: "make a SCIM token for the organisation's directory (Entra ID, Okta): the tenant URL and secret token",
  help: `Prints the SCIM base URL (the IdP's "tenant URL") and the token (its "secret token") once;
only the token's hash is kept. The token reaches only the users SCIM provisions in this organisation.`,
  options: {},
  async run({ admin, out }, { args }) {
    const made = await admin.createScimToken(args[0]!);
    if (out.json) return out.data(made);
    out.line(`tenant URL:   ${made.baseUrl}`);
    out.line(`secret token: ${made.token}`);
    out.note(`SCIM token ${made.id}: shown once; revoke it with scim-tokens revoke`);
  },
};

const scimList: Command = {
  group: "scim-tokens",
  name: "list",
  args: ["orgId"],
  synopsis: "",
  summary: "the organisation's SCIM tokens (never their values)",
  help: "",
  options: {},
  async run({ admin, out }, { args }) {
    const tokens = await admin.listScimTokens(args[0]!);
    if (out.json) return out.data(tokens);
    out.line(tokens.length === 0 ? "no SCIM tokens" : tokenRows(tokens));
  },
};

const scimRevoke: Command = {
  group: "scim-tokens",
  name: "revoke",
  args: ["orgId", "id"],
  synopsis: "",
  summary: "revoke a SCIM token: the directory's next request is refused",
  help: "",
  options: {},
  async run({ admin, out }, { args }) {
    await admin.revokeScimToken(args[0]!, args[1]!);
    if (out.json) return out.data({ revoked: true, id: args[1] });
    out.line(`revoked SCIM token ${args[1]}`);
  },
};

const introspectionCreate: Command = {
  group: "introspection-tokens",
  name: "create",
  args: [],
  synopsis: "[--name NAME]",
  summary: "make a token a resource server checks the service's tokens with (POST /userAccount/token/introspect)",
  help: "Prints the token once; only its hash is kept. --name says which resource server holds it.",
  options: { name: { type: "string" } },
  async run({ admin, out }, { values }) {
    const name = typeof values.name === "string" ? values.name : undefined;
    const made = await admin.createIntrospectionToken(name === undefined ? {} : { name });
    if (out.json) return out.data(made);
    out.line(made.token);
    out.note(`introspection token ${made.id}: shown once`);
  },
};

const introspectionList: Command = {
  group: "introspection-tokens",
  name: "list",
  args: [],
  synopsis: "",
  summary: "the introspection tokens (never their values)",
  help: "",
  options: {},
  async run({ admin, out }) {
    const tokens = await admin.listIntrospectionTokens();
    if (out.json) return out.data(tokens);
    out.line(tokens.length === 0 ? "no introspection tokens" : tokenRows(tokens, (t) => t.name ?? "-"));
  },
};

const introspectionRevoke: Command = {
  group: "introspection-tokens",
  name: "revoke",
  args: ["id"],
  synopsis: "",
  summary: "revoke an introspection token",
  help: "",
  options: {},
  async run({ admin, out }, { args }) {
    await admin.revokeIntrospectionToken(args[0]!);
    if (out.json) return out.data({ revoked: true, id: args[0] });
    out.line(`revoked introspection token ${args[0]}`);
  },
};

/** SCIM tokens for organisations' directories, and introspection tokens for resource servers. */
export const directoryCommands: readonly Command[] = [
  scimCreate,
  scimList,
  scimRevoke,
  introspectionCreate,
  introspectionList,
  introspectionRevoke,
];
