import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import { describe, test } from "node:test";
import { readConfig } from "../../src/config.ts";
import { assertAuthError, startService } from "../support/service.ts";

const redisUrl = process.env.TEST_REDIS_URL;

/** A random documentation-range address, so reruns within a minute (and Redis) start from zero. */
const randomAddress = () => `198.51.100.${randomInt(1, 255)}`;
const randomEmail = () => `user-${randomBytes(6).toString("hex")}@limits.test`;
const authorizeQuery = (email: string) =>
  `/userAccount/oauth/authorize?${new URLSearchParams({ provider: "none", email, redirectUri: "https://app.limits.test/callback" })}`;

async function statuses(n: number, send: (i: number) => Promise<{ status: number }>): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < n; i++) seen.push((await send(i)).status);
  return seen;
}

describe("abuse limits (RATE_LIMIT_PER_MINUTE, TRUST_PROXY)", () => {
  test("RATE_LIMIT_PER_MINUTE defaults to 300; 0 is accepted (limits off)", () => {
    assert.equal(readConfig({}).rateLimitPerMinute, 300);
    assert.equal(readConfig({ RATE_LIMIT_PER_MINUTE: "0" }).rateLimitPerMinute, 0);
    assert.deepEqual(readConfig({ TRUST_PROXY: "10.0.0.1, 192.168.0.0/16,::1" }).trustProxy, ["10.0.0.1", "192.168.0.0/16", "::1"]);
    assert.throws(() => readConfig({ TRUST_PROXY: "10.0.0.0/33" }), /TRUST_PROXY: .*10\.0\.0\.0\/33/);
    assert.throws(() => readConfig({ TRUST_PROXY: "proxy.local" }), /TRUST_PROXY/);
  });

  test("an address over the limit gets 429 TOO_MANY_REQUESTS with Retry-After, per endpoint; health probes are never limited", async (t) => {
    const service = await startService(t, { rateLimitPerMinute: 3 });
    const initAuth = () => service.request("POST", "/userAccount/initAuth", {});
    assert.deepEqual(
      (await statuses(3, initAuth)).filter((s) => s === 429),
      [],
    );
    const limited = await initAuth();
    const body = assertAuthError(limited, 429, "TOO_MANY_REQUESTS");
    assert.equal(body.code, "HTTP_TOO_MANY_REQUESTS");
    const retryAfter = Number(limited.headers.get("retry-after"));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${limited.headers.get("retry-after")}`);
    assert.match(body.message, new RegExp(`try again in ${retryAfter} seconds`));
    // Another endpoint has its own budget; probes have none.
    assert.notEqual((await service.request("GET", "/.well-known/jwks.json")).status, 429);
    assert.deepEqual(
      (await statuses(10, () => service.request("GET", "/healthz"))).filter((s) => s !== 200),
      [],
    );
  });

  test("without TRUST_PROXY, X-Forwarded-For is ignored: the peer's address is limited", async (t) => {
    const service = await startService(t, { rateLimitPerMinute: 2 });
    const seen = await statuses(3, () => service.request("POST", "/userAccount/initAuth", {}, { "x-forwarded-for": randomAddress() }));
    assert.equal(seen[2], 429, String(seen));
  });

  test("behind a trusted proxy, each X-Forwarded-For address has its own budget, but one email is limited across addresses", async (t) => {
    const service = await startService(t, { rateLimitPerMinute: 2, trustProxy: ["127.0.0.1"] });
    const fromMany = await statuses(4, (i) =>
      service.request("POST", "/userAccount/initAuth", {}, { "x-forwarded-for": `203.0.113.${i + 1}` }),
    );
    assert.deepEqual(
      fromMany.filter((s) => s === 429),
      [],
      String(fromMany),
    );
    for (const send of [
      (email: string, i: number) => service.request("GET", authorizeQuery(email), undefined, { "x-forwarded-for": `203.0.113.${i + 10}` }),
      (email: string, i: number) =>
        service.request(
          "POST",
          "/userAccount/oauth/exchange",
          { code: "c", email, provider: "none", redirectUri: "https://app.limits.test/callback" },
          { "x-forwarded-for": `203.0.113.${i + 20}` },
        ),
      (email: string, i: number) =>
        service.request("POST", "/userAccount/initAuth", { email }, { "x-forwarded-for": `203.0.113.${i + 30}` }),
    ]) {
      const email = randomEmail();
      const seen = await statuses(3, (i) => send(i === 2 ? email.toUpperCase() : email, i));
      assert.equal(seen[2], 429, String(seen));
      const limited = await send(randomEmail(), 3);
      assert.notEqual(limited.status, 429, "another email from the same place is not limited");
    }
    const limited = await service.request("GET", authorizeQuery("x@limits.test"), undefined, { "x-forwarded-for": "203.0.113.40" });
    assert.notEqual(limited.status, 429);
  });

  test("RATE_LIMIT_PER_MINUTE=0 turns the limits off", async (t) => {
    const service = await startService(t, { rateLimitPerMinute: 0 });
    const seen = await statuses(320, () => service.request("POST", "/userAccount/initAuth", {}));
    assert.deepEqual(
      seen.filter((s) => s === 429),
      [],
    );
  });

  test("with REDIS_URL, instances share the counters", { skip: redisUrl ? false : "TEST_REDIS_URL is not set" }, async (t) => {
    const config = { rateLimitPerMinute: 2, redisUrl: redisUrl!, trustProxy: ["127.0.0.1"] };
    const [a, b] = [await startService(t, config), await startService(t, config)];
    const client = { "x-forwarded-for": randomAddress() };
    assert.notEqual((await a.request("POST", "/userAccount/initAuth", {}, client)).status, 429);
    assert.notEqual((await b.request("POST", "/userAccount/initAuth", {}, client)).status, 429);
    assertAuthError(await a.request("POST", "/userAccount/initAuth", {}, client), 429, "TOO_MANY_REQUESTS");
    assertAuthError(await b.request("POST", "/userAccount/initAuth", {}, client), 429, "TOO_MANY_REQUESTS");
  });
});
