import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertAuthError, type RunningService, startService } from "../support/service.ts";
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
    assert.ok(figures.slowestMs < 3000, `the slowest answer took ${figures.slowestMs} ms`);
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
