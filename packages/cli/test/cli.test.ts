import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";
import { describe, test } from "node:test";
import { closedPortUrl, type ScriptedResponse, startJsonServer } from "../../server/test/support/faulty-servers.ts";
import { type RunningService, startService } from "../../server/test/support/service.ts";
import { alice, CLIENT_SECRET, REDIRECT_URI, signIn, signInFixture } from "../../server/test/support/sign-in-fixture.ts";
import { startTestProvider } from "../../server/test/support/test-provider.ts";
import { startTxtDnsServer } from "../../server/test/support/dns-server.ts";

const BIN = fileURLToPath(new URL("../bin/pipeshub-auth.js", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface CliOptions {
  service?: RunningService;
  /** Extra environment; `ADMIN_TOKEN: undefined` removes the service's token. */
  env?: Record<string, string | undefined>;
  /** Piped to stdin (stdin is always a pipe, never a terminal). */
  input?: string;
  cwd?: string;
}

/** Runs the installed entry point as a child process, like an operator's shell would. */
function cli(args: string[], options: CliOptions = {}): Promise<Run> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "" };
  if (options.service) {
    env.PIPESHUB_AUTH_URL = options.service.url;
    env.ADMIN_TOKEN = options.service.app.config.adminToken;
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  // An empty working directory by default: a ./data/admin-token lying around in a shared one
  // (say /tmp) would otherwise be picked up as the admin token.
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), "pipeshub-cli-cwd-"));
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
  return collect(child, options.input).finally(() => {
    if (!options.cwd) rmSync(cwd, { recursive: true, force: true });
  });
}

function collect(child: ReturnType<typeof spawn>, input?: string): Promise<Run> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin!.end(input ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function json<T>(run: Run): T {
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

async function serviceWithOrg(t: TestContext): Promise<{ service: RunningService; orgId: string }> {
  const service = await startService(t);
  const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
  assert.equal(org.status, 201, org.text);
  return { service, orgId: org.body.id };
}

/** A service with an organisation whose provider "down" has its issuer on a closed port. */
async function serviceWithDownProvider(t: TestContext): Promise<{ service: RunningService; orgId: string }> {
  const { service, orgId } = await serviceWithOrg(t);
  const put = await service.admin("PUT", `/api/v1/orgs/${orgId}/oauth-providers/down`, {
    clientId: "a",
    clientSecret: "s3cret-value",
    issuer: await closedPortUrl(),
    redirectUris: [REDIRECT_URI],
  });
  assert.equal(put.status, 201, put.text);
  return { service, orgId };
}

describe("pipeshub-auth CLI", () => {
  test("--help lists every command and the exit codes; each command has its own help", async () => {
    const [top, add, bare] = await Promise.all([cli(["--help"]), cli(["providers", "add", "--help"]), cli([])]);
    assert.equal(top.code, 0);
    // Each command starts a line of the list, as "  <group> <name>  <summary>": a mention
    // elsewhere (the exit codes name providers test and doctor) does not count.
    for (const command of [
      "orgs create",
      "orgs events",
      "orgs rename",
      "orgs add-domain",
      "orgs remove-domain",
      "orgs domains",
      "orgs verify-domain",
      "orgs delete",
      "keys list",
      "settings show",
      "providers add",
      "providers test",
      "providers doctor",
      "providers health",
      "providers promote-secret",
      "saml-providers put",
      "saml-providers doctor",
      "setup-links create",
      "users find",
      "users list",
      "users end-sessions",
      "users set-role",
      "users disable",
      "users enable",
      "users identities",
      "users unlink",
      "keys rotate",
      "keys reencrypt",
      "console-sessions list",
      "console-sessions end",
      "console-sessions end-all",
      "audit tail",
      "audit service",
      "scim-tokens create",
      "scim-tokens list",
      "scim-tokens revoke",
      "introspection-tokens create",
      "introspection-tokens list",
      "introspection-tokens revoke",
    ])
      assert.match(top.stdout, new RegExp(`^ {2}${command} `, "m"), command);
    assert.match(top.stdout, /3 {2}cannot reach the service/);
    assert.match(top.stdout, /4 {2}providers test, providers doctor: the provider check failed/);
    assert.equal(add.code, 0);
    assert.match(add.stdout, /^Usage: pipeshub-auth providers add <orgId> <name>/);
    assert.match(add.stdout, /--client-secret-stdin/);
    assert.match(add.stdout, /--preset-option KEY=VALUE/);
    assert.equal(bare.code, 2, "nothing asked: the overview on stderr, a usage exit");
    assert.equal(bare.stdout, "");
    assert.match(bare.stderr, /Usage: pipeshub-auth <group> <command>/);
  });

  test("orgs create / list / show: JSON for scripts, aligned tables for people", async (t) => {
    const service = await startService(t);
    const created = json<{ id: string; name: string; domains: string[] }>(
      await cli(["orgs", "create", "--name", "Acme", "--domain", "acme.test", "--domain", "Acme.Example", "--json"], { service }),
    );
    assert.equal(created.name, "Acme");
    assert.deepEqual(created.domains.sort(), ["acme.example", "acme.test"]);
    const [listed, shown] = await Promise.all([
      cli(["orgs", "list", "--json"], { service }),
      cli(["orgs", "show", created.id], { service }),
    ]);
    assert.deepEqual(
      json<{ id: string }[]>(listed).map((o) => o.id),
      [created.id],
    );
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^id {7}${created.id}\\nname {5}Acme\\ndomains {2}acme\\.example, acme\\.test\\n`));
  });

  test("providers add reads the secret from stdin, never echoes it; list, show, test, remove", async (t) => {
    const { service, orgId } = await serviceWithOrg(t);
    const provider = await startTestProvider({
      clients: [{ client_id: "cli-app", client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }],
      users: [],
    });
    t.after(() => provider.close());
    const added = await cli(
      [
        "providers",
        "add",
        orgId,
        "corp",
        "--issuer",
        provider.issuer,
        "--client-id",
        "cli-app",
        "--client-secret-stdin",
        "--redirect-uri",
        REDIRECT_URI,
        "--jit",
        "--require-pkce",
        "--auth-method",
        "basic",
        "--json",
      ],
      { service, input: `${CLIENT_SECRET}\n` },
    );
    const view = json<Record<string, unknown>>(added);
    assert.equal(view.clientSecretSet, true);
    assert.equal(view.enableJit, true);
    assert.equal(view.requirePkce, true);
    assert.equal(added.stdout.includes(CLIENT_SECRET) || added.stderr.includes(CLIENT_SECRET), false, "the secret is never printed");
    assert.equal(
      (await service.app.store.providers.configured(orgId, "corp"))?.clientSecret,
      CLIENT_SECRET,
      "the trailing newline is not part of the secret",
    );

    const [listed, shown, checked] = await Promise.all([
      cli(["providers", "list", orgId], { service }),
      cli(["providers", "show", orgId, "corp"], { service }),
      cli(["providers", "test", orgId, "corp", "--json"], { service }),
    ]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(
      listed.stdout,
      /^NAME +ISSUER \/ TOKEN ENDPOINT +CLIENT ID +SECRET +JIT +PKCE +UPDATED\ncorp +http:\/\/127\.0\.0\.1:\d+ +cli-app +set +yes +yes +\S+\n$/,
    );
    assert.match(shown.stdout, /client secret +set\n/);
    for (const run of [listed, shown, checked]) assert.equal(`${run.stdout}${run.stderr}`.includes(CLIENT_SECRET), false);
    const result = json<{ ok: boolean; issuer: string; tokenEndpoint: string }>(checked);
    assert.deepEqual([result.ok, result.issuer, result.tokenEndpoint], [true, provider.issuer, provider.endpoints.token]);
    assert.match(
      checked.stderr,
      new RegExp(`^checking discovery at ${provider.issuer}/\\.well-known/openid-configuration …\\n$`),
      "progress is a plain line when stderr is not a terminal",
    );

    const removed = await cli(["providers", "remove", orgId, "corp"], { service });
    assert.equal(removed.code, 0, removed.stderr);
    const gone = await cli(["providers", "show", orgId, "corp"], { service });
    assert.equal(gone.code, 1);
    assert.equal(gone.stdout, "");
    assert.match(gone.stderr, /^error: NOT_FOUND: No provider "corp" in this organisation\.\n$/);
  });

  test("providers add with a preset and the secret from a named environment variable", async (t) => {
    const { service, orgId } = await serviceWithOrg(t);
    const secret = "env-held-secret-4f1a9";
    const run = await cli(
      [
        "providers",
        "add",
        orgId,
        "okta",
        "--preset",
        "okta",
        "--preset-option",
        "domain=acme.okta.com",
        "--preset-option",
        "authorizationServerId=default",
        "--client-id",
        "0oa1",
        "--client-secret-env",
        "OKTA_SECRET",
        "--redirect-uri",
        REDIRECT_URI,
        "--json",
      ],
      { service, env: { OKTA_SECRET: secret } },
    );
    const view = json<Record<string, unknown>>(run);
    assert.equal(view.issuer, "https://acme.okta.com/oauth2/default");
    assert.equal(`${run.stdout}${run.stderr}`.includes(secret), false);
    assert.equal((await service.app.store.providers.configured(orgId, "okta"))?.clientSecret, secret);

    const [unknownPreset, unsetVariable] = await Promise.all([
      cli(
        [
          "providers",
          "add",
          orgId,
          "x",
          "--preset",
          "ping",
          "--client-id",
          "a",
          "--client-secret-env",
          "OKTA_SECRET",
          "--redirect-uri",
          REDIRECT_URI,
        ],
        { service, env: { OKTA_SECRET: secret } },
      ),
      cli(["providers", "add", orgId, "y", "--preset", "google", "--client-id", "a", "--client-secret-env", "NOT_SET"], { service }),
    ]);
    assert.equal(unknownPreset.code, 1, "the service refused: exit 1 with its error");
    assert.match(unknownPreset.stderr, /^error: INVALID_PROVIDER_SETTINGS: unknown preset "ping"; known presets: google, entra-id/);
    assert.equal(unsetVariable.code, 2);
    assert.match(unsetVariable.stderr, /NOT_SET is not set or empty/);
  });

  test("providers test against a provider on a closed port exits 4 with the provider's reason", async (t) => {
    const { service, orgId } = await serviceWithDownProvider(t);
    const [human, machine] = await Promise.all([
      cli(["providers", "test", orgId, "down"], { service }),
      cli(["providers", "test", orgId, "down", "--json"], { service }),
    ]);
    assert.equal(human.code, 4, human.stderr);
    assert.equal(human.stdout, "");
    assert.match(
      human.stderr,
      /error: provider check failed: PROVIDER_UNAVAILABLE: The provider "down" could not be reached during discovery\./,
    );
    assert.equal(machine.code, 4);
    assert.deepEqual(JSON.parse(machine.stdout), {
      ok: false,
      error: "PROVIDER_UNAVAILABLE",
      message: 'The provider "down" could not be reached during discovery.',
    });
  });

  test("providers health, orgs events and setup-links: read what happened, hand out and revoke a one-time link", async (t) => {
    const { service, orgId } = await serviceWithDownProvider(t);
    const exchange = await service.request("POST", "/userAccount/oauth/exchange", {
      code: "c",
      email: "someone@acme.test",
      provider: "down",
      redirectUri: REDIRECT_URI,
    });
    assert.equal(exchange.status, 502, exchange.text);

    const [health, healthJson, badWindow, events] = await Promise.all([
      cli(["providers", "health", orgId, "down", "--window", "1h"], { service }),
      cli(["providers", "health", orgId, "down", "--json"], { service }),
      cli(["providers", "health", orgId, "down", "--window", "2d"], { service }),
      cli(["orgs", "events", orgId], { service }),
    ]);
    assert.equal(health.code, 0, health.stderr);
    assert.match(health.stdout, /attempts +1/);
    assert.match(health.stdout, /1 +PROVIDER_UNAVAILABLE/);
    assert.match(health.stdout, /What to change: The provider could not be reached/);
    assert.match(
      health.stdout,
      /FROM \(5 MIN\) +ATTEMPTS +FAILURES\n\d{4}-\d\d-\d\dT\d\d:\d[05]:00\.000Z +1 +1\n/,
      "the bucket of the attempt",
    );
    const healthData = JSON.parse(healthJson.stdout) as { failures: unknown; bucketSeconds: number; series: { attempts: number }[] };
    assert.deepEqual(healthData.failures, { PROVIDER_UNAVAILABLE: 1 });
    assert.deepEqual([healthData.bucketSeconds, healthData.series.length], [3600, 25], "a day by default, by the hour");
    assert.equal(badWindow.code, 2);
    assert.equal(events.stdout.trim(), "no provider changes recorded");

    const created = await cli(["setup-links", "create", orgId, "--hours", "2"], { service });
    assert.equal(created.code, 0, created.stderr);
    const url = created.stdout.trim();
    assert.match(url, /\/admin\/setup#[A-Za-z0-9_-]{43}$/);
    const token = url.slice(url.indexOf("#") + 1);
    assert.equal((await service.request("POST", "/api/v1/setup-sessions", { token })).status, 201);
    const [listed] = JSON.parse((await cli(["setup-links", "list", orgId, "--json"], { service })).stdout) as {
      id: string;
      usedAt: string;
    }[];
    assert.ok(listed?.usedAt, "redeemed");
    const revoked = await cli(["setup-links", "revoke", orgId, listed.id], { service });
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match((await cli(["setup-links", "list", orgId], { service })).stdout, new RegExp(`${listed.id}.*\\d{4}-.*\\d{4}-`));
  });

  test("scim-tokens and introspection-tokens: made once (tenant URL and token), listed without values, revoked", async (t) => {
    const { service, orgId } = await serviceWithOrg(t);
    const created = await cli(["scim-tokens", "create", orgId], { service });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, new RegExp(`^tenant URL: +http://127\\.0\\.0\\.1:\\d+/scim/v2/${orgId}$`, "m"));
    const token = /^secret token: +(scim\.\S+)$/m.exec(created.stdout)?.[1];
    assert.ok(token, created.stdout);
    assert.equal((await service.request("GET", `/scim/v2/${orgId}/Users`, undefined, { authorization: `Bearer ${token}` })).status, 200);
    const [listed] = JSON.parse((await cli(["scim-tokens", "list", orgId, "--json"], { service })).stdout) as {
      id: string;
      token?: string;
    }[];
    assert.ok(listed && listed.token === undefined);
    assert.equal((await cli(["scim-tokens", "revoke", orgId, listed.id], { service })).code, 0);
    assert.equal((await service.request("GET", `/scim/v2/${orgId}/Users`, undefined, { authorization: `Bearer ${token}` })).status, 401);

    const introspector = await cli(["introspection-tokens", "create", "--name", "orders-api"], { service });
    assert.equal(introspector.code, 0, introspector.stderr);
    assert.match(introspector.stdout.trim(), /^introspect\.[\w-]+$/);
    assert.match((await cli(["introspection-tokens", "list"], { service })).stdout, /orders-api/);
  });

  test("providers doctor: a table of checks and what to change; exit 4 when one fails, with --json for scripts", async (t) => {
    const { service, orgId } = await serviceWithOrg(t);
    const provider = await startTestProvider({
      clients: [{ client_id: "cli-app", client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }],
      users: [],
    });
    t.after(() => provider.close());
    for (const [name, clientSecret] of [
      ["good", CLIENT_SECRET],
      ["bad", "an-expired-secret"],
    ]) {
      const put = await service.admin("PUT", `/api/v1/orgs/${orgId}/oauth-providers/${name}`, {
        clientId: "cli-app",
        clientSecret,
        issuer: provider.issuer,
        redirectUris: [REDIRECT_URI],
      });
      assert.equal(put.status, 201, put.text);
    }
    const [good, bad, badJson] = await Promise.all([
      cli(["providers", "doctor", orgId, "good"], { service }),
      cli(["providers", "doctor", orgId, "bad"], { service }),
      cli(["providers", "doctor", orgId, "bad", "--json"], { service }),
    ]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /^CHECK {15}STATUS {2}FINDING\ndiscovery {11}pass {4}The discovery document/);
    assert.match(good.stdout, /\nclient-credentials {2}pass {4}Credentials accepted/);
    assert.doesNotMatch(good.stdout, /What to change/);

    assert.equal(bad.code, 4, bad.stderr);
    assert.match(bad.stdout, /\nclient-credentials {2}fail {4}The token endpoint refused the client \(invalid_client\)/);
    assert.match(bad.stdout, /\n\nWhat to change:\n {2}client-credentials: Here: set `clientSecret`/);
    assert.match(bad.stderr, /error: provider "bad" failed 1 check: client-credentials\n$/);
    assert.doesNotMatch(bad.stdout + bad.stderr, /an-expired-secret/, "the secret is never printed");

    assert.equal(badJson.code, 4);
    const { findings } = JSON.parse(badJson.stdout) as { findings: { check: string; status: string; fix?: string }[] };
    assert.deepEqual(
      findings.filter((f) => f.status !== "pass").map((f) => f.check),
      ["client-credentials"],
    );
    assert.match(findings.find((f) => f.check === "client-credentials")!.fix!, /clientSecret/);
  });

  test("providers add --next-client-secret-env saves a rotation's secret unseen; promote-secret makes it current, once", async (t) => {
    const { service, orgId } = await serviceWithOrg(t);
    const next = "n3xt-Secret-From-The-Env";
    const added = await cli(
      [
        "providers",
        "add",
        orgId,
        "okta",
        "--issuer",
        "https://acme.okta.com",
        "--client-id",
        "0oa1",
        "--client-secret-env",
        "CURRENT",
        "--next-client-secret-env",
        "NEXT",
        "--redirect-uri",
        REDIRECT_URI,
      ],
      { service, env: { CURRENT: "curr3nt-Secret-Value", NEXT: next } },
    );
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /\nnext client secret {2}set \(promote it with providers promote-secret\)\n/);
    assert.ok(!(added.stdout + added.stderr).includes(next), "the secret is never printed");
    const [promoted, again] = [
      await cli(["providers", "promote-secret", orgId, "okta"], { service }),
      await cli(["providers", "promote-secret", orgId, "okta"], { service }),
    ];
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.match(promoted.stderr, /provider "okta": the next client secret is now the current one/);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^error: CONFLICT: The provider "okta" has no nextClientSecret to promote/);
    const shown = await cli(["providers", "show", orgId, "okta"], { service });
    assert.doesNotMatch(shown.stdout, /next client secret/);
  });

  test("users add / find, keys rotate", async (t) => {
    const { service, orgId } = await serviceWithOrg(t);
    const user = json<{ id: string; email: string; fullName: string }>(
      await cli(["users", "add", orgId, "--email", "Jane@acme.test", "--name", "Jane Doe", "--json"], { service }),
    );
    assert.equal(user.fullName, "Jane Doe");
    const [found, missing, rotated] = await Promise.all([
      cli(["users", "find", orgId, "--email", "jane@ACME.test", "--json"], { service }),
      cli(["users", "find", orgId, "--email", "nobody@acme.test"], { service }),
      cli(["keys", "rotate", "--json"], { service }),
    ]);
    assert.deepEqual(
      json<{ id: string }[]>(found).map((u) => u.id),
      [user.id],
    );
    assert.equal(missing.code, 0);
    assert.equal(missing.stdout, "");
    assert.match(missing.stderr, /no user with email nobody@acme\.test/);
    const { kid } = json<{ kid: string }>(rotated);
    const jwks = await service.request<{ keys: { kid: string }[] }>("GET", "/.well-known/jwks.json");
    assert.ok(jwks.body.keys.some((k) => k.kid === kid));
    // Everything is already under the service's only key: nothing to re-encrypt.
    assert.deepEqual(json<{ reencrypted: number }>(await cli(["keys", "reencrypt", "--json"], { service })), { reencrypted: 0 });
    assert.match((await cli(["keys", "reencrypt"], { service })).stdout, /^re-encrypted 0 secrets under the current encryption key\n$/);
  });

  test("orgs rename / add-domain / remove-domain / delete (only with --yes)", async (t) => {
    const { service, orgId } = await serviceWithOrg(t);
    const renamed = json<{ name: string }>(await cli(["orgs", "rename", orgId, "--name", "Acme Corp", "--json"], { service }));
    assert.equal(renamed.name, "Acme Corp");
    const added = await cli(["orgs", "add-domain", orgId, "acme.example"], { service });
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^domains +acme\.example, acme\.test$/m);
    const other = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Initech", domains: ["initech.test"] });
    const taken = await cli(["orgs", "add-domain", other.body.id, "acme.example"], { service });
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /^error: CONFLICT: /);
    const removed = await cli(["orgs", "remove-domain", orgId, "acme.test"], { service });
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /no longer go to the organisation; its existing users keep their accounts/);
    assert.deepEqual((await service.admin<{ domains: string[] }>("GET", `/api/v1/orgs/${orgId}`)).body.domains, ["acme.example"]);

    const unconfirmed = await cli(["orgs", "delete", orgId], { service });
    assert.equal(unconfirmed.code, 2);
    assert.match(unconfirmed.stderr, /add --yes to confirm/);
    assert.equal((await service.admin("GET", `/api/v1/orgs/${orgId}`)).status, 200, "nothing deleted without --yes");
    assert.deepEqual(json(await cli(["orgs", "delete", orgId, "--yes", "--json"], { service })), { deleted: true, orgId });
    assert.equal((await service.admin("GET", `/api/v1/orgs/${orgId}`)).status, 404);
  });

  test("orgs add-domain as a setup link: pending, with the TXT record to create; orgs domains shows it; verify-domain once it is served", async (t) => {
    const dns = await startTxtDnsServer(t);
    const service = await startService(t, { dnsServers: [dns.address], dnsTimeoutMs: 300 });
    const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
    const link = await service.admin<{ token: string }>("POST", `/api/v1/orgs/${org.body.id}/setup-links`, {});
    const setup = await service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
    const asSetup = (args: string[]) => cli([...args, "--token", setup.body.sessionToken], { service, env: { ADMIN_TOKEN: undefined } });

    const added = await asSetup(["orgs", "add-domain", org.body.id, "acme.example"]);
    assert.equal(added.code, 0, added.stderr);
    const value = /^value +(pipeshub-auth-verification=\S+)$/m.exec(added.stdout)?.[1];
    assert.ok(value, added.stdout);
    assert.match(added.stdout, /domain "acme\.example" is pending/);
    assert.match(added.stdout, /^name +_pipeshub-auth\.acme\.example$/m);
    const listed = await asSetup(["orgs", "domains", org.body.id]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^acme\\.example +pending +_pipeshub-auth\\.acme\\.example +${value} +-$`, "m"));
    assert.match(listed.stdout, /^acme\.test +verified +- +- +-$/m);

    const early = await asSetup(["orgs", "verify-domain", org.body.id, "acme.example"]);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /^error: DOMAIN_NOT_VERIFIED: .*NXDOMAIN/m);
    dns.setTxt("_pipeshub-auth.acme.example", [value]);
    const verified = await asSetup(["orgs", "verify-domain", org.body.id, "acme.example"]);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /verified domain "acme\.example"/);
  });

  test("keys list and settings show: the signing keys, and the settings without a secret", async (t) => {
    const service = await startService(t);
    const keys = json<{ kid: string; current: boolean }[]>(await cli(["keys", "list", "--json"], { service }));
    assert.deepEqual(
      keys.map((k) => k.current),
      [true],
    );
    assert.match(
      (await cli(["keys", "list"], { service })).stdout,
      new RegExp(`^KID +ALG +CURRENT +CREATED +RETIRED\n${keys[0]!.kid} +ES256 +yes `),
    );
    const settings = json<Record<string, unknown>>(await cli(["settings", "show", "--json"], { service }));
    assert.deepEqual(settings.ADMIN_TOKEN, { set: true });
    const shown = await cli(["settings", "show"], { service });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^ADMIN_TOKEN +\(secret, set\)$/m);
    assert.match(shown.stdout, /^LOOKUP_CACHE_MS +5000$/m);
    assert.equal(shown.stdout.includes(service.app.config.adminToken), false);
  });

  test("console-sessions list, end and end-all: the operator sees and ends console sessions", async (t) => {
    const service = await startService(t);
    const open = async () => {
      const opened = await service.request("POST", "/admin/session", { token: service.app.config.adminToken });
      assert.equal(opened.status, 204, opened.text);
      return { cookie: opened.headers.get("set-cookie")!.split(";")[0]!, "x-pipeshub-console": "1" };
    };
    const [first, second] = [await open(), await open()];
    const sessions = json<{ id: string; kind: string }[]>(await cli(["console-sessions", "list", "--json"], { service }));
    assert.deepEqual(
      sessions.map((s) => s.kind),
      ["operator", "operator"],
    );
    assert.match((await cli(["console-sessions", "list"], { service })).stdout, /^ID +KIND +ORG +USER +STARTED +ENDS\n.*operator +- +-/);
    const ended = await cli(["console-sessions", "end", sessions[0]!.id], { service });
    assert.equal(ended.code, 0, ended.stderr);
    assert.equal(ended.stdout, `ended console session ${sessions[0]!.id}\n`);
    assert.equal((await service.request("GET", "/api/v1/orgs", undefined, first)).status, 401);
    assert.equal((await service.request("GET", "/api/v1/orgs", undefined, second)).status, 200);
    const unknown = await cli(["console-sessions", "end", sessions[0]!.id], { service });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /NOT_FOUND/);
    assert.equal((await cli(["console-sessions", "end-all"], { service })).stdout, "ended 1 console session\n");
    assert.equal((await service.request("GET", "/api/v1/orgs", undefined, second)).status, 401);
    assert.equal((await cli(["console-sessions", "list"], { service })).stdout, "no console sessions\n");
  });

  test("users list pages with --q, --limit and --cursor, showing identities and last sign-in; users end-sessions", async (t) => {
    const f = await signInFixture(t);
    const { service } = f;
    await signIn(f, alice);
    for (const email of ["b@acme.test", "c@acme.test", "d@other.test"])
      assert.equal((await service.admin("POST", `/api/v1/orgs/${f.orgId}/users`, { email })).status, 201);

    const first = await cli(["users", "list", f.orgId, "--q", "ACME.TEST", "--limit", "2"], { service });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^ID +EMAIL +NAME +STATUS +ROLE +IDENTITIES +LAST SIGN-IN\n/);
    assert.match(first.stdout, /alice@acme\.test +Alice Acme +active +member +acme-idp:alice-sub +\d{4}-\d\d-\d\dT/);
    assert.match(first.stdout, /b@acme\.test +- +active +member +- +never/);
    const cursor = /more users: --cursor (\S+)/.exec(first.stderr)?.[1];
    assert.ok(cursor, first.stderr);
    const second = json<{ users: { email: string }[]; nextCursor: string | null }>(
      await cli(["users", "list", f.orgId, "--q", "acme.test", "--limit", "2", "--cursor", cursor, "--json"], { service }),
    );
    assert.deepEqual(second, { users: [second.users[0]], nextCursor: null });
    assert.equal(second.users[0]?.email, "c@acme.test");
    assert.equal((await cli(["users", "list", f.orgId, "--limit", "0"], { service })).code, 2);

    const ended = await cli(["users", "end-sessions", f.orgId, alice.email], { service });
    assert.equal(ended.code, 0, ended.stderr);
    assert.equal(ended.stdout, `ended 1 sign-in session of ${alice.email}; they may sign in again\n`);
    assert.deepEqual(json(await cli(["users", "end-sessions", f.orgId, alice.email, "--json"], { service })), { ended: 0 });
  });

  test("users identities and users unlink; providers add --link-existing-users, and the identity links a save drops", async (t) => {
    const f = await signInFixture(t);
    const service = f.service;
    await signIn(f, alice);
    const links = json<{ provider: string; subject: string }[]>(
      await cli(["users", "identities", f.orgId, alice.email, "--json"], { service }),
    );
    assert.deepEqual(
      links.map((l) => [l.provider, l.subject]),
      [["acme-idp", alice.sub]],
    );
    assert.match(
      (await cli(["users", "identities", f.orgId, alice.email], { service })).stdout,
      /^PROVIDER +SUBJECT +LINKED\nacme-idp +alice-sub /,
    );

    const base = ["providers", "add", f.orgId, "acme-idp", "--issuer", f.provider.issuer, "--client-id", "pipeshub-app"];
    const trusted = await cli([...base, "--redirect-uri", REDIRECT_URI, "--jit", "--link-existing-users", "yes"], { service });
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.match(trusted.stdout, /identity saved by +the operator/);
    assert.match(trusted.stdout, /link existing +yes/);
    assert.equal((await cli([...base, "--redirect-uri", REDIRECT_URI, "--link-existing-users", "maybe"], { service })).code, 2);
    const moved = await cli([...base, "--redirect-uri", REDIRECT_URI, "--subject-claim", "oid"], { service });
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stderr, /dropped 1 identity link: /);
    assert.match((await cli(["users", "identities", f.orgId, alice.email], { service })).stderr, /no identities/);

    assert.equal((await cli([...base, "--redirect-uri", REDIRECT_URI, "--jit"], { service })).code, 0, "back to sub");
    await signIn(f, alice);
    const unlinked = await cli(["users", "unlink", f.orgId, alice.email, "acme-idp"], { service });
    assert.equal(unlinked.code, 0, unlinked.stderr);
    assert.match(unlinked.stdout, /removed alice@acme\.test's identity at provider "acme-idp"/);
    const again = await cli(["users", "unlink", f.orgId, alice.email, "acme-idp"], { service });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^error: NOT_FOUND: /);
  });

  test("users add --role and users set-role: an organisation's admins, by email or id", async (t) => {
    const { service, orgId } = await serviceWithOrg(t);
    const ann = json<{ id: string; role: string }>(
      await cli(["users", "add", orgId, "--email", "ann@acme.test", "--role", "admin", "--json"], { service }),
    );
    assert.equal(ann.role, "admin");
    const bob = json<{ id: string; role: string }>(await cli(["users", "add", orgId, "--email", "bob@acme.test", "--json"], { service }));
    assert.equal(bob.role, "member");

    const demoted = await cli(["users", "set-role", orgId, "ANN@acme.test", "member"], { service });
    assert.equal(demoted.code, 0, demoted.stderr);
    assert.equal(demoted.stdout, `ann@acme.test (${ann.id}) is now a member of organisation ${orgId}\n`);
    const promoted = json<{ id: string; role: string }>(await cli(["users", "set-role", orgId, bob.id, "admin", "--json"], { service }));
    assert.deepEqual([promoted.id, promoted.role], [bob.id, "admin"]);
    const listed = await cli(["users", "find", orgId], { service });
    assert.match(listed.stdout, /ROLE/);
    assert.match(listed.stdout, /ann@acme\.test .* member /);
    assert.match(listed.stdout, /bob@acme\.test .* admin /);

    const [nobody, unknownId, badRole, missing] = await Promise.all([
      cli(["users", "set-role", orgId, "nobody@acme.test", "admin"], { service }),
      cli(["users", "set-role", orgId, "usr_nope", "admin"], { service }),
      cli(["users", "set-role", orgId, bob.id, "owner"], { service }),
      cli(["users", "set-role", orgId, bob.id], { service }),
    ]);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /^error: NOT_FOUND: No user with email nobody@acme\.test/);
    assert.equal(unknownId.code, 1);
    assert.match(unknownId.stderr, /^error: NOT_FOUND: /);
    assert.equal(badRole.code, 2);
    assert.match(badRole.stderr, /the role is member or admin, not "owner"/);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing <role>/);
  });

  test("users disable and users enable, by email or id: a disabled user's session ends at once", async (t) => {
    const f = await signInFixture(t, { users: [alice] });
    const { service, orgId } = f;
    const session = await signIn(f, alice);
    const aliceId = (await service.admin<{ id: string }[]>("GET", `/api/v1/orgs/${orgId}/users?email=${alice.email}`)).body[0]!.id;
    const refresh = (token: string) =>
      service.request("POST", "/userAccount/refresh/token", undefined, { authorization: `Bearer ${token}` });

    const disabled = await cli(["users", "disable", orgId, "ALICE@acme.test"], { service });
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.equal(disabled.stdout, `alice@acme.test (${aliceId}) is disabled in organisation ${orgId}: their sign-in sessions have ended\n`);
    assert.equal((await refresh(session.refreshToken)).status, 401);
    const listed = await cli(["users", "find", orgId, "--email", alice.email], { service });
    assert.match(listed.stdout, /alice@acme\.test .* disabled /);

    const enabled = json<{ id: string; status: string }>(await cli(["users", "enable", orgId, aliceId, "--json"], { service }));
    assert.deepEqual([enabled.id, enabled.status], [aliceId, "active"]);
    assert.equal((await refresh(session.refreshToken)).status, 401, "enabling revives no session");
    assert.equal((await refresh((await signIn(f, alice)).refreshToken)).status, 200);

    const [nobody, unknownId, missing, extra] = await Promise.all([
      cli(["users", "disable", orgId, "nobody@acme.test"], { service }),
      cli(["users", "enable", orgId, "usr_nope"], { service }),
      cli(["users", "disable", orgId], { service }),
      cli(["users", "disable", orgId, aliceId, "now"], { service }),
    ]);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /^error: NOT_FOUND: No user with email nobody@acme\.test/);
    assert.equal(unknownId.code, 1);
    assert.match(unknownId.stderr, /^error: NOT_FOUND: /);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing <user>/);
    assert.equal(extra.code, 2, extra.stderr);
  });

  test("audit tail: the latest records newest last; --follow prints new ones until interrupted", async (t) => {
    const { service, orgId } = await serviceWithOrg(t);
    const record = (email: string) =>
      service.app.store.audit.record({
        orgId,
        userId: null,
        email,
        provider: "corp",
        event: "oauth.exchange",
        outcome: "failure",
        error: "INVALID_GRANT",
        ip: "127.0.0.1",
      });
    for (const email of ["one@acme.test", "two@acme.test", "three@acme.test"]) {
      await record(email);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const [lines, table] = await Promise.all([
      cli(["audit", "tail", orgId, "--limit", "2", "--json"], { service }),
      cli(["audit", "tail", orgId], { service }),
    ]);
    assert.equal(lines.code, 0, lines.stderr);
    assert.deepEqual(
      lines.stdout
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { email: string }).email),
      ["two@acme.test", "three@acme.test"],
    );
    assert.match(
      table.stdout,
      /^TIME +EVENT +OUTCOME +ERROR +ACTOR +EMAIL +PROVIDER +IP +CHANGES\n.+org\.created.+operator.+name: - → Acme; domains: - → \["acme\.test"\]\n.+one@acme\.test.+\n.+two@acme\.test.+\n.+three@acme\.test.+\n$/,
    );

    const child = spawn(process.execPath, [BIN, "audit", "tail", orgId, "--limit", "1", "--follow", "--json"], {
      env: { PATH: process.env.PATH ?? "", PIPESHUB_AUTH_URL: service.url, ADMIN_TOKEN: service.app.config.adminToken },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const done = collect(child);
    let seen = "";
    child.stdout!.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    const waitFor = async (text: string) => {
      for (let i = 0; i < 100 && !seen.includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(seen.includes(text), `--follow never printed ${text}: ${seen}`);
    };
    await waitFor("three@acme.test");
    // Possibly within one millisecond, whose records have no order among themselves: both show.
    await Promise.all([record("four@acme.test"), record("five@acme.test")]);
    await waitFor("five@acme.test");
    await waitFor("four@acme.test");
    await new Promise((resolve) => setTimeout(resolve, 50));
    await record("six@acme.test");
    await waitFor("six@acme.test");
    child.kill("SIGINT");
    const run = await done;
    assert.equal(run.code, 0, run.stderr);
    const emails = run.stdout
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { email: string }).email);
    assert.equal(emails.length, 4, "each record once");
    assert.equal(emails[0], "three@acme.test");
    assert.deepEqual(emails.slice(1, 3).sort(), ["five@acme.test", "four@acme.test"]);
    assert.equal(emails[3], "six@acme.test");
  });

  test("audit service: the records outside any organisation; --event and --actor narrow either trail", async (t) => {
    const { service, orgId } = await serviceWithOrg(t);
    const rotated = await service.admin<{ kid: string }>("POST", "/api/v1/keys/rotate");
    assert.equal(rotated.status, 200, rotated.text);
    const [outside, created, nobody, lines] = await Promise.all([
      cli(["audit", "service"], { service }),
      cli(["audit", "tail", orgId, "--event", "org.created", "--json"], { service }),
      cli(["audit", "tail", orgId, "--actor", "org-admin:nobody"], { service }),
      cli(["audit", "service", "--actor", "operator", "--json"], { service }),
    ]);
    assert.equal(outside.code, 0, outside.stderr);
    assert.match(outside.stdout, new RegExp(`^TIME.+CHANGES\n.+keys\\.rotated +success +- +operator .+kid: - → ${rotated.body.kid}\n$`));
    assert.deepEqual(
      created.stdout
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { event: string; actor: string }).actor),
      ["operator"],
    );
    assert.equal(nobody.code, 0, nobody.stderr);
    assert.equal(nobody.stdout, "", "nothing matched: nothing shown");
    assert.equal((JSON.parse(lines.stdout) as { event: string }).event, "keys.rotated");
  });

  test("usage errors exit 2 and name the problem; a secret on the command line is refused and never echoed", async (t) => {
    const service = await startService(t);
    const runs = await Promise.all([
      cli(
        ["providers", "add", "org", "idp", "--issuer", "https://idp.example.com", "--client-id", "a", "--client-secret=hunter2-on-argv"],
        { service },
      ),
      cli(["orgs", "frobnicate"], { service }),
      cli(["orgs", "show"], { service }),
      cli(["orgs", "list", "--follow"], { service }),
      cli(["orgs", "list"], { service, env: { ADMIN_TOKEN: undefined } }),
      cli(["audit", "tail", "org", "--limit", "0"], { service }),
      cli(["orgs", "events", "org", "--limit", "500"], { service }),
      cli(["setup-links", "create", "org", "--hours", "721"], { service }),
    ]);
    const expected = [
      /never taken from the command line/,
      /unknown command "orgs frobnicate"; orgs commands: create, list, show/,
      /missing <orgId>/,
      /unknown option '--follow'/,
      /no admin token/,
      /--limit is a number from 1 to 200/,
      /--limit is a number from 1 to 200/,
      /--hours is a number from 1 to 720/,
    ];
    runs.forEach((run, i) => {
      assert.equal(run.code, 2, `${expected[i]}: ${run.stderr}`);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, expected[i]!);
    });
    assert.equal(runs[0]!.stderr.includes("hunter2"), false);
  });

  test("an unreachable service exits 3; a wrong admin token exits 1 with UNAUTHORIZED", async (t) => {
    const service = await startService(t);
    const [unreachable, wrongToken] = await Promise.all([
      cli(["orgs", "list"], { env: { PIPESHUB_AUTH_URL: await closedPortUrl(), ADMIN_TOKEN: "whatever-token-value" } }),
      cli(["orgs", "list", "--json"], { service, env: { ADMIN_TOKEN: "not-the-admin-token" } }),
    ]);
    assert.equal(unreachable.code, 3, unreachable.stderr);
    assert.match(unreachable.stderr, /^error: cannot reach the service at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\n$/);
    assert.equal(wrongToken.code, 1);
    assert.equal(wrongToken.stdout, "");
    assert.match(wrongToken.stderr, /^error: UNAUTHORIZED: /);
  });

  test("something other than the service answering: exit 1 naming it, no redirect followed; an answer cut off exits 3", async (t) => {
    const elsewhere = await startJsonServer(() => ({ status: 200, body: [] }));
    const impostor = await startJsonServer((request): ScriptedResponse =>
      request.url === "/api/v1/orgs"
        ? { status: 404, body: "<html>not here</html>", headers: { "content-type": "text/html" } }
        : request.url.startsWith("/api/v1/orgs/moved")
          ? { status: 302, body: undefined, headers: { location: `${elsewhere.url}/api/v1/orgs` } }
          : { status: 200, body: { unexpected: true } },
    );
    const cutOff = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      response.write("[{");
      setTimeout(() => response.socket?.destroy(), 20);
    });
    await new Promise<void>((resolve) => cutOff.listen(0, "127.0.0.1", resolve));
    t.after(() => Promise.all([elsewhere.close(), impostor.close(), new Promise((resolve) => cutOff.close(resolve))]));
    const env = { ADMIN_TOKEN: "an-admin-token-value" };
    const [notAuthError, redirected, unexpectedBody, brokenOff] = await Promise.all([
      cli(["orgs", "list"], { env: { ...env, PIPESHUB_AUTH_URL: impostor.url } }),
      cli(["orgs", "show", "moved"], { env: { ...env, PIPESHUB_AUTH_URL: impostor.url } }),
      cli(["orgs", "show", "org-1"], { env: { ...env, PIPESHUB_AUTH_URL: impostor.url } }),
      cli(["orgs", "list"], { env: { ...env, PIPESHUB_AUTH_URL: `http://127.0.0.1:${(cutOff.address() as AddressInfo).port}` } }),
    ]);
    assert.equal(notAuthError.code, 1);
    assert.equal(
      notAuthError.stderr,
      `error: HTTP_404: ${impostor.url} answered 404 Not Found without an AuthError body; is --url the pipeshub-auth service?\n`,
    );
    assert.equal(redirected.code, 1);
    assert.match(redirected.stderr, /^error: HTTP_302: .* answered 302 Found without an AuthError body/);
    assert.equal(elsewhere.requests, 0, "the admin token never follows a redirect");
    assert.equal(unexpectedBody.code, 1);
    assert.match(
      unexpectedBody.stderr,
      /^error: .* answered 200 with a body the admin API does not send \(.*\); is --url the pipeshub-auth service\?\n$/,
    );
    assert.equal(brokenOff.code, 3, brokenOff.stderr);
    assert.match(brokenOff.stderr, /^error: the connection to http:\/\/127\.0\.0\.1:\d+ broke off while reading the answer \(\w+\)\n$/);
  });

  test("the admin token comes from ./data/admin-token when nothing else names one; --token works but warns", async (t) => {
    const service = await startService(t);
    const cwd = mkdtempSync(join(tmpdir(), "pipeshub-cli-"));
    t.after(() => rmSync(cwd, { recursive: true, force: true }));
    mkdirSync(join(cwd, "data"));
    writeFileSync(join(cwd, "data", "admin-token"), `${service.app.config.adminToken}\n`, { mode: 0o600 });
    const [fromFile, fromFlag] = await Promise.all([
      cli(["orgs", "list", "--json"], { service, cwd, env: { ADMIN_TOKEN: undefined } }),
      cli(["orgs", "list", "--json", "--token", service.app.config.adminToken], { service, env: { ADMIN_TOKEN: undefined } }),
    ]);
    assert.deepEqual(json(fromFile), []);
    assert.deepEqual(json(fromFlag), []);
    assert.match(fromFlag.stderr, /warning: --token shows in ps/);
  });
});

describe("pipeshub-auth saml-providers", () => {
  test("put from a metadata file or from values and certificate files; get, list, doctor, presets, delete", async (t) => {
    const { service, orgId } = await serviceWithOrg(t);
    const { idpCertificate, idpMetadataXml } = await import("../../server/test/support/idp-metadata.ts");
    const dir = mkdtempSync(join(tmpdir(), "pipeshub-cli-saml-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const certificate = idpCertificate();
    writeFileSync(
      join(dir, "idp.xml"),
      idpMetadataXml({ entityId: "urn:acme:idp", ssoUrl: "https://idp.acme.test/sso", certificates: [certificate] }),
    );
    writeFileSync(join(dir, "idp.pem"), certificate);

    const fromFile = await cli(
      [
        "saml-providers",
        "put",
        orgId,
        "adfs",
        "--metadata-file",
        join(dir, "idp.xml"),
        "--redirect-uri",
        "https://app.acme.test/cb",
        "--jit",
      ],
      { service },
    );
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.match(fromFile.stderr, /created SAML provider "adfs"; register the SP entity ID and ACS URL at the IdP/);
    assert.match(fromFile.stdout, /IdP entity ID +urn:acme:idp/);
    assert.match(fromFile.stdout, new RegExp(`ACS URL +\\S+/api/v1/saml/${orgId}/adfs/acs`));
    const fromValues = json<{ idpEntityId: string; clockSkewSeconds: number }>(
      await cli(
        [
          ...["saml-providers", "put", orgId, "google", "--entity-id", "urn:google", "--sso-url", "https://idp.acme.test/sso"],
          ...["--certificate-file", join(dir, "idp.pem"), "--redirect-uri", "https://app.acme.test/cb", "--clock-skew", "30", "--json"],
        ],
        { service },
      ),
    );
    assert.deepEqual([fromValues.idpEntityId, fromValues.clockSkewSeconds], ["urn:google", 30]);

    const listed = json<{ providerName: string }[]>(await cli(["saml-providers", "list", orgId, "--json"], { service }));
    assert.deepEqual(
      listed.map((p) => p.providerName),
      ["adfs", "google"],
    );
    const shown = await cli(["saml-providers", "get", orgId, "google"], { service });
    assert.match(shown.stdout, /IdP certificates +[0-9A-F:]{95} \(until /);
    const doctor = await cli(["saml-providers", "doctor", orgId, "google"], { service });
    assert.equal(doctor.code, 0, doctor.stderr);
    assert.match(doctor.stdout, /certificate +pass/);
    const presets = await cli(["saml-providers", "presets"], { service });
    assert.match(presets.stdout, /Microsoft Entra ID \(entra-id\)/);

    const badSkew = await cli(["saml-providers", "put", orgId, "x", "--clock-skew", "soon"], { service });
    assert.equal(badSkew.code, 2);
    const missingFile = await cli(["saml-providers", "put", orgId, "x", "--metadata-file", join(dir, "nope.xml")], { service });
    assert.equal(missingFile.code, 2);
    assert.match(missingFile.stderr, /cannot read --metadata-file .*nope\.xml \(ENOENT\)/);
    const refused = await cli(["saml-providers", "put", orgId, "x", "--redirect-uri", "https://app.acme.test/cb"], { service });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /INVALID_PROVIDER_SETTINGS/);

    assert.equal((await cli(["saml-providers", "delete", orgId, "adfs"], { service })).code, 0);
    assert.equal((await cli(["saml-providers", "get", orgId, "adfs"], { service })).code, 1);
  });
});
