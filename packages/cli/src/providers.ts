import { type Command, commandName, listOption, type OptionValues, stringOption } from "./command.ts";
import { UsageError } from "./errors.ts";
import { details, table, yesNo } from "./output.ts";
import { type OAuthProviderSettings, type TokenEndpointAuthMethod } from "pipeshub";
import { doctor, test } from "./provider-checks.ts";
import { readSecretFromEnv, readSecretFromStdin } from "./secret-input.ts";

const AUTH_METHODS: Record<string, TokenEndpointAuthMethod> = {
  basic: "client_secret_basic",
  post: "client_secret_post",
  client_secret_basic: "client_secret_basic",
  client_secret_post: "client_secret_post",
};

function providerDetails(p: OAuthProviderSettings): string {
  const rows: [string, string | null | undefined][] = [
    ["name", p.providerName],
    ["issuer", p.issuer],
    ["authorization URL", p.authorizationUrl],
    ["token endpoint", p.tokenEndpoint],
    ["userinfo endpoint", p.userInfoEndpoint],
    ["JWKS URI", p.jwksUri],
    ["emails endpoint", p.emailsEndpoint],
    ["client ID", p.clientId],
    ["client secret", p.clientSecretSet ? "set" : "not set"],
    ["next client secret", p.nextClientSecretSet ? "set (promote it with providers promote-secret)" : undefined],
    ["auth method", p.tokenEndpointAuthMethod],
    ["scope", p.scope],
    ["redirect URIs", p.redirectUris.join(", ")],
    ["subject claim", p.subjectClaim ?? "sub"],
    ["email verified by", p.emailVerifiedClaim ?? "email_verified"],
    ["just-in-time users", yesNo(p.enableJit)],
    ["trust email", yesNo(p.trustEmail)],
    ["require PKCE", yesNo(p.requirePkce)],
    // Who decided where the provider's identities come from decides which existing users it may link.
    [
      "identity saved by",
      p.identitySettingsSavedBy === "delegated" ? "a delegated admin (links no user who has an identity, no admin)" : "the operator",
    ],
    ["link existing", yesNo(p.linkExistingUsers)],
    ["updated", p.updatedAt],
  ];
  return details(rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== null));
}

function presetOptions(values: OptionValues, command: string): Record<string, string> | undefined {
  const pairs = listOption(values, "preset-option");
  if (pairs.length === 0) return undefined;
  const options: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--preset-option takes KEY=VALUE, e.g. domain=acme.okta.com (got "${pair.slice(0, 40)}")`, command);
    options[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return options;
}

const add: Command = {
  group: "providers",
  name: "add",
  args: ["orgId", "name"],
  synopsis:
    "(--issuer URL | --authorization-url URL --token-endpoint URL --userinfo-endpoint URL | --preset NAME) --client-id ID [options]",
  summary: "add an OAuth/OIDC provider to an organisation, or replace it",
  help: `Creates the provider, or replaces the one of that name (every setting not given goes back to
its default; the stored client secret is kept when no new one is given).

Options:
  --issuer URL                  OpenID Connect issuer: endpoints come from its discovery document
  --authorization-url URL       with --token-endpoint and --userinfo-endpoint: a plain OAuth 2.0 provider
  --token-endpoint URL
  --userinfo-endpoint URL
  --jwks-uri URL                with --issuer and explicit endpoints
  --preset NAME                 start from a preset (google, entra-id, github, gitlab, okta, auth0,
                                keycloak); the options given here override the preset's
  --preset-option KEY=VALUE     a preset's option, e.g. domain=acme.okta.com; repeatable
  --client-id ID                the client registered at the provider (required)
  --client-secret-stdin         read the client secret from stdin (piped, or typed without echo)
  --client-secret-env VAR       read the client secret from the environment variable VAR
  --next-client-secret-env VAR  rotation: the secret the provider will switch to, from VAR; sign-ins
                                fall back to it once the provider refuses the current one
  --redirect-uri URL            a redirect URI registered at the provider; repeatable
  --scope SCOPE                 scopes to request (default "openid email profile" with an issuer)
  --auth-method basic|post      client authentication at the token endpoint (default basic)
  --subject-claim CLAIM         the claim identifying users (default sub)
  --email-verified-claim CLAIM  the claim saying the email is verified (default email_verified)
  --emails-endpoint URL         a GitHub-shaped list of the user's addresses (the verified primary is used)
  --jit                         create unknown users at their first sign-in
  --trust-email                 accept the provider's email without email_verified
  --require-pkce                refuse sign-ins that did not start at the service's authorize endpoint
  --link-existing-users yes|no  the operator's alone: yes lets the provider link existing users who
                                already have an identity elsewhere (to move an organisation to it;
                                never an admin who has one); omitted keeps the stored value

The client secret is never taken from the command line: it would show in ps and shell history.

Examples:
  printf %s "$OKTA_SECRET" | pipeshub-auth providers add ORG okta --preset okta \\
      --preset-option domain=acme.okta.com --client-id 0oa1b2c3 --client-secret-stdin \\
      --redirect-uri https://app.acme.com/callback --jit
  pipeshub-auth providers add ORG keycloak --issuer https://sso.acme.com/realms/acme \\
      --client-id pipeshub --client-secret-env KEYCLOAK_SECRET --redirect-uri https://app.acme.com/callback`,
  options: {
    issuer: { type: "string" },
    "authorization-url": { type: "string" },
    "token-endpoint": { type: "string" },
    "userinfo-endpoint": { type: "string" },
    "jwks-uri": { type: "string" },
    "emails-endpoint": { type: "string" },
    preset: { type: "string" },
    "preset-option": { type: "string", multiple: true },
    "client-id": { type: "string" },
    "client-secret-stdin": { type: "boolean" },
    "client-secret-env": { type: "string" },
    "next-client-secret-env": { type: "string" },
    "redirect-uri": { type: "string", multiple: true },
    scope: { type: "string" },
    "auth-method": { type: "string" },
    "subject-claim": { type: "string" },
    "email-verified-claim": { type: "string" },
    jit: { type: "boolean" },
    "trust-email": { type: "boolean" },
    "require-pkce": { type: "boolean" },
    "link-existing-users": { type: "string" },
  },
  async run(ctx, { args, values }) {
    const name = commandName(this);
    const opt = (key: string) => stringOption(values, key, this);
    const clientId = stringOption(values, "client-id", this, true);
    const issuer = opt("issuer");
    const preset = opt("preset");
    const authorizationUrl = opt("authorization-url");
    const tokenEndpoint = opt("token-endpoint");
    if (!issuer && !authorizationUrl && !tokenEndpoint && !preset) {
      throw new UsageError("give --issuer, or --authorization-url with --token-endpoint and --userinfo-endpoint, or --preset", name);
    }
    if (Boolean(authorizationUrl) !== Boolean(tokenEndpoint))
      throw new UsageError("--authorization-url and --token-endpoint go together", name);
    const authMethod = opt("auth-method");
    if (authMethod !== undefined && !AUTH_METHODS[authMethod]) throw new UsageError("--auth-method is basic or post", name);
    if (values["client-secret-stdin"] && values["client-secret-env"] !== undefined)
      throw new UsageError("give --client-secret-stdin or --client-secret-env, not both", name);
    const envName = opt("client-secret-env");
    const clientSecret = values["client-secret-stdin"]
      ? await readSecretFromStdin(ctx.stdin, ctx.out.stderr, name)
      : envName !== undefined
        ? readSecretFromEnv(ctx.env, envName, name)
        : undefined;
    const nextEnv = opt("next-client-secret-env");
    const nextClientSecret = nextEnv !== undefined ? readSecretFromEnv(ctx.env, nextEnv, name, "--next-client-secret-env") : undefined;
    const linkExisting = opt("link-existing-users");
    if (linkExisting !== undefined && linkExisting !== "yes" && linkExisting !== "no")
      throw new UsageError("--link-existing-users is yes or no", name);
    const redirectUris = listOption(values, "redirect-uri");
    const options = presetOptions(values, name);
    const body = {
      clientId,
      ...(clientSecret !== undefined && { clientSecret }),
      ...(nextClientSecret !== undefined && { nextClientSecret }),
      ...(issuer && { issuer }),
      ...(authorizationUrl && { authorizationUrl }),
      ...(tokenEndpoint && { tokenEndpoint }),
      ...(opt("userinfo-endpoint") && { userInfoEndpoint: opt("userinfo-endpoint") }),
      ...(opt("jwks-uri") && { jwksUri: opt("jwks-uri") }),
      ...(opt("emails-endpoint") && { emailsEndpoint: opt("emails-endpoint") }),
      ...(opt("scope") && { scope: opt("scope") }),
      ...(redirectUris.length > 0 && { redirectUris }),
      ...(authMethod && { tokenEndpointAuthMethod: AUTH_METHODS[authMethod] }),
      ...(opt("subject-claim") && { subjectClaim: opt("subject-claim") }),
      ...(opt("email-verified-claim") && { emailVerifiedClaim: opt("email-verified-claim") }),
      ...(values.jit === true && { enableJit: true }),
      ...(values["trust-email"] === true && { trustEmail: true }),
      ...(values["require-pkce"] === true && { requirePkce: true }),
      ...(linkExisting !== undefined && { linkExistingUsers: linkExisting === "yes" }),
      ...(preset && { preset }),
      ...(options && { presetOptions: options }),
    };
    const { provider: view, created, identityLinksDropped } = await ctx.admin.saveProvider(args[0]!, args[1]!, body);
    if (ctx.out.json) return ctx.out.data(view);
    ctx.out.note(`${created ? "created" : "replaced"} provider "${view.providerName}"`);
    if (identityLinksDropped > 0)
      ctx.out.note(
        `dropped ${identityLinksDropped} identity link${identityLinksDropped === 1 ? "" : "s"}: a new issuer, token endpoint or subject claim names other accounts; those users link again at their next sign-in`,
      );
    ctx.out.line(providerDetails(view));
  },
};

const list: Command = {
  group: "providers",
  name: "list",
  args: ["orgId"],
  synopsis: "",
  summary: "list an organisation's providers",
  help: "",
  options: {},
  async run({ admin, out }, { args }) {
    const providers = await admin.listProviders(args[0]!);
    if (out.json) return out.data(providers);
    if (providers.length === 0) return out.note("no providers yet: pipeshub-auth providers add --help");
    out.line(
      table(providers, [
        { header: "NAME", value: (p) => p.providerName },
        { header: "ISSUER / TOKEN ENDPOINT", value: (p) => p.issuer ?? p.tokenEndpoint ?? "-" },
        { header: "CLIENT ID", value: (p) => p.clientId },
        { header: "SECRET", value: (p) => (p.clientSecretSet ? "set" : "-") },
        { header: "JIT", value: (p) => yesNo(p.enableJit) },
        { header: "PKCE", value: (p) => yesNo(p.requirePkce) },
        { header: "UPDATED", value: (p) => p.updatedAt },
      ]),
    );
  },
};

const show: Command = {
  group: "providers",
  name: "show",
  args: ["orgId", "name"],
  synopsis: "",
  summary: "show a provider's settings (never its secret)",
  help: "",
  options: {},
  async run({ admin, out }, { args }) {
    const view = await admin.getProvider(args[0]!, args[1]!);
    if (out.json) return out.data(view);
    out.line(providerDetails(view));
  },
};

const promoteSecret: Command = {
  group: "providers",
  name: "promote-secret",
  args: ["orgId", "name"],
  synopsis: "",
  summary: "end a client-secret rotation: the next secret becomes the current one",
  help: `Makes the secret saved with --next-client-secret-env the provider's current client secret and
forgets the old one. Run it once the provider has switched (providers doctor then warns that only
the next secret is accepted). Fails with CONFLICT when no next secret is saved.`,
  options: {},
  async run({ admin, out }, { args }) {
    const view = await admin.promoteProviderSecret(args[0]!, args[1]!);
    if (out.json) return out.data(view);
    out.note(`provider "${view.providerName}": the next client secret is now the current one`);
  },
};

const remove: Command = {
  group: "providers",
  name: "remove",
  args: ["orgId", "name"],
  synopsis: "",
  summary: "remove a provider (its users stay; their links to it go)",
  help: "",
  options: {},
  async run({ admin, out }, { args }) {
    await admin.deleteProvider(args[0]!, args[1]!);
    if (out.json) return out.data({ removed: true, orgId: args[0], providerName: args[1] });
    out.line(`removed provider "${args[1]}"`);
  },
};

export const providerCommands: readonly Command[] = [add, list, show, test, doctor, promoteSecret, remove];
