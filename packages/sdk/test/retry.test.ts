import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  ConnectionError,
  Pipeshub,
  PipeshubDefaultError,
  PipeshubError,
  RateLimitError,
  RequestAbortedError,
  RequestTimeoutError,
  ResponseValidationError,
  parseRetryAfter,
  retryDelay,
  shouldRetry,
  type BackoffStrategy,
  type RetryConfig,
} from "../src/index.ts";
import { errorFromResponse } from "../src/errors.ts";
import {
  EXCHANGE_OK,
  SEED_EXCHANGE,
  dropConnection,
  hang,
  sendJson,
  startServer,
  type Handler,
  type TestServer,
} from "./helpers/server.ts";

const FAST: BackoffStrategy = { initialInterval: 20, maxInterval: 2_000, exponent: 1.5, maxElapsedTime: 10_000 };
const BACKOFF: RetryConfig = { strategy: "backoff", backoff: FAST, retryConnectionErrors: true };

function apiError(status: number) {
  return errorFromResponse(new Response("{}", { status }), "{}");
}

describe("shouldRetry", () => {
  it("retries 429 and the transient 5xx under backoff", () => {
    for (const status of [429, 500, 502, 503, 504]) assert.equal(shouldRetry(apiError(status), BACKOFF), true, String(status));
  });

  it("does not retry other statuses", () => {
    for (const status of [400, 401, 403, 404, 409, 422, 501, 505]) assert.equal(shouldRetry(apiError(status), BACKOFF), false, String(status));
  });

  it("never retries under strategy none", () => {
    assert.equal(shouldRetry(apiError(503), { strategy: "none" }), false);
    assert.equal(shouldRetry(new ConnectionError("x"), { strategy: "none" }), false);
  });

  it("retries connection errors and per-attempt timeouts unless retryConnectionErrors is false", () => {
    for (const error of [new ConnectionError("refused"), new RequestTimeoutError(100)]) {
      assert.equal(shouldRetry(error, BACKOFF), true);
      assert.equal(shouldRetry(error, { strategy: "backoff" }), true, "default is true");
      assert.equal(shouldRetry(error, { ...BACKOFF, retryConnectionErrors: false }), false);
    }
  });

  it("never retries the caller's abort, a malformed 2xx, or foreign errors", () => {
    const response = new Response("{}", { status: 200 });
    assert.equal(shouldRetry(new RequestAbortedError("aborted"), BACKOFF), false);
    assert.equal(shouldRetry(new ResponseValidationError({ message: "bad", response, body: "{}" }), BACKOFF), false);
    assert.equal(shouldRetry(new TypeError("bug"), BACKOFF), false);
    assert.equal(shouldRetry(new PipeshubError("base"), BACKOFF), false);
  });
});

describe("retryDelay", () => {
  const backoff: BackoffStrategy = { initialInterval: 500, maxInterval: 60_000, exponent: 1.5, maxElapsedTime: 3_600_000 };
  const base = { backoff, elapsedMs: 0, random: 0.5 };

  it("grows exponentially from initialInterval", () => {
    assert.equal(retryDelay({ ...base, attempt: 1 }), 500);
    assert.equal(retryDelay({ ...base, attempt: 2 }), 750);
    assert.equal(retryDelay({ ...base, attempt: 3 }), 1125);
  });

  it("applies ±25 % jitter", () => {
    assert.equal(retryDelay({ ...base, attempt: 1, random: 0 }), 375);
    assert.equal(retryDelay({ ...base, attempt: 1, random: 0.999999 }), 625);
  });

  it("never exceeds maxInterval, jitter included", () => {
    assert.equal(retryDelay({ ...base, attempt: 30, random: 0.999999 }), 60_000);
    const low = retryDelay({ ...base, attempt: 30, random: 0 });
    assert.equal(low, 45_000);
  });

  it("uses Retry-After as given, capped by maxInterval", () => {
    assert.equal(retryDelay({ ...base, attempt: 1, retryAfterMs: 2_000, random: 0 }), 2_000);
    assert.equal(retryDelay({ ...base, attempt: 1, retryAfterMs: 0 }), 0);
    assert.equal(retryDelay({ ...base, attempt: 1, retryAfterMs: 3_600_000 }), 60_000);
  });

  it("gives up when the delay would end past maxElapsedTime", () => {
    const budget = { ...backoff, maxElapsedTime: 1_000 };
    assert.equal(retryDelay({ attempt: 1, backoff: budget, elapsedMs: 500, random: 0.5 }), 500, "ends exactly at the budget");
    assert.equal(retryDelay({ attempt: 1, backoff: budget, elapsedMs: 501, random: 0.5 }), undefined);
    assert.equal(retryDelay({ attempt: 1, backoff: budget, elapsedMs: 0, retryAfterMs: 1_500, random: 0.5 }), undefined);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");

  it("reads delay-seconds", () => {
    assert.equal(parseRetryAfter("1", now), 1_000);
    assert.equal(parseRetryAfter(" 120 ", now), 120_000);
    assert.equal(parseRetryAfter("0", now), 0);
  });

  it("reads an HTTP-date relative to now, never negative", () => {
    assert.equal(parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", now), 30_000);
    assert.equal(parseRetryAfter("Tue, 31 Dec 2024 23:59:00 GMT", now), 0);
  });

  it("ignores absent or invalid values", () => {
    for (const value of [null, undefined, "", "soon", "-1", "1.5", "1e3"]) assert.equal(parseRetryAfter(value, now), undefined, String(value));
  });
});

describe("retries over loopback", () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((server) => server.close())));

  async function serve(handler: Handler): Promise<TestServer> {
    const server = await startServer(handler);
    servers.push(server);
    return server;
  }

  function client(server: TestServer, retryConfig: RetryConfig = BACKOFF, timeoutMs?: number): Pipeshub {
    return new Pipeshub({ serverURL: server.url, retryConfig, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  }

  it("waits for Retry-After on 429, then succeeds", async () => {
    const server = await serve((_req, res, i) =>
      i === 0 ? sendJson(res, 429, { error: "RATE_LIMITED", message: "slow down" }, { "retry-after": "1" }) : sendJson(res, 200, EXCHANGE_OK),
    );
    const started = performance.now();
    const result = await client(server).oauth.exchangeCode(SEED_EXCHANGE);
    const elapsed = performance.now() - started;
    assert.equal(result.accessToken, "provider-at");
    assert.equal(server.requests.length, 2);
    assert.ok(elapsed >= 950, `waited ${elapsed} ms`);
    assert.ok(elapsed < 1_900, `waited ${elapsed} ms`);
  });

  it("retries 503 twice, then succeeds", async () => {
    const server = await serve((_req, res, i) => (i < 2 ? sendJson(res, 503, { error: "SERVICE_UNAVAILABLE", message: "busy" }) : sendJson(res, 200, EXCHANGE_OK)));
    const result = await client(server).oauth.exchangeCode(SEED_EXCHANGE);
    assert.equal(result.tokenType, "Bearer");
    assert.equal(server.requests.length, 3);
    assert.deepEqual(JSON.parse(server.requests[2]!.body), JSON.parse(server.requests[0]!.body), "same body each attempt");
  });

  it("retries dropped connections when retryConnectionErrors is true", async () => {
    const server = await serve((_req, res, i) => (i < 2 ? dropConnection(res) : sendJson(res, 200, EXCHANGE_OK)));
    const result = await client(server).oauth.exchangeCode(SEED_EXCHANGE);
    assert.equal(result.accessToken, "provider-at");
    assert.equal(server.requests.length, 3);
  });

  it("surfaces a dropped connection at once when retryConnectionErrors is false", async () => {
    const server = await serve((_req, res) => dropConnection(res));
    const noConn: RetryConfig = { strategy: "backoff", backoff: FAST, retryConnectionErrors: false };
    await assert.rejects(client(server, noConn).oauth.exchangeCode(SEED_EXCHANGE), ConnectionError);
    assert.equal(server.requests.length, 1);
  });

  it("makes exactly one attempt under strategy none", async () => {
    const server = await serve((_req, res) => sendJson(res, 503, { error: "SERVICE_UNAVAILABLE", message: "busy", code: "HTTP_SERVICE_UNAVAILABLE", statusCode: 503 }));
    await assert.rejects(client(server, { strategy: "none" }).oauth.exchangeCode(SEED_EXCHANGE), (error) => {
      assert.ok(error instanceof PipeshubDefaultError);
      assert.equal(error.statusCode, 503);
      assert.equal(error.error, "SERVICE_UNAVAILABLE");
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  it("lets the per-call config win over the client's", async () => {
    const server = await serve((_req, res, i) => (i % 2 === 0 ? sendJson(res, 503, {}) : sendJson(res, 200, EXCHANGE_OK)));
    const none = client(server, { strategy: "none" });
    await none.oauth.exchangeCode(SEED_EXCHANGE, { retries: BACKOFF });
    assert.equal(server.requests.length, 2, "backoff per call on a none client");
    await assert.rejects(client(server).oauth.exchangeCode(SEED_EXCHANGE, { retries: { strategy: "none" } }), PipeshubDefaultError);
    assert.equal(server.requests.length, 3, "none per call on a backoff client");
  });

  it("stops within maxElapsedTime when the server keeps failing", async () => {
    const server = await serve((_req, res) => sendJson(res, 503, { error: "SERVICE_UNAVAILABLE", message: "busy" }));
    const budget: RetryConfig = { strategy: "backoff", backoff: { initialInterval: 50, maxInterval: 100, exponent: 1.5, maxElapsedTime: 300 } };
    const started = performance.now();
    await assert.rejects(client(server, budget).oauth.exchangeCode(SEED_EXCHANGE), PipeshubDefaultError);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 300 + 150, `took ${elapsed} ms`);
    // Delays of 37–125 ms within 300 ms: at least 3 attempts, at most 1 + 300/37.
    assert.ok(server.requests.length >= 3 && server.requests.length <= 9, `${server.requests.length} attempts`);
  });

  it("does not retry when Retry-After points past the time budget", async () => {
    const server = await serve((_req, res) => sendJson(res, 429, { error: "RATE_LIMITED", message: "later" }, { "retry-after": "30" }));
    const budget: RetryConfig = { strategy: "backoff", backoff: { ...FAST, maxInterval: 60_000, maxElapsedTime: 5_000 } };
    const started = performance.now();
    await assert.rejects(client(server, budget).oauth.exchangeCode(SEED_EXCHANGE), RateLimitError);
    assert.equal(server.requests.length, 1);
    assert.ok(performance.now() - started < 500);
  });

  it("retries a per-attempt timeout as a connection error", async () => {
    const server = await serve((_req, res, i) => (i === 0 ? hang() : sendJson(res, 200, EXCHANGE_OK)));
    const result = await client(server, BACKOFF, 200).oauth.exchangeCode(SEED_EXCHANGE);
    assert.equal(result.accessToken, "provider-at");
    assert.equal(server.requests.length, 2);
  });

  it("reports the last timeout when every attempt times out", async () => {
    const server = await serve(hang);
    const budget: RetryConfig = { strategy: "backoff", backoff: { initialInterval: 20, maxInterval: 20, exponent: 1, maxElapsedTime: 250 } };
    await assert.rejects(client(server, budget, 100).oauth.exchangeCode(SEED_EXCHANGE), RequestTimeoutError);
    assert.ok(server.requests.length >= 2, `${server.requests.length} attempts`);
  });

  it("stops waiting for a retry when the caller aborts", async () => {
    const server = await serve((_req, res) => sendJson(res, 503, {}, { "retry-after": "5" }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user left")), 100);
    const started = performance.now();
    await assert.rejects(client(server).oauth.exchangeCode(SEED_EXCHANGE, { signal: controller.signal }), RequestAbortedError);
    assert.equal(server.requests.length, 1);
    assert.ok(performance.now() - started < 1_000);
  });
});
