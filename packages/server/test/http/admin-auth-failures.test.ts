import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { describe, test, type TestContext } from "node:test";
import { type Config, readConfig } from "../../src/config.ts";
import { assertAuthError, bearer, type RunningService, startService } from "../support/service.ts";

const redisUrl = process.env.TEST_REDIS_URL;

/** A random private address (sent as X-Forwarded-For from the trusted 127.0.0.1), so reruns and Redis start from zero. */
const randomAddress = () => `10.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/**
 * A clock that starts one second into a one-minute window and can be moved on, so that the
 * failures of a test fall in one window whatever the wall clock says.
 */
function windowClock() {
  const started = Date.now();
  const base = Math.ceil(started / 60_000) * 60_000 + 1000;
  let offset = 0;
  return { now: () => base + offset + (Date.now() - started), advance: (ms: number) => (offset += ms) };
}

async function limitedService(t: TestContext, perMinute: number, clock = windowClock(), extra: Partial<Config> = {}) {
  return startService(t, { adminAuthFailuresPerMinute: perMinute, trustProxy: ["127.0.0.1"], ...extra }, { now: clock.now });
}

/** A request from `address` (through the trusted proxy) with `token` as its bearer token, if any. */
const from = (service: RunningService, address: string, token: string | undefined, method: string, path: string, body?: unknown) =>
  service.request(method, path, body, { "x-forwarded-for": address, ...(token !== undefined && bearer(token)) });

/** The `admin.auth_failed` records of `address`, newest first. */
async function refusalsOf(service: RunningService, address: string) {
  const page = await service.app.store.audit.page(null, 200, undefined, { event: "admin.auth_failed" });
  return page.records.filter((r) => r.ip === address);
}

describe("refused admin credentials: one limit per address over every admin route (ADMIN_AUTH_FAILURES_PER_MINUTE)", () => {
  test("ADMIN_AUTH_FAILURES_PER_MINUTE defaults to 20; 0 turns the limit off; anything else is refused", () => {
    assert.equal(readConfig({}).adminAuthFailuresPerMinute, 20);
    assert.equal(readConfig({ ADMIN_AUTH_FAILURES_PER_MINUTE: "0" }).adminAuthFailuresPerMinute, 0);
    assert.throws(() => readConfig({ ADMIN_AUTH_FAILURES_PER_MINUTE: "-1" }), /ADMIN_AUTH_FAILURES_PER_MINUTE/);
    assert.throws(() => readConfig({ ADMIN_AUTH_FAILURES_PER_MINUTE: "many" }), /ADMIN_AUTH_FAILURES_PER_MINUTE/);
  });

  test("20 refusals spread over admin routes and credentials: the 21st request from the address is 429 even with the right admin token; each refusal is audited and warned", async (t) => {
    const service = await limitedService(t, 20);
    const address = randomAddress();
    const adminToken = service.app.config.adminToken;
    const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
    const orgPath = `/api/v1/orgs/${org.body.id}`;

    // No credential at all is not a guess: the console asks before anyone has signed in.
    for (let i = 0; i < 5; i++) assertAuthError(await from(service, address, undefined, "GET", "/api/v1/orgs"), 401, "UNAUTHORIZED");

    const guesses: Array<[string | undefined, string, string, unknown?]> = [
      ["wrong-admin-token-000000", "GET", "/api/v1/orgs"],
      ["wrong-admin-token-000001", "GET", orgPath],
      ["wrong-admin-token-000002", "GET", "/api/v1/provider-presets"],
      ["wrong-admin-token-000003", "GET", `${orgPath}/users`],
      ["wrong-admin-token-000004", "GET", `${orgPath}/audit`],
      ["wrong-admin-token-000005", "GET", `${orgPath}/oauth-providers`],
      ["wrong-admin-token-000006", "POST", "/api/v1/keys/rotate"],
      ["wrong-admin-token-000007", "GET", "/api/v1/console-sessions"],
      ["wrong-admin-token-000008", "DELETE", "/api/v1/console-sessions"],
      ["wrong-admin-token-000009", "POST", `${orgPath}/setup-links`, {}],
      ["wrong-admin-token-000010", "GET", "/configurationManager/authConfig/oauth"],
      ["setup.made-up-setup-session-token", "GET", orgPath],
      ["setup.another-made-up-one", "GET", `${orgPath}/oauth-providers`],
      ["eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "GET", orgPath],
      ["eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ5In0.c2lnbmF0dXJl", "GET", "/api/v1/orgs"],
      ["wrong-admin-token-000011", "GET", `${orgPath}/events`],
      // The console's sign-in and setup-link redemption count with them.
      [undefined, "POST", "/admin/session", { token: "wrong-admin-token-000012" }],
      [undefined, "POST", "/admin/session", { accessToken: "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ6In0.c2lnbmF0dXJl" }],
      [undefined, "POST", "/api/v1/setup-sessions", { token: "made-up-setup-link-token" }],
      ["wrong-admin-token-000013", "PUT", `${orgPath}/auth-methods`, { authMethods: [] }],
    ];
    assert.equal(guesses.length, 20);
    for (const [token, method, path, body] of guesses) {
      const refused = await from(service, address, token, method, path, body);
      assert.equal(refused.status, 401, `${method} ${path}: ${refused.text}`);
    }

    for (const [method, path, body, token] of [
      ["GET", "/api/v1/orgs", undefined, adminToken],
      ["POST", "/admin/session", { token: adminToken }, undefined],
      ["GET", "/api/v1/orgs", undefined, "wrong-admin-token-000014"],
    ] as const) {
      const limited = await from(service, address, token, method, path, body);
      const error = assertAuthError(limited, 429, "TOO_MANY_REQUESTS");
      const retryAfter = Number(limited.headers.get("retry-after"));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${limited.headers.get("retry-after")}`);
      assert.match(error.message, /ADMIN_AUTH_FAILURES_PER_MINUTE/);
    }
    // Another address is not limited by this one's guesses.
    assert.equal((await from(service, randomAddress(), adminToken, "GET", "/api/v1/orgs")).status, 200);

    const records = await refusalsOf(service, address);
    assert.equal(records.length, 20, "one record per refusal; none for the requests without a credential or past the limit");
    for (const r of records) {
      assert.deepEqual([r.orgId, r.userId, r.actor, r.outcome, r.error], [null, null, null, "failure", "UNAUTHORIZED"]);
    }
    const warned = service
      .logs()
      .split("\n")
      .filter((line) => line.includes("admin API: credential refused") && line.includes(address));
    assert.equal(warned.length, 20);
    assert.ok(warned.every((line) => JSON.parse(line).level === 40));
    assert.ok(!service.logs().includes("wrong-admin-token-0000"), "no refused token in the log");
  });

  test("below the limit the right token works; the window's end lets the address in again", async (t) => {
    const clock = windowClock();
    const service = await limitedService(t, 3, clock);
    const address = randomAddress();
    const adminToken = service.app.config.adminToken;
    for (let i = 0; i < 2; i++)
      assertAuthError(await from(service, address, "not-the-token-0000", "GET", "/api/v1/orgs"), 401, "UNAUTHORIZED");
    assert.equal((await from(service, address, adminToken, "GET", "/api/v1/orgs")).status, 200, "2 of 3: still in");
    assertAuthError(await from(service, address, "not-the-token-0000", "GET", "/api/v1/orgs"), 401, "UNAUTHORIZED");
    const limited = assertAuthError(await from(service, address, adminToken, "GET", "/api/v1/orgs"), 429, "TOO_MANY_REQUESTS");
    assert.ok(limited.message.includes("try again in"));
    clock.advance(60_000);
    assert.equal((await from(service, address, adminToken, "GET", "/api/v1/orgs")).status, 200, "a new window");
  });

  test("with ADMIN_AUTH_FAILURES_PER_MINUTE=0 nothing is limited, and refusals are still audited", async (t) => {
    const service = await limitedService(t, 0);
    const address = randomAddress();
    for (let i = 0; i < 25; i++)
      assertAuthError(await from(service, address, "not-the-token-0000", "GET", "/api/v1/orgs"), 401, "UNAUTHORIZED");
    assert.equal((await from(service, address, service.app.config.adminToken, "GET", "/api/v1/orgs")).status, 200);
    assert.equal((await refusalsOf(service, address)).length, 25);
  });

  test(
    "with REDIS_URL, instances count an address's refusals together",
    { skip: redisUrl ? false : "TEST_REDIS_URL is not set (CI sets it)" },
    async (t) => {
      const clock = windowClock();
      const [a, b] = [await limitedService(t, 4, clock, { redisUrl }), await limitedService(t, 4, clock, { redisUrl })];
      const address = randomAddress();
      for (const instance of [a, b, a, b])
        assertAuthError(await from(instance, address, "not-the-token-0000", "GET", "/api/v1/orgs"), 401, "UNAUTHORIZED");
      for (const instance of [a, b])
        assertAuthError(await from(instance, address, instance.app.config.adminToken, "GET", "/api/v1/orgs"), 429, "TOO_MANY_REQUESTS");
      assert.equal((await from(b, randomAddress(), b.app.config.adminToken, "GET", "/api/v1/orgs")).status, 200);
    },
  );
});
