/**
 * Issue #18's "Done when", on two service processes over one PostgreSQL and one Redis: a delegated
 * admin cannot take over accounts, a stored secret goes only where it was given, console sessions
 * end with the admin token, admin writes are on the record, a frozen Redis costs one deadline and
 * a second process on a data folder stops. The same rules on one in-process instance, case by
 * case, are in test/signin/link-trust.test.ts, test/admin/*.test.ts, test/faults and
 * test/second-start.test.ts.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { LOCK_FILE } from "../../src/data-dir-lock.ts";
import { ownPostgresSchema } from "../support/postgres-schema.ts";
import { type AuditEntry, assertAuthError, bearer, jsonClient } from "../support/service.ts";
import { alice, CLIENT_SECRET, REDIRECT_URI } from "../support/sign-in-fixture.ts";
import { type SpawnedService, freePort, spawnService, temporaryDataDir } from "../support/spawned-service.ts";
import { startSplitOriginProvider } from "../support/split-origin-provider.ts";
import { startTestProvider, type TestProvider, type TestUser } from "../support/test-provider.ts";
import { redisMissing, startThrowawayRedis } from "../support/throwaway-backends.ts";

const databaseUrl = process.env.TEST_DATABASE_URL;
// As test/multi-instance/multi-instance.test.ts: in CI (.ci/run) PostgreSQL and Redis are there and the test must run.
// Its Redis is one of its own (a redis-server on a free port), since the last step freezes it.
const skip =
  (!databaseUrl || !process.env.TEST_REDIS_URL) && !process.env.CI
    ? "not applicable: TEST_DATABASE_URL and TEST_REDIS_URL are not set (CI sets them)"
    : redisMissing;

const REDIS_TIMEOUT_MS = 1000;
const dave: TestUser = { sub: "dave-sub", email: "dave@acme.test", email_verified: true, name: "Dave" };
/** Whoever adds `evil` runs it: it asserts anyone's email, verified. */
const evilUsers: TestUser[] = [
  { sub: "x-dave", email: dave.email, email_verified: true },
  { sub: "x-alice", email: alice.email, email_verified: true },
  { sub: "x-newbie", email: "newbie@acme.test", email_verified: true },
];
const asEvil = (sub: string) => evilUsers.find((u) => u.sub === sub)!;

type Instance = ReturnType<typeof jsonClient> & { readonly url: string; readonly process: SpawnedService; readonly env: Env };
type Env = Record<string, string> & { DATA_DIR: string };

async function launch(t: TestContext, env: Env, adminToken: string): Promise<Instance> {
  const spawned = spawnService(t, env);
  const [, url] = await spawned.waitFor(/listening on (http:\/\/\S+)/);
  return { url: url!, process: spawned, env, ...jsonClient(url!, adminToken) };
}

/** Stops `instance` and starts it again, on its data folder, with ADMIN_TOKEN `adminToken`. */
async function restartWith(t: TestContext, instance: Instance, adminToken: string): Promise<Instance> {
  assert.equal(await instance.process.stop(), 0);
  return launch(t, { ...instance.env, ADMIN_TOKEN: adminToken }, adminToken);
}

/**
 * A deployment: A keeps ENCRYPTION_KEY in its data folder (so it holds the folder's lock), B is
 * given it; one PostgreSQL database, one Redis, one ADMIN_TOKEN and one public URL.
 */
async function deployment(t: TestContext) {
  const redis = await startThrowawayRedis();
  t.after(() => redis.destroy());
  const encryptionKey = randomBytes(32).toString("hex");
  const adminToken = randomBytes(24).toString("hex");
  const shared = {
    DATABASE_URL: await ownPostgresSchema(t, databaseUrl!),
    REDIS_URL: redis.url,
    REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
    ADMIN_TOKEN: adminToken,
    PUBLIC_URL: `http://127.0.0.1:${await freePort()}`,
    ALLOW_INSECURE_LOOPBACK_PROVIDERS: "true",
    DEMO: "off",
    PORT: "0",
  };
  const aDir = temporaryDataDir(t);
  writeFileSync(join(aDir, "encryption.key"), `${encryptionKey}\n`, { mode: 0o600 });
  // Started together: the migration lock lets one of them migrate the fresh database.
  const [a, b] = await Promise.all([
    launch(t, { ...shared, DATA_DIR: aDir }, adminToken),
    launch(t, { ...shared, ENCRYPTION_KEY: encryptionKey, DATA_DIR: temporaryDataDir(t) }, adminToken),
  ]);
  return { a: a!, b: b!, redis };
}

/** initAuth and authorize on `start`, the provider's login, exchange on `finish`, authenticate on `start`. */
async function signInAcross(start: Instance, finish: Instance, provider: TestProvider, providerName: string, user: TestUser) {
  const init = await start.request("POST", "/userAccount/initAuth", { email: user.email });
  assert.equal(init.status, 200, init.text);
  const session = { "x-session-token": init.headers.get("x-session-token")! };
  const query = new URLSearchParams({ provider: providerName, email: user.email, redirectUri: REDIRECT_URI });
  const started = await start.request<{ authorizationUrl: string; state: string }>(
    "GET",
    `/userAccount/oauth/authorize?${query}`,
    undefined,
    session,
  );
  assert.equal(started.status, 200, started.text);
  const callback = await provider.authorize({
    authorizationUrl: started.body.authorizationUrl,
    login: user.sub,
    clientId: "",
    redirectUri: "",
  });
  assert.ok("code" in callback, JSON.stringify(callback));
  const exchanged = await finish.request<{ access_token: string; id_token: string }>(
    "POST",
    "/userAccount/oauth/exchange",
    { code: callback.code, state: started.body.state, email: user.email, provider: providerName, redirectUri: REDIRECT_URI },
    session,
  );
  if (exchanged.status !== 200) return { exchanged };
  const credentials = { accessToken: exchanged.body.access_token, idToken: exchanged.body.id_token };
  const body = { method: "oauth", credentials };
  const final = await start.request<{ accessToken: string }>("POST", "/userAccount/authenticate", body, session);
  assert.equal(final.status, 200, final.text);
  return { exchanged, accessToken: final.body.accessToken };
}

test("issue #18's check: delegated administration on two instances over PostgreSQL + Redis", { skip, timeout: 120_000 }, async (t) => {
  const acme = await startTestProvider({
    clients: [{ client_id: "pipeshub-app", client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }],
    users: [alice, dave],
  });
  const evil = await startTestProvider({
    clients: [{ client_id: "evil-app", client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }],
    users: evilUsers,
  });
  t.after(() => Promise.all([acme.close(), evil.close()]));
  const { redis, ...started } = await deployment(t);
  let { a, b } = started;

  // Acme (operator, on A and B): its provider, alice made its admin before her first sign-in; dave joins just in time.
  const org = await a.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
  const orgPath = `/api/v1/orgs/${org.body.id}`;
  const acmeSettings = {
    clientId: "pipeshub-app",
    clientSecret: CLIENT_SECRET,
    issuer: acme.issuer,
    redirectUris: [REDIRECT_URI],
    enableJit: true,
  };
  assert.equal((await b.admin("PUT", `${orgPath}/oauth-providers/acme-idp`, acmeSettings)).status, 201);
  const aliceId = (await a.admin<{ id: string }>("POST", `${orgPath}/users`, { email: alice.email, role: "admin" })).body.id;
  const aliceToken = (await signInAcross(a, b, acme, "acme-idp", alice)).accessToken!;
  assert.ok((await signInAcross(b, a, acme, "acme-idp", dave)).accessToken);
  const daveId = (await a.admin<{ id: string }[]>("GET", `${orgPath}/users?email=${dave.email}`)).body[0]!.id;
  const identitiesOf = async (userId: string) =>
    (await b.admin<{ provider: string }[]>("GET", `${orgPath}/users/${userId}/identities`)).body.map((i) => i.provider);
  const asAlice = (on: Instance, method: string, path: string, body?: unknown) =>
    on.request(method, orgPath + path, body, bearer(aliceToken));
  const evilSettings = { ...acmeSettings, clientId: "evil-app", issuer: evil.issuer };

  await t.test(
    "alice, the organisation's admin, adds `evil` asserting dave's email: 401 LINK_NOT_ALLOWED, audited, no link; a newcomer signs up through it",
    async () => {
      const saved = await asAlice(b, "PUT", "/oauth-providers/evil", evilSettings);
      assert.equal(saved.status, 201, saved.text);
      assert.deepEqual([saved.body.identitySettingsSavedBy, saved.body.linkExistingUsers], ["delegated", false]);

      assertAuthError((await signInAcross(a, b, evil, "evil", asEvil("x-dave"))).exchanged, 401, "LINK_NOT_ALLOWED");
      assertAuthError((await signInAcross(b, a, evil, "evil", asEvil("x-alice"))).exchanged, 401, "LINK_NOT_ALLOWED");
      assert.deepEqual(await identitiesOf(daveId), ["acme-idp"]);
      assert.deepEqual(await identitiesOf(aliceId), ["acme-idp"]);
      const exchanges = await a.admin<{ records: AuditEntry[] }>("GET", `${orgPath}/audit?event=oauth.exchange&limit=50`);
      assert.deepEqual(
        exchanges.body.records.filter((r) => r.provider === "evil").map((r) => [r.email, r.outcome, r.error]),
        [
          [alice.email, "failure", "LINK_NOT_ALLOWED"],
          [dave.email, "failure", "LINK_NOT_ALLOWED"],
        ],
      );
      assert.ok((await signInAcross(a, b, evil, "evil", asEvil("x-newbie"))).accessToken, "JIT still signs a brand-new user in");
    },
  );

  await t.test("with linkExistingUsers set by the operator, dave (a member) moves to `evil`; alice (an admin) still does not", async () => {
    assertAuthError(await asAlice(a, "PUT", "/oauth-providers/evil", { ...evilSettings, linkExistingUsers: true }), 403, "FORBIDDEN");
    const trusted = await a.admin("PUT", `${orgPath}/oauth-providers/evil`, { ...evilSettings, linkExistingUsers: true });
    assert.equal(trusted.status, 200, trusted.text);
    assert.ok((await signInAcross(b, a, evil, "evil", asEvil("x-dave"))).accessToken);
    assert.deepEqual(await identitiesOf(daveId), ["acme-idp", "evil"]);
    assertAuthError((await signInAcross(a, b, evil, "evil", asEvil("x-alice"))).exchanged, 401, "LINK_NOT_ALLOWED");
    assert.deepEqual(await identitiesOf(aliceId), ["acme-idp"]);
  });

  await t.test(
    "admin writes are on the record with actor, action and fields, read from either instance; alice's reads are not",
    async () => {
      for (const [on, path] of [
        [a, ""],
        [b, "/oauth-providers"],
        [a, "/oauth-providers/evil/health"],
        [b, "/events"],
        [a, "/audit"],
      ] as const)
        assert.equal((await asAlice(on, "GET", path)).status, 200, path);
      assertAuthError(await asAlice(b, "GET", `/users/${daveId}/identities`), 403, "FORBIDDEN");
      const page = await b.admin<{ records: AuditEntry[] }>("GET", `${orgPath}/audit?limit=200`);
      const writes = page.body.records
        .filter((r) => r.outcome === "success" && (r.actor === "operator" || r.actor?.startsWith("org-admin:")))
        .reverse();
      assert.deepEqual(
        writes.map((r) => `${r.event} ${r.actor} ${r.provider ?? "-"}`),
        [
          "org.created operator -",
          "provider.created operator acme-idp",
          "user.created operator -",
          `provider.created org-admin:${aliceId} evil`,
          "provider.updated operator evil",
        ],
      );
      const changes = (r: AuditEntry) =>
        (r.changes ?? []).map((c) =>
          "changed" in c ? `${c.field} changed` : `${c.field}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`,
        );
      assert.ok(
        changes(writes[3]!).includes(`issuer: null → ${JSON.stringify(evil.issuer)}`) &&
          changes(writes[3]!).includes("clientSecret changed"),
      );
      assert.ok(changes(writes[4]!).includes("linkExistingUsers: false → true"), JSON.stringify(writes[4]));
      assert.ok(!page.text.includes(CLIENT_SECRET), "a secret only as changed");
    },
  );

  await t.test(
    "moving acme-idp to another host without a new secret is 400 INVALID_PROVIDER_SETTINGS; that host receives no credential through doctor, test or sign-in",
    async (t) => {
      const other = await startSplitOriginProvider({ clientId: "pipeshub-app", clientSecret: "0ther-Host-Secret-Value-91ad3" });
      t.after(() => other.close());
      const { clientSecret: _kept, ...moved } = { ...acmeSettings, issuer: other.issuer };
      assert.match(
        assertAuthError(await asAlice(b, "PUT", "/oauth-providers/acme-idp", moved), 400, "INVALID_PROVIDER_SETTINGS").message,
        /^clientSecret is required/,
      );
      assert.match(
        assertAuthError(await a.admin("PUT", `${orgPath}/oauth-providers/acme-idp`, moved), 400, "INVALID_PROVIDER_SETTINGS").message,
        /^clientSecret is required/,
      );
      assert.equal((await asAlice(a, "POST", "/oauth-providers/acme-idp/doctor")).status, 200);
      assert.equal((await b.admin("POST", `${orgPath}/oauth-providers/acme-idp/test`)).status, 200);
      assert.ok((await signInAcross(a, b, acme, "acme-idp", dave)).accessToken);
      assert.deepEqual(other.credentialsReceived, [], "the other host never saw the secret");
    },
  );

  // The restarted instances belong to the whole test (`t`), not to this step.
  await t.test("an operator console cookie is 401 once the instances restart with a new ADMIN_TOKEN", async () => {
    const console_ = async (on: Instance, token: string) => {
      const opened = await on.request("POST", "/admin/session", { token });
      assert.equal(opened.status, 204, opened.text);
      return { cookie: opened.headers.get("set-cookie")!.split(";")[0]!, "x-pipeshub-console": "1" };
    };
    const old = await console_(a, a.env.ADMIN_TOKEN!);
    assert.equal((await b.request("GET", "/api/v1/orgs", undefined, old)).status, 200, "one session for every instance");
    const newToken = randomBytes(24).toString("hex");
    // A rolling restart: B first, then A (whose data folder lock is its own again).
    b = await restartWith(t, b, newToken);
    assertAuthError(await b.request("GET", "/api/v1/orgs", undefined, old), 401, "UNAUTHORIZED");
    a = await restartWith(t, a, newToken);
    assertAuthError(await a.request("GET", "/api/v1/orgs", undefined, old), 401, "UNAUTHORIZED");
    assertAuthError(await a.request("GET", "/admin/session", undefined, { cookie: old.cookie }), 401, "UNAUTHORIZED");
    const fresh = await console_(b, newToken);
    assert.equal((await a.request("GET", "/api/v1/orgs", undefined, fresh)).status, 200);
  });

  await t.test("a second start on A's data folder and another port exits 1 at once with one line naming A; A still signs in", async (t) => {
    const holder = JSON.parse(readFileSync(join(a.env.DATA_DIR, LOCK_FILE), "utf8")) as { pid: number; port: number };
    const second = spawnService(t, { ...a.env, PORT: String(await freePort()) });
    // A start that went on (no lock) would be killed after 10 s, and not exit 1.
    const tooLate = setTimeout(() => second.kill("SIGKILL"), 10_000);
    const code = await second.exited();
    clearTimeout(tooLate);
    assert.equal(code, 1, `stdout: ${second.out()} stderr: ${second.err()}`);
    assert.equal(
      second.err(),
      `pipeshub-auth: DATA_DIR ${a.env.DATA_DIR} is in use by pipeshub-auth process ${holder.pid}, serving port ${new URL(a.url).port} — one process per data folder: stop that one, or give this one another DATA_DIR\n`,
    );
    assert.ok((await signInAcross(a, a, acme, "acme-idp", dave)).accessToken);
    assert.ok((await signInAcross(b, a, acme, "acme-idp", alice)).accessToken);
  });

  await t.test(
    `with Redis frozen (SIGSTOP), initAuth answers 503 within REDIS_TIMEOUT_MS + 500 ms (${REDIS_TIMEOUT_MS + 500} ms) on A and on B`,
    async (t) => {
      redis.freeze();
      t.after(() => redis.thaw());
      for (const [name, instance] of [
        ["A", a],
        ["B", b],
      ] as const) {
        const started = Date.now();
        const answer = await instance.request("POST", "/userAccount/initAuth", { email: dave.email });
        const ms = Date.now() - started;
        assertAuthError(answer, 503, "SERVICE_UNAVAILABLE");
        t.diagnostic(`${name}: initAuth 503 after ${ms} ms`);
        assert.ok(ms < REDIS_TIMEOUT_MS + 500, `${name} answered after ${ms} ms`);
      }
    },
  );
});
