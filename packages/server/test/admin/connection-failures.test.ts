/**
 * No network map for delegated admins or the public: a provider pointed at a closed port, at a
 * port that accepts and never answers, and at one that speaks no TLS reads the same to an
 * organisation admin, a setup-link session and initAuth's caller — 502 PROVIDER_UNAVAILABLE
 * "could not connect to the provider" — while the operator still reads each cause.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, test, type TestContext } from "node:test";
import type { Config } from "../../src/config.ts";
import { parseProviderNetworkAllowList } from "../../src/domain/provider-network.ts";
import { ownPostgresSchema } from "../support/postgres-schema.ts";
import { closedPortUrl, listen, startJsonServer } from "../support/faulty-servers.ts";
import { type JsonResponse, requestAs } from "../support/service.ts";
import { acmeAndInitech, alice, REDIRECT_URI, signIn, type SignInFixture } from "../support/sign-in-fixture.ts";

/** The three ways a port can fail to be a provider, as https issuers on loopback (PROVIDER_NETWORK_ALLOW lets loopback through). */
async function unreachableIssuers(t: TestContext): Promise<Record<string, string>> {
  // Accepts connections and never says a word: not even a TLS alert.
  const silent = await listen(createServer(() => {}));
  t.after(() => silent.close());
  const plainHttp = await startJsonServer(() => ({ status: 200, body: {} }));
  t.after(() => plainHttp.close());
  return {
    closed: (await closedPortUrl()).replace("http:", "https:"),
    silent: silent.url.replace("http:", "https:"),
    "no-tls": plainHttp.url.replace("http:", "https:"),
  };
}

const postgresUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;

async function setUp(t: TestContext, backends: "SQLite" | "PostgreSQL + Redis") {
  const allow = parseProviderNetworkAllowList("127.0.0.0/8");
  assert.ok(allow.ok);
  const shared: Partial<Config> =
    backends === "SQLite" ? {} : { database: { kind: "postgres", url: await ownPostgresSchema(t, postgresUrl!) }, redisUrl: redisUrl! };
  const { f } = await acmeAndInitech(t, { outboundTimeoutMs: 400, providerNetworkAllow: allow.value, ...shared });
  const issuers = await unreachableIssuers(t);
  for (const [name, issuer] of Object.entries(issuers)) {
    const put = await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/oauth-providers/${name}`, {
      clientId: "c",
      clientSecret: "s3cret-value-0123",
      issuer,
      redirectUris: [REDIRECT_URI],
    });
    assert.equal(put.status, 201, put.text);
    // A sign-in through it, for its health and the audit trail.
    const exchanged = await f.exchange({ code: "c", email: alice.email, provider: name });
    assert.ok(exchanged.status === 502 || exchanged.status === 504, exchanged.text);
  }
  return { f, issuers };
}

type Caller = (method: string, path: string, body?: unknown) => Promise<JsonResponse>;

/** Everything a caller reads about provider `name`, with the provider's own name and URL taken out. */
async function whatTheyRead(f: SignInFixture, as: Caller, name: string, issuer: string) {
  const provider = `/api/v1/orgs/${f.orgId}/oauth-providers/${name}`;
  const audit = await as("GET", `/api/v1/orgs/${f.orgId}/audit?provider=${name}&event=oauth.exchange`);
  const health = await as("GET", `${provider}/health`);
  const read = {
    doctor: (await as("POST", `${provider}/doctor`)).body,
    test: await answer(as("POST", `${provider}/test`)),
    testSignIn: await answer(as("POST", `${provider}/test-signin`, {})),
    health: { failures: health.body.failures, lastFailure: { ...(health.body.lastFailure as object), at: "-" } },
    audit: (audit.body.records as Record<string, unknown>[]).map(({ error, reason, fix }) => ({ error, reason, fix })),
  };
  const text = JSON.stringify(read)
    .replaceAll(new URL(issuer).host, "<host>")
    .replaceAll(`/${name}`, "/<name>")
    .replaceAll(`\\"${name}\\"`, '\\"<name>\\"');
  return JSON.parse(text);
}

async function answer(response: Promise<JsonResponse>) {
  const { status, body } = await response;
  return { status, body };
}

for (const backends of ["SQLite", "PostgreSQL + Redis"] as const) {
  describe(
    `a failure to connect to a provider, as anyone but the operator reads it (${backends})`,
    {
      timeout: 120_000,
      skip: backends !== "SQLite" && !(postgresUrl && redisUrl) ? "TEST_DATABASE_URL and TEST_REDIS_URL are not set (CI sets them)" : false,
    },
    () => {
      test("an organisation admin and a setup link read the same for a closed port, a silent one and one without TLS: doctor, test, test sign-in, health, audit", async (t) => {
        const { f, issuers } = await setUp(t, backends);
        const { accessToken } = await signIn(f, alice);
        const link = await f.service.admin<{ token: string }>("POST", `/api/v1/orgs/${f.orgId}/setup-links`, {});
        const session = await f.service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
        const delegated: Record<string, Caller> = {
          "org admin": (method, path, body) => requestAs(f.service, accessToken, method, path, body),
          "setup link": (method, path, body) => requestAs(f.service, session.body.sessionToken, method, path, body),
        };
        for (const [who, as] of Object.entries(delegated)) {
          const [closed, silent, noTls] = await Promise.all(
            Object.entries(issuers).map(([name, issuer]) => whatTheyRead(f, as, name, issuer)),
          );
          assert.deepEqual(silent, closed, `${who}: a silent port reads as a closed one`);
          assert.deepEqual(noTls, closed, `${who}: a port without TLS reads as a closed one`);
          // And what they read is the one answer, with no cause in it.
          assert.deepEqual(closed.test, {
            status: 502,
            body: {
              error: "PROVIDER_UNAVAILABLE",
              message: "Could not connect to the provider.",
              code: "HTTP_BAD_GATEWAY",
              statusCode: 502,
            },
          });
          assert.deepEqual(closed.testSignIn, closed.test);
          const [discovery] = closed.doctor.findings as { check: string; status: string; message: string }[];
          assert.equal(discovery?.check, "discovery");
          assert.equal(
            discovery?.message,
            "The discovery document at https://<host>/.well-known/openid-configuration could not be fetched: could not connect to the provider.",
          );
          assert.deepEqual(closed.health.failures, { PROVIDER_UNAVAILABLE: 1 });
          assert.equal(closed.health.lastFailure.reason, "PROVIDER_UNAVAILABLE");
          assert.deepEqual(
            closed.audit.map((r: { error: string }) => r.error),
            ["PROVIDER_UNAVAILABLE"],
          );
          assert.doesNotMatch(
            JSON.stringify([closed, silent, noTls]),
            /ECONN|EPROTO|did not answer|within \d+ ms|TLS|SSL|PROVIDER_TIMEOUT/i,
          );
        }
      });

      test("the operator reads each cause: refused, timed out, no TLS", async (t) => {
        const { f, issuers } = await setUp(t, backends);
        const operator: Caller = (method, path, body) => f.service.admin(method, path, body);
        const [closed, silent, noTls] = await Promise.all(
          Object.entries(issuers).map(([name, issuer]) => whatTheyRead(f, operator, name, issuer)),
        );
        const discovery = (read: { doctor: { findings: { message: string }[] } }) => read.doctor.findings[0]!.message;
        assert.match(discovery(closed), /could not be reached \(ECONNREFUSED\)/);
        assert.match(discovery(silent), /did not answer within 400 ms/);
        assert.match(discovery(noTls), /could not be reached \(E[A-Z_]+\)/);
        assert.notEqual(discovery(noTls), discovery(closed));
        assert.equal(silent.test.status, 504);
        assert.equal(silent.test.body.error, "PROVIDER_TIMEOUT");
        assert.equal(closed.test.body.error, "PROVIDER_UNAVAILABLE");
        assert.deepEqual(silent.health.failures, { PROVIDER_TIMEOUT: 1 });
        assert.deepEqual(
          silent.audit.map((r: { error: string }) => r.error),
          ["PROVIDER_TIMEOUT"],
        );
      });

      test("initAuth's unavailable providers: the same entry for all three, no cause", async (t) => {
        const { f } = await setUp(t, backends);
        const init = await f.service.request<{ unavailableProviders?: { providerName: string }[] }>("POST", "/userAccount/initAuth", {
          email: alice.email,
        });
        assert.equal(init.status, 200, init.text);
        assert.deepEqual(
          init.body.unavailableProviders?.map(({ providerName, ...rest }) => [providerName, rest]),
          ["closed", "no-tls", "silent"].map((name) => [
            name,
            { error: "PROVIDER_UNAVAILABLE", message: "Could not connect to the provider." },
          ]),
          // The whole answer, so a failure under load says what initAuth saw.
          init.text,
        );
      });
    },
  );
}
