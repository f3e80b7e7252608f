import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test, type TestContext } from "node:test";
import pg from "pg";
import { ownPostgresSchema } from "../support/postgres-schema.ts";
import { assertAuthError, jsonClient } from "../support/service.ts";
import { CLIENT_SECRET, REDIRECT_URI } from "../support/sign-in-fixture.ts";
import { freePort, spawnService, temporaryDataDir } from "../support/spawned-service.ts";
import { startTestProvider, type TestProvider, type TestUser } from "../support/test-provider.ts";

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
// In CI both are set (.ci/run): there the test must run, and fails loudly if they are missing.
const skip =
  (!databaseUrl || !redisUrl) && !process.env.CI
    ? "not applicable: TEST_DATABASE_URL and TEST_REDIS_URL are not set (CI sets them)"
    : false;

const LOCKOUT_THRESHOLD = 5;
const DOMAIN = "acme.test";
type Body = Record<string, unknown>;
type Instance = ReturnType<typeof jsonClient> & { readonly name: string };
const errorOf = (r: { body: unknown }) => (r.body as { error?: string }).error;

const people: TestUser[] = [
  { sub: "alice-sub", email: `alice@${DOMAIN}`, email_verified: true, name: "Alice" },
  { sub: "newcomer-sub", email: `newcomer@${DOMAIN}`, email_verified: true, name: "Newcomer" },
];

/**
 * Two service processes as a deployment runs them: each its own DATA_DIR (its own machine), one
 * PostgreSQL database, one Redis, and the same ENCRYPTION_KEY, ADMIN_TOKEN and PUBLIC_URL.
 */
async function twoInstances(t: TestContext): Promise<{ a: Instance; b: Instance; database: string }> {
  const database = await ownPostgresSchema(t, databaseUrl!);
  const adminToken = randomBytes(24).toString("hex");
  const shared = {
    DATABASE_URL: database,
    REDIS_URL: redisUrl!,
    ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    ADMIN_TOKEN: adminToken,
    // The load balancer's address: the issuer of both instances' tokens.
    PUBLIC_URL: `http://127.0.0.1:${await freePort()}`,
    LOCKOUT_THRESHOLD: String(LOCKOUT_THRESHOLD),
    ALLOW_INSECURE_LOOPBACK_PROVIDERS: "true",
    DEMO: "off",
    PORT: "0",
  };
  // Started together: the migration lock lets one of them migrate the fresh database.
  const spawned = [
    spawnService(t, { ...shared, DATA_DIR: temporaryDataDir(t) }),
    spawnService(t, { ...shared, DATA_DIR: temporaryDataDir(t) }),
  ];
  const [a, b] = await Promise.all(
    spawned.map(async (service, i) => {
      const [, url] = await service.waitFor(/listening on (http:\/\/\S+)/);
      return { name: i === 0 ? "A" : "B", ...jsonClient(url!, adminToken) };
    }),
  );
  return { a: a!, b: b!, database };
}

/** One organisation, its provider (a real oidc-provider) configured through B and the organisation created through A. */
async function organisationWithProvider(a: Instance, b: Instance, provider: TestProvider): Promise<string> {
  const org = await a.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: [DOMAIN] });
  assert.equal(org.status, 201, org.text);
  const put = await b.admin("PUT", `/api/v1/orgs/${org.body.id}/oauth-providers/acme-idp`, {
    clientId: "pipeshub-app",
    clientSecret: CLIENT_SECRET,
    issuer: provider.issuer,
    redirectUris: [REDIRECT_URI],
    enableJit: true,
  });
  assert.equal(put.status, 201, put.text);
  return org.body.id;
}

async function initAuth(instance: Instance, email: string): Promise<string> {
  const response = await instance.request("POST", "/userAccount/initAuth", { email });
  assert.equal(response.status, 200, response.text);
  return response.headers.get("x-session-token")!;
}

const authenticate = (instance: Instance, session: string, credentials: Body) =>
  instance.request<Body>("POST", "/userAccount/authenticate", { method: "oauth", credentials }, { "x-session-token": session });

const refresh = (instance: Instance, refreshToken: string) =>
  instance.request<{ accessToken: string; refreshToken: string }>("POST", "/userAccount/refresh/token", undefined, {
    authorization: `Bearer ${refreshToken}`,
  });

async function query<R extends pg.QueryResultRow>(database: string, text: string, values: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

test("two service processes on one PostgreSQL and one Redis behave as one service", { skip, timeout: 300_000 }, async (t) => {
  const provider = await startTestProvider({
    clients: [{ client_id: "pipeshub-app", client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }],
    users: people,
  });
  t.after(() => provider.close());
  const { a, b, database } = await twoInstances(t);
  const orgId = await organisationWithProvider(a, b, provider);
  const alice = people[0]!;
  let signedIn: { accessToken: string; refreshToken: string } | undefined;

  await t.test(
    "a sign-in started on A (initAuth, authorize) is finished on B (exchange, authenticate); its state then is refused on A",
    async () => {
      const session = await initAuth(a, alice.email);
      const query = new URLSearchParams({ provider: "acme-idp", email: alice.email, redirectUri: REDIRECT_URI });
      const started = await a.request<{ authorizationUrl: string; state: string }>(
        "GET",
        `/userAccount/oauth/authorize?${query}`,
        undefined,
        {
          "x-session-token": session,
        },
      );
      assert.equal(started.status, 200, started.text);
      const callback = await provider.authorize({
        authorizationUrl: started.body.authorizationUrl,
        login: alice.sub,
        clientId: "",
        redirectUri: "",
      });
      assert.ok("code" in callback, JSON.stringify(callback));
      assert.equal(callback.state, started.body.state);
      const exchange = {
        code: callback.code,
        email: alice.email,
        provider: "acme-idp",
        redirectUri: REDIRECT_URI,
        state: started.body.state,
      };
      const onB = await b.request<{ access_token: string; id_token: string }>("POST", "/userAccount/oauth/exchange", exchange, {
        "x-session-token": session,
      });
      assert.equal(onB.status, 200, onB.text);
      // The state was consumed once, on B: A refuses it afterwards, and so does B.
      for (const instance of [a, b]) {
        const replay = await instance.request("POST", "/userAccount/oauth/exchange", exchange, { "x-session-token": session });
        assertAuthError(replay, 400, "INVALID_STATE");
      }
      const final = await authenticate(b, session, { accessToken: onB.body.access_token, idToken: onB.body.id_token });
      assert.equal(final.status, 200, final.text);
      signedIn = final.body as { accessToken: string; refreshToken: string };
      // The session ended on B is ended on A too.
      assertAuthError(await authenticate(a, session, { accessToken: onB.body.access_token }), 404, "SESSION_EXPIRED");
    },
  );

  await t.test("a refresh token used on A and then again on B is reuse: refused, and the whole family is revoked", async () => {
    assert.ok(signedIn, "needs the sign-in above");
    const onA = await refresh(a, signedIn.refreshToken);
    assert.equal(onA.status, 200, onA.text);
    assertAuthError(await refresh(b, signedIn.refreshToken), 401, "INVALID_TOKEN");
    // The family ended: the newest refresh token, issued by A, is refused on A and on B.
    assertAuthError(await refresh(a, onA.body.refreshToken), 401, "INVALID_TOKEN");
    assertAuthError(await refresh(b, onA.body.refreshToken), 401, "INVALID_TOKEN");
    const families = await query<{ revoked_reason: string | null }>(
      database,
      "select f.revoked_reason from refresh_token_families f join users u on u.id = f.user_id where u.org_id = $1",
      [orgId],
    );
    assert.deepEqual(
      families.map((f) => f.revoked_reason),
      ["reuse"],
    );
  });

  await t.test(`failures spread over A and B block the account at exactly LOCKOUT_THRESHOLD (${LOCKOUT_THRESHOLD})`, async () => {
    const email = `bob@${DOMAIN}`;
    const session = await initAuth(a, email);
    for (let attempt = 1; attempt <= LOCKOUT_THRESHOLD; attempt++) {
      const instance = attempt % 2 === 1 ? a : b;
      const response = await authenticate(instance, session, { accessToken: "a", idToken: "not.a.jwt" });
      assert.equal(errorOf(response), "INVALID_ID_TOKEN", `attempt ${attempt} on ${instance.name}: ${response.text}`);
    }
    for (const instance of [a, b]) {
      assertAuthError(await authenticate(instance, session, { accessToken: "a", idToken: "not.a.jwt" }), 400, "ACCOUNT_BLOCKED");
    }
  });

  await t.test("40 concurrent failures spread over A and B: exactly LOCKOUT_THRESHOLD are judged, the rest ACCOUNT_BLOCKED", async () => {
    const email = `carol@${DOMAIN}`;
    const session = await initAuth(b, email);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => authenticate(i % 2 === 0 ? a : b, session, { accessToken: "a", idToken: "not.a.jwt" })),
    );
    assert.deepEqual(
      answers.filter((r) => errorOf(r) !== "ACCOUNT_BLOCKED").map(errorOf),
      Array(LOCKOUT_THRESHOLD).fill("INVALID_ID_TOKEN"),
    );
  });

  await t.test("20 concurrent first sign-ins of one new user, half on A and half on B: all 200, one user, one link", async () => {
    const newcomer = people[1]!;
    const codes: string[] = [];
    // The provider's logins are many round-trips each: fetched a few at a time, then redeemed all at once.
    while (codes.length < 20) {
      const batch = await Promise.all(
        Array.from({ length: 5 }, () => provider.authorize({ clientId: "pipeshub-app", redirectUri: REDIRECT_URI, login: newcomer.sub })),
      );
      for (const result of batch) {
        assert.ok("code" in result, JSON.stringify(result));
        codes.push(result.code);
      }
    }
    const answers = await Promise.all(
      codes.map((code, i) =>
        (i % 2 === 0 ? a : b).request("POST", "/userAccount/oauth/exchange", {
          code,
          email: newcomer.email,
          provider: "acme-idp",
          redirectUri: REDIRECT_URI,
        }),
      ),
    );
    assert.deepEqual(
      answers.filter((r) => r.status !== 200).map((r) => r.text),
      [],
    );
    const users = await query<{ id: string }>(database, "select id from users where org_id = $1 and email_lower = $2", [
      orgId,
      newcomer.email,
    ]);
    assert.equal(users.length, 1, "one user");
    const links = await query<{ user_id: string }>(database, "select user_id from identity_links where org_id = $1 and subject = $2", [
      orgId,
      newcomer.sub,
    ]);
    assert.deepEqual(
      links.map((l) => l.user_id),
      [users[0]!.id],
      "one link, to that user",
    );
  });
});
