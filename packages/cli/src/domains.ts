import type { Command } from "./command.ts";
import { details, table } from "./output.ts";
import type { DomainClaim } from "pipeshub";

/** The DNS record that proves a pending domain, as the operator of the domain's DNS types it. */
export const recordToCreate = (claim: Pick<DomainClaim, "txtName" | "txtValue">) =>
  details([
    ["type", "TXT"],
    ["name", claim.txtName],
    ["value", claim.txtValue],
  ]);

const list: Command = {
  group: "orgs",
  name: "domains",
  args: ["orgId"],
  synopsis: "",
  summary: "list an organisation's domains, verified and pending, with the TXT record that proves each",
  help: `A pending domain (added by an organisation admin or a setup link) routes no sign-in until the
TXT record shown is served by the domain's DNS; then check it with
  pipeshub-auth orgs verify-domain ORG_ID DOMAIN
(the service also re-checks pending domains every DOMAIN_CHECK_INTERVAL_SECONDS).`,
  options: {},
  async run({ admin, out }, { args }) {
    const claims = await admin.listDomains(args[0]!);
    if (out.json) return out.data(claims);
    if (claims.length === 0) return out.note("no domains yet: pipeshub-auth orgs add-domain ORG_ID DOMAIN");
    out.line(
      table(claims, [
        { header: "DOMAIN", value: (c) => c.domain },
        { header: "STATUS", value: (c) => c.status },
        { header: "TXT NAME", value: (c) => (c.status === "pending" ? c.txtName : "-") },
        { header: "TXT VALUE", value: (c) => (c.status === "pending" ? c.txtValue : "-") },
        { header: "LAST CHECKED", value: (c) => c.lastCheckedAt ?? "-" },
      ]),
    );
  },
};

const verify: Command = {
  group: "orgs",
  name: "verify-domain",
  args: ["orgId", "domain"],
  synopsis: "",
  summary: "check a pending domain's TXT record now; verified, it routes sign-ins to the organisation",
  help: `Exits 1 with DOMAIN_NOT_VERIFIED, saying what DNS answered, while the record is not served.
A domain another organisation verified first is refused (CONFLICT).`,
  options: {},
  async run({ admin, out }, { args }) {
    const claim = await admin.verifyDomain(args[0]!, args[1]!);
    if (out.json) return out.data(claim);
    out.line(`verified domain "${claim.domain}": new sign-ins with its addresses go to the organisation`);
  },
};

export const domainCommands: readonly Command[] = [list, verify];
