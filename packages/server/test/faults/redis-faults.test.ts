import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertAuthError, refreshWith, type RunningService, startService } from "../support/service.ts";
import { alice, REDIRECT_URI, signIn, signInFixture } from "../support/sign-in-fixture.ts";
import { freePort, redisMissing, startThrowawayRedis, type ThrowawayRedis } from "../support/throwaway-backends.ts";
import { newTally, throughOutage, timed, unavailableWithin3s, until } from "./outage.ts";

/** A service on SQLite and the given Redis, with an organisation; `signIn` needs Redis (the session). */
async function serviceOn(
  t: Parameters<typeof startService>[0],
  redisUrl: string,
): Promise<{ service: RunningService; signIn: () => ReturnType<RunningService["request"]> }> {
  const service = await startService(t, { redisUrl });
  const created = await service.admin("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
  assert.equal(created.status, 201, created.text);
  return { service, signIn: () => service.request("POST", "/userAccount/initAuth", { email: "jane@acme.test" }) };
}

// A redis-server this test owns: it freezes, kills and restarts it.
describe("faults: Redis frozen, killed, unreachable", { skip: redisMissing, timeout: 120_000 }, () => {
  let redis: ThrowawayRedis;
  before(async () => {
    redis = await startThrowawayRedis();
  });
  after(() => redis?.destroy());

  it("answers 503 within 3 s while Redis is frozen (SIGSTOP), /readyz too, and recovers on SIGCONT", async (t) => {
    const { service, signIn } = await serviceOn(t, redis.url);
    assert.equal((await signIn()).status, 200);
    const figures = await throughOutage(t, signIn, {
      name: "Redis frozen (SIGSTOP)",
      load: { workers: 4 },
      fault: () => redis.freeze(),
      during: () => unavailableWithin3s(t, "Redis frozen", service, signIn, /timed out|127\.0\.0\.1|ECONN/i),
      restore: () => redis.thaw(),
      restored: "Redis thawed",
    });
    // Under load too, no request waits past one deadline (REDIS_TIMEOUT_MS) + 500 ms.
    assert.ok(figures.slowestMs < service.app.config.redisTimeoutMs + 500, `the slowest answer took ${figures.slowestMs} ms`);
  });

  it("answers every request within REDIS_TIMEOUT_MS + 500 ms while Redis is frozen, with rate limits counting in memory", async (t) => {
    const perMinute = 10;
    const f = await signInFixture(t, { config: { redisUrl: redis.url, rateLimitPerMinute: perMinute } });
    const { refreshToken } = await signIn(f, alice);
    // A sign-in under way when Redis freezes: its session is in Redis.
    const session = (await f.service.request("POST", "/userAccount/initAuth", { email: alice.email })).headers.get("x-session-token")!;
    const authorize = () =>
      f.service.request(
        "GET",
        `/userAccount/oauth/authorize?${new URLSearchParams({ provider: "acme-idp", email: alice.email, redirectUri: REDIRECT_URI })}`,
        undefined,
        { "x-session-token": session },
      );
    // The bound: one deadline per request, however many calls to Redis it would make
    // (initAuth makes three: two rate-limit counts and the session), plus 0.5 s.
    const bound = f.service.app.config.redisTimeoutMs + 500;
    const within = async (what: string, call: () => ReturnType<RunningService["request"]>, status: number) => {
      const { response, ms } = await timed(call);
      assert.equal(response.status, status, `${what}: ${response.text}`);
      assert.ok(ms < bound, `${what} answered after ${ms} ms, past REDIS_TIMEOUT_MS + 500 ms (${bound} ms)`);
      return ms;
    };
    redis.freeze();
    try {
      const times = {
        initAuth: await within("initAuth", () => f.service.request("POST", "/userAccount/initAuth", { email: alice.email }), 503),
        authorize: await within("authorize", authorize, 503),
        // A refresh needs the database only: it goes on, its rate limits counted in memory.
        refresh: await within("refresh", () => refreshWith(f.service, refreshToken), 200),
        healthz: await within("/healthz", () => f.service.request("GET", "/healthz"), 200),
        readyz: await within("/readyz", () => f.service.request("GET", "/readyz"), 503),
      };
      assertAuthError(await f.service.request("POST", "/userAccount/initAuth", { email: alice.email }), 503, "SERVICE_UNAVAILABLE");
      // The limits still hold, per instance: a burst over the limit gets 429, each answer in time.
      const burst: number[] = [];
      for (let i = 0; i < perMinute; i++)
        burst.push(await within(`JWKS #${i + 1}`, () => f.service.request("GET", "/.well-known/jwks.json"), 200));
      const over = await timed(() => f.service.request("GET", "/.well-known/jwks.json"));
      assertAuthError(over.response, 429, "TOO_MANY_REQUESTS");
      assert.ok(over.ms < bound, `the 429 answered after ${over.ms} ms`);
      // A second later Redis is asked once more (the breaker's probe): that request waits for it, once.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const probe = await within(
        "initAuth a second later",
        () => f.service.request("POST", "/userAccount/initAuth", { email: alice.email }),
        503,
      );
      t.diagnostic(
        `Redis frozen, REDIS_TIMEOUT_MS ${bound - 500}: initAuth 503 after ${times.initAuth} ms, authorize 503 after ${times.authorize} ms, ` +
          `refresh 200 after ${times.refresh} ms, /healthz 200 after ${times.healthz} ms, /readyz 503 after ${times.readyz} ms, ` +
          `${perMinute} JWKS 200 (slowest ${Math.max(...burst)} ms) then 429 after ${over.ms} ms, ` +
          `initAuth a second later 503 after ${probe} ms`,
      );
    } finally {
      redis.thaw();
    }
    // /readyz is not rate-limited: the recovery is waited for there, not by spending initAuth's limit.
    const tally = newTally();
    const recoveredMs = await until(() => f.service.request("GET", "/readyz"), 200, 20_000, tally);
    assert.deepEqual(tally.other, []);
    assert.equal((await f.service.request("POST", "/userAccount/initAuth", { email: alice.email })).status, 200);
    assert.equal((await authorize()).status, 200, "the session started before the freeze is still there");
    assert.match(f.service.logs(), /Redis is not reachable or not answering/);
    t.diagnostic(`Redis thawed: /readyz answered 200 after ${recoveredMs} ms`);
  });

  it("answers 503 while Redis is killed and recovers, without a restart, when it starts again", async (t) => {
    const { service, signIn } = await serviceOn(t, redis.url);
    assert.equal((await signIn()).status, 200);
    await throughOutage(t, signIn, {
      name: "Redis killed (SIGKILL), then started again",
      load: { workers: 4 },
      fault: () => redis.kill(),
      async during() {
        const down = newTally();
        const first = await timed(signIn);
        assertAuthError(first.response, 503, "SERVICE_UNAVAILABLE");
        assert.ok(first.ms < 3000, `503 after ${first.ms} ms`);
        for (let i = 0; i < 3; i++) await until(signIn, 503, 3000, down);
        assertAuthError(await service.request("GET", "/readyz"), 503, "SERVICE_UNAVAILABLE");
        t.diagnostic(`Redis killed: first request 503 after ${first.ms} ms`);
        return down.other;
      },
      restore: () => redis.start(),
      restored: "Redis started again",
    });
    assert.equal((await service.request("GET", "/readyz")).status, 200);
    assert.match(service.logs(), /Redis is not reachable/);
  });

  it("starts with an unreachable REDIS_URL: a warning, 503 where Redis is needed, /readyz 503", async (t) => {
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const { service, signIn } = await serviceOn(t, nowhere);
    assert.match(service.logs(), /REDIS_URL\) cannot be reached at start/);
    const first = await timed(signIn);
    assertAuthError(first.response, 503, "SERVICE_UNAVAILABLE");
    assert.ok(first.ms < 3000, `503 after ${first.ms} ms`);
    assertAuthError(await service.request("GET", "/readyz"), 503, "SERVICE_UNAVAILABLE");
    assert.equal((await service.request("GET", "/healthz")).status, 200);
    t.diagnostic(`unreachable REDIS_URL: request 503 after ${first.ms} ms`);
  });
});
