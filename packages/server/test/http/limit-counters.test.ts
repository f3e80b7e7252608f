import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BackendUnavailableError } from "../../src/domain/backend-unavailable.ts";
import { localWindowCounters, sharedOrLocalStore, type WindowCount } from "../../src/http/limit-counters.ts";

/** One count through a rate-limit store, as @fastify/rate-limit asks it. */
function incr(store: { incr: (key: string, cb: (e: Error | null, r?: WindowCount) => void, w: number, m: number) => void }, key: string) {
  return new Promise<WindowCount>((resolve, reject) =>
    store.incr(key, (error, result) => (error ? reject(error) : resolve(result!)), 60_000, 5),
  );
}

describe("the rate limits' counters", () => {
  test("in memory: fixed windows that start with their first request", () => {
    let t = 0;
    const counters = localWindowCounters(() => t);
    assert.deepEqual(counters.count("a", 60_000), { current: 1, ttl: 60_000 });
    t += 20_000;
    assert.deepEqual(counters.count("a", 60_000), { current: 2, ttl: 40_000 });
    assert.deepEqual(counters.count("b", 60_000), { current: 1, ttl: 60_000 }, "each key counts on its own");
    t += 40_000;
    assert.deepEqual(counters.count("a", 60_000), { current: 1, ttl: 60_000 }, "a new window");
  });

  test("in memory: bounded, the oldest window goes first", () => {
    const counters = localWindowCounters(() => 0, 2);
    counters.count("a", 60_000);
    counters.count("b", 60_000);
    counters.count("c", 60_000);
    assert.equal(counters.count("b", 60_000).current, 2);
    assert.equal(counters.count("a", 60_000).current, 1, "dropped to make room for c");
  });

  test("count in the shared counters while they answer, in memory while they are unavailable", async () => {
    let available = true;
    let shared = 0;
    const Store = sharedOrLocalStore({
      async count() {
        if (!available) throw new BackendUnavailableError("shared state");
        return { current: ++shared, ttl: 60_000 };
      },
    });
    const store = new Store();
    assert.equal((await incr(store, "k")).current, 1);
    assert.equal((await incr(store, "k")).current, 2);
    available = false;
    assert.equal((await incr(store, "k")).current, 1, "memory counts from the outage on");
    assert.equal((await incr(store, "k")).current, 2);
    available = true;
    assert.equal((await incr(store, "k")).current, 3, "back on the shared count");
  });

  test("an unexpected error of the shared counters is the limiter's error, not a silent fallback", async () => {
    const Store = sharedOrLocalStore({
      async count() {
        throw new Error("a Redis script error");
      },
    });
    await assert.rejects(incr(new Store(), "k"), /script error/);
  });
});
