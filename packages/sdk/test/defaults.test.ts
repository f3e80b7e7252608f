// What a client left at its defaults does: one attempt, bounded in time. A stopped or stuck
// server must surface as an error, never as a call that waits for an hour.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  ConnectionError,
  DEFAULT_BACKOFF,
  DEFAULT_RETRY_CONFIG,
  DEFAULT_TIMEOUT_MS,
  Pipeshub,
  PipeshubDefaultError,
  RequestTimeoutError,
  retryDelay,
  type FetchLike,
} from "../src/index.ts";
import {
  AUTHORIZATION_OK,
  SEED_AUTHORIZE,
  closedPort,
  hang,
  sendJson,
  startServer,
  type Handler,
  type TestServer,
} from "./helpers/server.ts";

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

/** Resolves once `condition` holds, or fails after 2 s of real time (setTimeout may be faked, so it polls with setImmediate). */
async function eventually(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 2_000;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail("condition not met within 2 s");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Answers after `ms`. */
function slow(ms: number): Handler {
  return (_req, res) => setTimeout(() => sendJson(res, 200, AUTHORIZATION_OK), ms);
}

describe("the default retry policy", () => {
  it("is one attempt", () => {
    assert.deepEqual(DEFAULT_RETRY_CONFIG, { strategy: "none" });
  });

  it("makes one attempt on a 503, even for an idempotent call", async () => {
    const server = await serve((_req, res, i) =>
      i === 0 ? sendJson(res, 503, { error: "SERVICE_UNAVAILABLE", message: "busy" }) : sendJson(res, 200, AUTHORIZATION_OK),
    );
    await assert.rejects(new Pipeshub({ serverURL: server.url }).oauth.authorizationUrl(SEED_AUTHORIZE), PipeshubDefaultError);
    assert.equal(server.requests.length, 1);
  });

  it("fails at once when nothing listens, instead of retrying", { timeout: 5_000 }, async () => {
    let attempts = 0;
    const fetch: FetchLike = (input, init) => {
      attempts++;
      return globalThis.fetch(input, init);
    };
    const sdk = new Pipeshub({ serverURL: `http://127.0.0.1:${await closedPort()}`, fetch });
    await assert.rejects(sdk.userAccount.initAuth(), ConnectionError);
    assert.equal(attempts, 1);
  });
});

describe('DEFAULT_BACKOFF, used by { strategy: "backoff" } without parameters', () => {
  it("starts at 0.5 s, grows ×1.5, waits at most 5 s, and starts no retry after 30 s", () => {
    assert.deepEqual({ ...DEFAULT_BACKOFF }, { initialInterval: 500, maxInterval: 5_000, exponent: 1.5, maxElapsedTime: 30_000 });
    const delay = (attempt: number, elapsedMs = 0) => retryDelay({ attempt, backoff: DEFAULT_BACKOFF, elapsedMs, random: 0.5 });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((attempt) => delay(attempt)),
      [500, 750, 1125, 1688, 2531, 3797, 5000],
    );
    assert.equal(delay(20), 5_000);
    assert.equal(delay(1, 29_500), 500, "ends exactly at the budget");
    assert.equal(delay(1, 29_501), undefined);
  });

  it("is what a backoff policy without parameters waits", async () => {
    const server = await serve((_req, res, i) => (i === 0 ? sendJson(res, 503, {}) : sendJson(res, 200, AUTHORIZATION_OK)));
    const started = performance.now();
    await new Pipeshub({ serverURL: server.url, retryConfig: { strategy: "backoff" } }).oauth.authorizationUrl(SEED_AUTHORIZE);
    const elapsed = performance.now() - started;
    assert.equal(server.requests.length, 2);
    // 500 ms ± 25 % jitter, plus two loopback round trips.
    assert.ok(elapsed >= 370 && elapsed < 2_000, `retried after ${Math.round(elapsed)} ms`);
  });
});

describe("the per-attempt timeout", () => {
  it("defaults to 30 s", async (t) => {
    assert.equal(DEFAULT_TIMEOUT_MS, 30_000);
    const server = await serve(hang);
    // Only the SDK's own timer is faked, so that the test need not wait 30 s; the socket is real.
    t.mock.timers.enable({ apis: ["setTimeout"] });
    let settled = false;
    const call = new Pipeshub({ serverURL: server.url }).oauth.authorizationUrl(SEED_AUTHORIZE);
    call.catch(() => {}).finally(() => (settled = true));
    await eventually(() => server.requests.length === 1);

    t.mock.timers.tick(DEFAULT_TIMEOUT_MS - 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, "still waiting 1 ms before the limit");
    t.mock.timers.tick(1);
    await eventually(() => settled);
    await assert.rejects(call, (error) => {
      assert.ok(error instanceof RequestTimeoutError);
      assert.equal(error.timeoutMs, DEFAULT_TIMEOUT_MS);
      return true;
    });
  });

  it("is the client's timeoutMs when set", async () => {
    const server = await serve(hang);
    const started = performance.now();
    await assert.rejects(new Pipeshub({ serverURL: server.url, timeoutMs: 100 }).oauth.authorizationUrl(SEED_AUTHORIZE), (error) => {
      assert.ok(error instanceof RequestTimeoutError);
      assert.equal(error.timeoutMs, 100);
      return true;
    });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 95 && elapsed < 2_000, `took ${Math.round(elapsed)} ms`);
  });

  it("is the call's timeoutMs when set, shorter or longer than the client's", async () => {
    const hanging = await serve(hang);
    await assert.rejects(new Pipeshub({ serverURL: hanging.url }).oauth.authorizationUrl(SEED_AUTHORIZE, { timeoutMs: 100 }), (error) => {
      assert.ok(error instanceof RequestTimeoutError);
      assert.equal(error.timeoutMs, 100, "shorter than the default");
      return true;
    });
    const answering = await serve(slow(200));
    const strict = new Pipeshub({ serverURL: answering.url, timeoutMs: 50 });
    await assert.rejects(strict.oauth.authorizationUrl(SEED_AUTHORIZE), RequestTimeoutError);
    assert.deepEqual(
      await strict.oauth.authorizationUrl(SEED_AUTHORIZE, { timeoutMs: 2_000 }),
      AUTHORIZATION_OK,
      "longer than the client's",
    );
    assert.deepEqual(await strict.oauth.authorizationUrl(SEED_AUTHORIZE, { timeoutMs: Infinity }), AUTHORIZATION_OK, "Infinity: no limit");
  });

  it("refuses a limit that is not a positive number of milliseconds a timer can hold", async () => {
    for (const timeoutMs of [0, -1, Number.NaN, 2 ** 31]) {
      assert.throws(() => new Pipeshub({ serverURL: "https://api.example.com", timeoutMs }), TypeError, `client ${timeoutMs}`);
      const server = await serve((_req, res) => sendJson(res, 200, AUTHORIZATION_OK));
      await assert.rejects(
        new Pipeshub({ serverURL: server.url }).oauth.authorizationUrl(SEED_AUTHORIZE, { timeoutMs }),
        TypeError,
        `call ${timeoutMs}`,
      );
      assert.equal(server.requests.length, 0, "nothing sent");
    }
  });
});
