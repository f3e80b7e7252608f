import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createRedisState } from "../../src/state/redis-state.ts";
import type { ShortLivedState } from "../../src/domain/ports/short-lived-state.ts";
import { createMemoryState } from "../../src/state/memory-state.ts";
import { startService } from "../support/service.ts";
import { alice, REDIRECT_URI, signInFixture } from "../support/sign-in-fixture.ts";

const redisUrl = process.env.TEST_REDIS_URL;

function contract(
  name: string,
  make: () => { state: ShortLivedState; advance: (ms: number) => Promise<void> },
  options: { skip?: string | false } = {},
) {
  describe(`short-lived state: ${name}`, { skip: options.skip ?? false }, () => {
    test("a record is taken by exactly one of many concurrent takers", async (t) => {
      const { state } = make();
      t.after(() => state.close());
      const key = `k-${randomUUID()}`;
      await state.set(key, "v", 10_000);
      const taken = await Promise.all(Array.from({ length: 20 }, () => state.take(key)));
      assert.deepEqual(
        taken.filter((v) => v !== undefined),
        ["v"],
      );
      assert.equal(await state.get(key), undefined);
    });

    test("compare-and-consume: a record is taken only with its binding; a wrong binding leaves it in place", async (t) => {
      const { state } = make();
      t.after(() => state.close());
      const key = `k-${randomUUID()}`;
      const record = JSON.stringify({ binding: "rightful", data: 1 });
      await state.set(key, record, 10_000);
      assert.deepEqual(await state.takeIfBound(key, ["someone-else"]), { kind: "refused" });
      assert.equal(await state.get(key), record, "the refused attempt did not consume it");
      const taken = await Promise.all(Array.from({ length: 10 }, () => state.takeIfBound(key, ["other", "rightful"])));
      assert.deepEqual(
        taken.filter((r) => r.kind === "taken"),
        [{ kind: "taken", value: record }],
      );
      assert.deepEqual(await state.takeIfBound(key, ["rightful"]), { kind: "absent" });
    });

    test("a counter gives each of many concurrent incrementers its own count; a negative step gives one back, and zero removes it", async (t) => {
      const { state } = make();
      t.after(() => state.close());
      const key = `n-${randomUUID()}`;
      const counts = await Promise.all(Array.from({ length: 50 }, () => state.increment(key, 10_000)));
      assert.deepEqual(
        [...counts].sort((x, y) => x - y),
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      assert.equal(await state.increment(key, 10_000, -1), 49);
      assert.equal(await state.increment(key, 10_000, -49), 0);
      assert.equal(await state.get(key), undefined);
      assert.equal(await state.increment(key, 10_000, -1), 0, "never below zero");
      assert.equal(await state.increment(key, 10_000), 1);
    });

    test("records and counters expire", async (t) => {
      const { state, advance } = make();
      t.after(() => state.close());
      const key = `k-${randomUUID()}`;
      await state.set(key, "v", 50);
      assert.equal(await state.increment(`${key}-n`, 50), 1);
      assert.equal(await state.increment(`${key}-n`, 50), 2);
      await advance(120);
      assert.equal(await state.get(key), undefined);
      assert.equal(await state.increment(`${key}-n`, 50), 1);
    });
  });
}

contract("memory", () => {
  let now = Date.now();
  return { state: createMemoryState(() => now), advance: async (ms) => void (now += ms) };
});
contract(
  "Redis",
  () => ({
    state: createRedisState(redisUrl!, { prefix: `test-${randomUUID()}:` }),
    advance: (ms) => new Promise((r) => setTimeout(r, ms)),
  }),
  {
    skip: redisUrl ? false : "TEST_REDIS_URL is not set (CI sets it)",
  },
);

describe("several instances sharing Redis and one database", { skip: redisUrl ? false : "TEST_REDIS_URL is not set (CI sets it)" }, () => {
  test("an authorization started on one instance is completed on another, and its state is still single-use across them", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "pipeshub-shared-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const shared = { database: { kind: "sqlite" as const, path: join(dir, "auth.sqlite") }, redisUrl: redisUrl! };
    const a = await startService(t, shared);
    const b = await startService(t, shared);
    const f = await signInFixture(t, { service: a });
    const query = new URLSearchParams({ provider: "acme-idp", email: alice.email, redirectUri: REDIRECT_URI });
    const started = await a.request<{ authorizationUrl: string; state: string }>("GET", `/userAccount/oauth/authorize?${query}`);
    const callback = await f.provider.authorize({
      authorizationUrl: started.body.authorizationUrl,
      login: alice.sub,
      clientId: "",
      redirectUri: "",
    });
    assert.ok("code" in callback);
    const body = { code: callback.code, email: alice.email, provider: "acme-idp", redirectUri: REDIRECT_URI, state: started.body.state };
    const onB = await b.request("POST", "/userAccount/oauth/exchange", body);
    assert.equal(onB.status, 200, onB.text);
    const replayOnA = await a.request<{ error: string }>("POST", "/userAccount/oauth/exchange", body);
    assert.equal(replayOnA.body.error, "INVALID_STATE");
  });
});
