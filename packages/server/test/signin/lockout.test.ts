import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import type { Config } from "../../src/config.ts";
import { startHangingServer, startJsonServer } from "../support/faulty-servers.ts";
import type { RunningService } from "../support/service.ts";
import { ownPostgresSchema } from "../support/postgres-schema.ts";
import { alice, signInFixture } from "../support/sign-in-fixture.ts";

type Body = Record<string, unknown>;
const errorOf = (r: { body: unknown }) => (r.body as { error?: string }).error;
const redisUrl = process.env.TEST_REDIS_URL;
const postgresUrl = process.env.TEST_DATABASE_URL;

async function session(service: RunningService): Promise<string> {
  const response = await service.request("POST", "/userAccount/initAuth", { email: alice.email });
  assert.equal(response.status, 200, response.text);
  return response.headers.get("x-session-token")!;
}

const authenticate = (service: RunningService, token: string, credentials: Body) =>
  service.request<Body>("POST", "/userAccount/authenticate", { method: "oauth", credentials }, { "x-session-token": token });

async function concurrentFailures(t: TestContext, config: Partial<Config>) {
  const f = await signInFixture(t, { config });
  const token = await session(f.service);
  const answers = await Promise.all(
    Array.from({ length: 100 }, () => authenticate(f.service, token, { accessToken: "a", idToken: "not.a.jwt" })),
  );
  const judged = answers.filter((r) => errorOf(r) !== "ACCOUNT_BLOCKED");
  assert.deepEqual(judged.map(errorOf), Array(5).fill("INVALID_ID_TOKEN"), "exactly the threshold is judged");
  assert.equal(answers.filter((r) => errorOf(r) === "ACCOUNT_BLOCKED").length, 95);
  assert.ok(answers.every((r) => r.status === 400 || r.status === 401));
  assert.equal(errorOf(await authenticate(f.service, token, { accessToken: "a", idToken: "not.a.jwt" })), "ACCOUNT_BLOCKED");
}

describe("the lockout under concurrency", () => {
  test("100 concurrent failing authenticate calls (in-memory state): exactly LOCKOUT_THRESHOLD are judged, the rest ACCOUNT_BLOCKED", async (t) => {
    await concurrentFailures(t, {});
  });

  // On SQLite nothing between the check and the count waits for I/O, so the requests never
  // interleave there and a check-then-count lockout would pass too; PostgreSQL's reads open that window.
  test(
    "100 concurrent failing authenticate calls (in-memory state, PostgreSQL storage): exactly LOCKOUT_THRESHOLD are judged, the rest ACCOUNT_BLOCKED",
    { skip: postgresUrl ? false : "TEST_DATABASE_URL is not set (CI sets it)" },
    async (t) => {
      await concurrentFailures(t, { database: { kind: "postgres", url: await ownPostgresSchema(t, postgresUrl!) } });
    },
  );

  test(
    "100 concurrent failing authenticate calls (Redis): exactly LOCKOUT_THRESHOLD are judged, the rest ACCOUNT_BLOCKED",
    { skip: redisUrl ? false : "TEST_REDIS_URL is not set" },
    async (t) => {
      await concurrentFailures(t, { redisUrl });
    },
  );
});

describe("the provider's failures never count towards a user's lockout", () => {
  test("a key set the provider answers with 500 is PROVIDER_ERROR, and ten of them block nobody", async (t) => {
    const keys = await startJsonServer(() => ({ status: 500, body: { error: "server_error" } }));
    t.after(() => keys.close());
    const f = await signInFixture(t, { settings: { jwksUri: `${keys.url}/jwks` } });
    const token = await session(f.service);
    // A well-formed ID token: its key must be fetched before anything about it can be judged.
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const idToken = `${part({ alg: "RS256", kid: "k1" })}.${part({ sub: "alice-sub" })}.${part({ sig: 1 })}`;
    for (let attempt = 1; attempt <= 10; attempt++) {
      const response = await authenticate(f.service, token, { accessToken: "a", idToken });
      assert.equal(response.status, 502, `attempt ${attempt}: ${response.text}`);
      assert.equal(errorOf(response), "PROVIDER_ERROR");
    }
    assert.equal(
      errorOf(await authenticate(f.service, token, { accessToken: "a", idToken: "not.a.jwt" })),
      "INVALID_ID_TOKEN",
      "still judged, not blocked",
    );
  });

  test("a provider that does not answer in time (504) or answers 500 at discovery (502) blocks nobody", async (t) => {
    const hanging = await startHangingServer();
    const failing = await startJsonServer(() => ({ status: 500, body: "down" }));
    t.after(() => Promise.all([hanging.close(), failing.close()]));
    const f = await signInFixture(t, { config: { outboundTimeoutMs: 300 } });
    for (const [name, issuer] of [
      ["hangs", hanging.url],
      ["fails", failing.url],
    ] as const) {
      const put = await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/oauth-providers/${name}`, {
        clientId: "c",
        clientSecret: "s",
        issuer,
        redirectUris: ["http://127.0.0.1:5173/callback"],
      });
      assert.equal(put.status, 201, put.text);
    }
    const token = await session(f.service);
    for (let attempt = 1; attempt <= 6; attempt++) {
      const timedOut = await f.service.request<Body>(
        "POST",
        "/userAccount/authenticate",
        { method: "oauth", provider: "hangs", credentials: { accessToken: "a", idToken: "not.a.jwt" } },
        { "x-session-token": token },
      );
      assert.equal(errorOf(timedOut), "PROVIDER_TIMEOUT", timedOut.text);
      const failed = await f.service.request<Body>(
        "POST",
        "/userAccount/authenticate",
        { method: "oauth", provider: "fails", credentials: { accessToken: "a", idToken: "not.a.jwt" } },
        { "x-session-token": token },
      );
      assert.equal(failed.status, 502, failed.text);
    }
    const judged = await f.service.request<Body>(
      "POST",
      "/userAccount/authenticate",
      { method: "oauth", provider: "acme-idp", credentials: { accessToken: "a", idToken: "not.a.jwt" } },
      { "x-session-token": token },
    );
    assert.equal(errorOf(judged), "INVALID_ID_TOKEN", "still judged, not blocked");
  });
});
