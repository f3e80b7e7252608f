import { type Command, commandName, countOption, listOption, stringOption } from "./command.ts";
import { UsageError } from "./errors.ts";
import { details, table } from "./output.ts";
import { domainCommands, recordToCreate } from "./domains.ts";
import type { Org } from "pipeshub";

const orgDetails = (org: Org) =>
  details([
    ["id", org.id],
    ["name", org.name],
    ["domains", org.domains.join(", ") || "-"],
    ["created", org.createdAt],
  ]);

const create: Command = {
  group: "orgs",
  name: "create",
  args: [],
  synopsis: "--name NAME [--domain DOMAIN]...",
  summary: "create an organisation",
  help: `Options:
  --name NAME       the organisation's name (required)
  --domain DOMAIN   an email domain whose users sign in to this organisation; repeatable

Example:
  pipeshub-auth orgs create --name Acme --domain acme.com --domain acme.co.uk`,
  options: { name: { type: "string" }, domain: { type: "string", multiple: true } },
  async run({ admin, out }, { values }) {
    const org = await admin.createOrg({ name: stringOption(values, "name", this, true), domains: listOption(values, "domain") });
    if (out.json) return out.data(org);
    out.line(orgDetails(org));
  },
};

const list: Command = {
  group: "orgs",
  name: "list",
  args: [],
  synopsis: "",
  summary: "list organisations",
  help: "",
  options: {},
  async run({ admin, out }) {
    const orgs = await admin.listOrgs();
    if (out.json) return out.data(orgs);
    if (orgs.length === 0) return out.note("no organisations yet: pipeshub-auth orgs create --name NAME");
    out.line(
      table(orgs, [
        { header: "ID", value: (o) => o.id },
        { header: "NAME", value: (o) => o.name },
        { header: "DOMAINS", value: (o) => o.domains.join(",") || "-" },
        { header: "CREATED", value: (o) => o.createdAt },
      ]),
    );
  },
};

const show: Command = {
  group: "orgs",
  name: "show",
  args: ["orgId"],
  synopsis: "",
  summary: "show an organisation",
  help: "",
  options: {},
  async run({ admin, out }, { args }) {
    const org = await admin.getOrg(args[0]!);
    if (out.json) return out.data(org);
    out.line(orgDetails(org));
  },
};

const events: Command = {
  group: "orgs",
  name: "events",
  args: ["orgId"],
  synopsis: "[--limit N]",
  summary: "what the provider watch found changed at the organisation's providers",
  help: `Lists provider.changed events, newest first: the issuer, endpoints, signing algorithms or
keys that changed at one of the organisation's providers since the watch last read it.`,
  options: { limit: { type: "string" } },
  async run({ admin, out }, { args, values }) {
    const limit = countOption(values, "limit", events, 200);
    const list = await admin.listEvents(args[0]!, limit === undefined ? {} : { limit });
    if (out.json) return out.data(list);
    if (list.length === 0) return out.line("no provider changes recorded");
    out.line(
      table(list, [
        { header: "TIME", value: (e) => e.at },
        { header: "PROVIDER", value: (e) => e.provider },
        {
          header: "CHANGES",
          value: (e) =>
            e.changes
              .map((c) =>
                c.added || c.removed
                  ? `${c.field} +${c.added?.length ?? 0} -${c.removed?.length ?? 0}`
                  : `${c.field}: ${c.before ?? "-"} → ${c.after ?? "-"}`,
              )
              .join("; "),
        },
      ]),
    );
  },
};

const rename: Command = {
  group: "orgs",
  name: "rename",
  args: ["orgId"],
  synopsis: "--name NAME",
  summary: "rename an organisation",
  help: `Options:
  --name NAME   the new name (required); new sign-ins show it at once`,
  options: { name: { type: "string" } },
  async run({ admin, out }, { args, values }) {
    const org = await admin.renameOrg(args[0]!, stringOption(values, "name", this, true));
    if (out.json) return out.data(org);
    out.line(orgDetails(org));
  },
};

const addDomain: Command = {
  group: "orgs",
  name: "add-domain",
  args: ["orgId", "domain"],
  synopsis: "",
  summary: "add an email domain: new sign-ins with its addresses go to the organisation",
  help: `A domain belongs to one organisation: one another organisation has verified is refused (CONFLICT).
With the admin token it is verified at once; with an organisation admin's or setup link's token it
is pending until the TXT record shown is served (then: pipeshub-auth orgs verify-domain ORG_ID DOMAIN).`,
  options: {},
  async run({ admin, out }, { args }) {
    const org = await admin.addOrgDomain(args[0]!, args[1]!);
    if (out.json) return out.data(org);
    out.line(orgDetails(org));
    if (org.claim?.status === "pending") {
      out.line(
        `\ndomain "${org.claim.domain}" is pending: it routes no sign-in until this DNS record is served\n${recordToCreate(org.claim)}`,
      );
    }
  },
};

const removeDomain: Command = {
  group: "orgs",
  name: "remove-domain",
  args: ["orgId", "domain"],
  synopsis: "",
  summary: "remove an email domain (new sign-ins with it no longer go to the organisation)",
  help: "The organisation's existing users with addresses of the domain keep their accounts and still sign in to it.",
  options: {},
  async run({ admin, out }, { args }) {
    await admin.removeOrgDomain(args[0]!, args[1]!);
    if (out.json) return out.data({ removed: true, orgId: args[0], domain: args[1] });
    out.line(`removed domain "${args[1]}": new sign-ins with it no longer go to the organisation; its existing users keep their accounts`);
  },
};

const remove: Command = {
  group: "orgs",
  name: "delete",
  args: ["orgId"],
  synopsis: "--yes",
  summary: "delete an organisation with its providers, users and sessions",
  help: `Deletes the organisation with its domains, providers, users, identity links, setup links and
sessions; its users can no longer refresh their tokens. Its audit trail is kept. There is no undo.

Options:
  --yes   required: confirms the deletion`,
  options: { yes: { type: "boolean" } },
  async run({ admin, out }, { args, values }) {
    if (values.yes !== true)
      throw new UsageError("deleting an organisation deletes its users too: add --yes to confirm", commandName(this));
    await admin.deleteOrg(args[0]!);
    if (out.json) return out.data({ deleted: true, orgId: args[0] });
    out.line(`deleted organisation ${args[0]}`);
  },
};

export const orgCommands: readonly Command[] = [create, list, show, rename, addDomain, removeDomain, ...domainCommands, remove, events];
