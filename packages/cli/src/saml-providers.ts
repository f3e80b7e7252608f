// `saml-providers`: an organisation's SAML 2.0 providers (put, get, list, delete, doctor, presets).
import { readFileSync } from "node:fs";
import type { SamlProviderSettings, SamlProviderSettingsInput } from "pipeshub";
import { type Command, commandName, listOption, stringOption } from "./command.ts";
import { UsageError } from "./errors.ts";
import { details, table, yesNo } from "./output.ts";
import { printDoctor } from "./provider-checks.ts";

function readFile(path: string, option: string, command: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${option} ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`, command);
  }
}

function samlDetails(p: SamlProviderSettings): string {
  const rows: [string, string | undefined][] = [
    ["name", p.providerName],
    ["IdP entity ID", p.idpEntityId],
    ["IdP SSO URL", p.idpSsoUrl],
    ["IdP metadata URL", p.idpMetadataUrl],
    ...p.idpCertificates.map((c, i): [string, string] => [
      i === 0 ? "IdP certificates" : "",
      `${c.fingerprintSha256} (until ${c.notAfter})`,
    ]),
    ["SP entity ID", p.spEntityId],
    ["ACS URL", p.acsUrl],
    ["SP metadata", p.spMetadataUrl],
    ["redirect URIs", p.redirectUris.join(", ")],
    ["email attribute", p.emailAttribute ?? "(an emailAddress NameID)"],
    ["subject attribute", p.subjectAttribute ?? "(a persistent NameID)"],
    ["clock skew", `${p.clockSkewSeconds} s`],
    ["just-in-time users", yesNo(p.enableJit)],
    ["IdP-initiated", yesNo(p.allowIdpInitiated)],
    ["allow SHA-1", yesNo(p.allowSha1)],
    ["sign requests", yesNo(p.signAuthnRequests)],
    ["identity saved by", p.identitySettingsSavedBy === "delegated" ? "a delegated admin" : "the operator"],
    ["link existing", yesNo(p.linkExistingUsers)],
    ["updated", p.updatedAt],
  ];
  return details(rows.filter((r): r is [string, string] => r[1] !== undefined));
}

const put: Command = {
  group: "saml-providers",
  name: "put",
  args: ["orgId", "name"],
  synopsis:
    "(--metadata-url URL | --metadata-file PATH | --entity-id ID --sso-url URL --certificate-file PATH...) --redirect-uri URL [options]",
  summary: "add a SAML 2.0 provider to an organisation, or replace it",
  help: `Creates the SAML provider, or replaces the one of that name. Prints the values to register at
the IdP: the SP entity ID, the ACS URL and the SP metadata URL.

Options:
  --metadata-url URL          where the IdP publishes its metadata (read now, and by the watch)
  --metadata-file PATH        the IdP's metadata XML, from a file
  --entity-id ID              without metadata: the IdP's entity ID
  --sso-url URL               without metadata: the IdP's SSO URL (HTTP-Redirect binding)
  --certificate-file PATH     without metadata: a PEM signing certificate; repeatable (rollover)
  --redirect-uri URL          the application's redirect URI; repeatable
  --email-attribute NAME      the attribute holding the email (default: an emailAddress NameID)
  --subject-attribute NAME    the attribute identifying the user (default: a persistent NameID)
  --clock-skew SECONDS        allowed clock difference, 0-600 (default 60)
  --jit                       create unknown users at their first sign-in
  --allow-idp-initiated       accept responses no sign-in here asked for
  --allow-sha1                accept SHA-1 signatures (refused otherwise)
  --sign-requests             sign AuthnRequests (the SP certificate is in the SP metadata)
  --link-existing-users yes|no  the operator's alone, as for OAuth providers

Examples:
  pipeshub-auth saml-providers put ORG okta --metadata-url https://acme.okta.com/app/abc/sso/saml/metadata \\
      --redirect-uri https://app.acme.com/callback --email-attribute email --jit
  pipeshub-auth saml-providers put ORG google --entity-id https://accounts.google.com/o/saml2?idpid=C0abc \\
      --sso-url https://accounts.google.com/o/saml2/idp?idpid=C0abc --certificate-file google.pem \\
      --redirect-uri https://app.acme.com/callback`,
  options: {
    "metadata-url": { type: "string" },
    "metadata-file": { type: "string" },
    "entity-id": { type: "string" },
    "sso-url": { type: "string" },
    "certificate-file": { type: "string", multiple: true },
    "redirect-uri": { type: "string", multiple: true },
    "email-attribute": { type: "string" },
    "subject-attribute": { type: "string" },
    "clock-skew": { type: "string" },
    jit: { type: "boolean" },
    "allow-idp-initiated": { type: "boolean" },
    "allow-sha1": { type: "boolean" },
    "sign-requests": { type: "boolean" },
    "link-existing-users": { type: "string" },
  },
  async run(ctx, { args, values }) {
    const name = commandName(this);
    const opt = (key: string) => stringOption(values, key, this);
    const metadataFile = opt("metadata-file");
    const certificates = listOption(values, "certificate-file").map((path) => readFile(path, "--certificate-file", name));
    const skew = opt("clock-skew");
    if (skew !== undefined && !/^\d{1,3}$/.test(skew)) throw new UsageError("--clock-skew is a whole number of seconds, 0-600", name);
    const linkExisting = opt("link-existing-users");
    if (linkExisting !== undefined && linkExisting !== "yes" && linkExisting !== "no")
      throw new UsageError("--link-existing-users is yes or no", name);
    const redirectUris = listOption(values, "redirect-uri");
    const body: SamlProviderSettingsInput = {
      ...(opt("metadata-url") && { idpMetadataUrl: opt("metadata-url") }),
      ...(metadataFile !== undefined && { idpMetadataXml: readFile(metadataFile, "--metadata-file", name) }),
      ...(opt("entity-id") && { idpEntityId: opt("entity-id") }),
      ...(opt("sso-url") && { idpSsoUrl: opt("sso-url") }),
      ...(certificates.length > 0 && { idpCertificates: certificates }),
      ...(redirectUris.length > 0 && { redirectUris }),
      ...(opt("email-attribute") && { emailAttribute: opt("email-attribute") }),
      ...(opt("subject-attribute") && { subjectAttribute: opt("subject-attribute") }),
      ...(skew !== undefined && { clockSkewSeconds: Number(skew) }),
      ...(values.jit === true && { enableJit: true }),
      ...(values["allow-idp-initiated"] === true && { allowIdpInitiated: true }),
      ...(values["allow-sha1"] === true && { allowSha1: true }),
      ...(values["sign-requests"] === true && { signAuthnRequests: true }),
      ...(linkExisting !== undefined && { linkExistingUsers: linkExisting === "yes" }),
    };
    const { provider, created, identityLinksDropped } = await ctx.admin.saveSamlProvider(args[0]!, args[1]!, body);
    if (ctx.out.json) return ctx.out.data(provider);
    ctx.out.note(
      `${created ? "created" : "replaced"} SAML provider "${provider.providerName}"; register the SP entity ID and ACS URL at the IdP`,
    );
    if (identityLinksDropped > 0)
      ctx.out.note(
        `dropped ${identityLinksDropped} identity link${identityLinksDropped === 1 ? "" : "s"}: another IdP names other accounts`,
      );
    ctx.out.line(samlDetails(provider));
  },
};

const get: Command = {
  group: "saml-providers",
  name: "get",
  args: ["orgId", "name"],
  synopsis: "",
  summary: "show a SAML provider, with the SP values to register at the IdP",
  help: "",
  options: {},
  async run({ admin, out }, { args }) {
    const provider = await admin.getSamlProvider(args[0]!, args[1]!);
    if (out.json) return out.data(provider);
    out.line(samlDetails(provider));
  },
};

const list: Command = {
  group: "saml-providers",
  name: "list",
  args: ["orgId"],
  synopsis: "",
  summary: "list an organisation's SAML providers",
  help: "",
  options: {},
  async run({ admin, out }, { args }) {
    const providers = await admin.listSamlProviders(args[0]!);
    if (out.json) return out.data(providers);
    if (providers.length === 0) return out.note("no SAML providers yet: pipeshub-auth saml-providers put --help");
    out.line(
      table(providers, [
        { header: "NAME", value: (p) => p.providerName },
        { header: "IDP ENTITY ID", value: (p) => p.idpEntityId },
        { header: "CERTIFICATES", value: (p) => String(p.idpCertificates.length) },
        { header: "FIRST EXPIRY", value: (p) => p.idpCertificates.map((c) => c.notAfter).sort()[0] ?? "-" },
        { header: "JIT", value: (p) => yesNo(p.enableJit) },
        { header: "UPDATED", value: (p) => p.updatedAt },
      ]),
    );
  },
};

const remove: Command = {
  group: "saml-providers",
  name: "delete",
  args: ["orgId", "name"],
  synopsis: "",
  summary: "delete a SAML provider (its users stay; their links to it go)",
  help: "",
  options: {},
  async run({ admin, out }, { args }) {
    await admin.deleteSamlProvider(args[0]!, args[1]!);
    if (out.json) return out.data({ removed: true, orgId: args[0], providerName: args[1] });
    out.line(`deleted SAML provider "${args[1]}"`);
  },
};

const doctor: Command = {
  group: "saml-providers",
  name: "doctor",
  args: ["orgId", "name"],
  synopsis: "",
  summary: "examine a SAML provider now: metadata, certificates and their expiry, what the IdP needs",
  help: `Asks the service to examine the SAML provider: its metadata (reachable, valid, still what is
stored), the entity ID, the SSO URL over https, each certificate's days to expiry (warn under 30,
fail once expired), the signature algorithm and the SP values the IdP needs. Exits 4 when a check fails.`,
  options: {},
  run: (ctx, { args }) => printDoctor(ctx, args[1]!, () => ctx.admin.doctorSamlProvider(args[0]!, args[1]!)),
};

const presets: Command = {
  group: "saml-providers",
  name: "presets",
  args: [],
  synopsis: "",
  summary: "what to copy where at Entra ID, Okta, Google Workspace and AD FS",
  help: "",
  options: {},
  async run({ admin, out }) {
    const all = await admin.listSamlProviderPresets();
    if (out.json) return out.data(all);
    for (const preset of all) {
      out.line(`${preset.title} (${preset.name}): ${preset.description}`);
      for (const { from, to } of preset.fieldsToCopy) out.line(`  ${from}  →  ${to}`);
    }
  },
};

export const samlProviderCommands: readonly Command[] = [put, get, list, remove, doctor, presets];
