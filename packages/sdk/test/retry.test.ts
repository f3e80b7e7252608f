import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  Admin,
  APIError,
  ConnectionError,
  OAuth,
  Pipeshub,
  PipeshubDefaultError,
  PipeshubError,
  RateLimitError,
  RequestAbortedError,
  RequestTimeoutError,
  ResponseValidationError,
  parseRetryAfter,
  retryDelay,
  UserAccount,
  shouldRetry,
  type BackoffStrategy,
  type FetchLike,
  type RetryConfig,
} from "../src/index.ts";
import { errorFromResponse } from "../src/errors.ts";
import {
  AUTHORIZATION_OK,
  EXCHANGE_OK,
  SEED_AUTHORIZE,
  SEED_EXCHANGE,
  closedPort,
  dropConnection,
  hang,
  sendJson,
  startServer,
  type Handler,
  type TestServer,
} from "./helpers/server.ts";

const FAST: BackoffStrategy = { initialInterval: 20, maxInterval: 2_000, exponent: 1.5, maxElapsedTime: 10_000 };
const BACKOFF: RetryConfig = { strategy: "backoff", backoff: FAST, retryConnectionErrors: true };
const IDEMPOTENT = { idempotent: true } as const;
const SINGLE_USE = { idempotent: false } as const;

function apiError(status: number, headers: Record<string, string> = {}) {
  return errorFromResponse(new Response("{}", { status, headers }), "{}");
}

/** A ConnectionError as the transport builds it from fetch's `TypeError: fetch failed`, whose cause carries `code`. */
function connectionError(code: string | undefined): ConnectionError {
  const socketError = Object.assign(new Error(`socket failure ${code ?? ""}`), code === undefined ? {} : { code });
  return new ConnectionError("Could not complete POST /x", { cause: new TypeError("fetch failed", { cause: socketError }) });
}

describe("shouldRetry, idempotent operations", () => {
  it("retries 429 and the transient 5xx under backoff", () => {
    for (const status of [429, 500, 502, 503, 504]) assert.equal(shouldRetry(apiError(status), BACKOFF, IDEMPOTENT), true, String(status));
  });

  it("does not retry other statuses", () => {
    for (const status of [400, 401, 403, 404, 409, 422, 501, 505])
      assert.equal(shouldRetry(apiError(status), BACKOFF, IDEMPOTENT), false, String(status));
  });

  it("never retries under strategy none", () => {
    for (const operation of [IDEMPOTENT, SINGLE_USE]) {
      assert.equal(shouldRetry(apiError(503, { "retry-after": "1" }), { strategy: "none" }, operation), false);
      assert.equal(shouldRetry(connectionError("ECONNREFUSED"), { strategy: "none" }, operation), false);
    }
  });

  it("retries any connection error and per-attempt timeout unless retryConnectionErrors is false", () => {
    for (const error of [
      connectionError("ECONNREFUSED"),
      connectionError("ECONNRESET"),
      connectionError(undefined),
      new RequestTimeoutError(100),
    ]) {
      assert.equal(shouldRetry(error, BACKOFF, IDEMPOTENT), true, error.message);
      assert.equal(shouldRetry(error, { strategy: "backoff" }, IDEMPOTENT), true, "default is true");
      assert.equal(shouldRetry(error, { ...BACKOFF, retryConnectionErrors: false }, IDEMPOTENT), false);
    }
  });

  it("never retries the caller's abort, a malformed 2xx, or foreign errors", () => {
    const response = new Response("{}", { status: 200 });
    for (const operation of [IDEMPOTENT, SINGLE_USE]) {
      assert.equal(shouldRetry(new RequestAbortedError("aborted"), BACKOFF, operation), false);
      assert.equal(shouldRetry(new ResponseValidationError({ message: "bad", response, body: "{}" }), BACKOFF, operation), false);
      assert.equal(shouldRetry(new TypeError("bug"), BACKOFF, operation), false);
      assert.equal(shouldRetry(new PipeshubError("base"), BACKOFF, operation), false);
    }
  });
});

describe("shouldRetry, single-use operations", () => {
  it("retries a connection that could not be opened: the request never left", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]) {
      assert.equal(shouldRetry(connectionError(code), BACKOFF, SINGLE_USE), true, code);
      assert.equal(
        shouldRetry(connectionError(code), { ...BACKOFF, retryConnectionErrors: false }, SINGLE_USE),
        false,
        `${code}, retryConnectionErrors false`,
      );
    }
  });

  it("does not retry a connection lost after sending, one it cannot classify, or a timeout", () => {
    for (const code of ["ECONNRESET", "UND_ERR_SOCKET", "EPIPE", "ETIMEDOUT", undefined]) {
      assert.equal(shouldRetry(connectionError(code), BACKOFF, SINGLE_USE), false, String(code));
    }
    assert.equal(shouldRetry(new RequestTimeoutError(100), BACKOFF, SINGLE_USE), false);
  });

  it("retries 429 and 503 only when they carry a valid Retry-After", () => {
    for (const status of [429, 503]) {
      assert.equal(shouldRetry(apiError(status, { "retry-after": "2" }), BACKOFF, SINGLE_USE), true, `${status} with seconds`);
      assert.equal(
        shouldRetry(apiError(status, { "retry-after": "Wed, 01 Jan 2025 00:00:30 GMT" }), BACKOFF, SINGLE_USE),
        true,
        `${status} with a date`,
      );
      assert.equal(shouldRetry(apiError(status), BACKOFF, SINGLE_USE), false, `${status} without`);
      assert.equal(shouldRetry(apiError(status, { "retry-after": "soon" }), BACKOFF, SINGLE_USE), false, `${status} with an invalid value`);
    }
  });

  it("does not retry a 500, 502 or 504, which may come after the service acted, Retry-After or not", () => {
    for (const status of [500, 502, 504]) {
      assert.equal(shouldRetry(apiError(status), BACKOFF, SINGLE_USE), false, String(status));
      assert.equal(shouldRetry(apiError(status, { "retry-after": "1" }), BACKOFF, SINGLE_USE), false, `${status} with Retry-After`);
    }
  });
});

describe("ConnectionError", () => {
  it("reads the socket error's code through fetch's TypeError", () => {
    assert.equal(connectionError("ECONNREFUSED").code, "ECONNREFUSED");
    assert.equal(connectionError("ECONNREFUSED").connectFailed, true);
    assert.equal(connectionError("UND_ERR_SOCKET").code, "UND_ERR_SOCKET");
    assert.equal(connectionError("UND_ERR_SOCKET").connectFailed, false);
    assert.equal(connectionError(undefined).code, undefined);
    assert.equal(new ConnectionError("no cause").connectFailed, false);
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

  it("uses Retry-After as given, without jitter", () => {
    assert.equal(retryDelay({ ...base, attempt: 1, retryAfterMs: 2_000, random: 0 }), 2_000);
    assert.equal(retryDelay({ ...base, attempt: 1, retryAfterMs: 0 }), 0);
    assert.equal(retryDelay({ ...base, attempt: 1, retryAfterMs: 60_000 }), 60_000, "exactly maxInterval");
  });

  it("gives up rather than retry sooner than a Retry-After longer than maxInterval", () => {
    assert.equal(retryDelay({ ...base, attempt: 1, retryAfterMs: 60_001 }), undefined);
    assert.equal(retryDelay({ ...base, attempt: 1, retryAfterMs: 3_600_000 }), undefined);
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
    for (const value of [null, undefined, "", "soon", "-1", "1.5", "1e3"])
      assert.equal(parseRetryAfter(value, now), undefined, String(value));
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
      i === 0
        ? sendJson(res, 429, { error: "TOO_MANY_REQUESTS", message: "slow down" }, { "retry-after": "1" })
        : sendJson(res, 200, AUTHORIZATION_OK),
    );
    const started = performance.now();
    const result = await client(server).oauth.authorizationUrl(SEED_AUTHORIZE);
    const elapsed = performance.now() - started;
    assert.equal(result.state, "st-1");
    assert.equal(server.requests.length, 2);
    assert.ok(elapsed >= 950, `waited ${elapsed} ms`);
    assert.ok(elapsed < 1_900, `waited ${elapsed} ms`);
  });

  it("retries 503 twice, then succeeds", async () => {
    const server = await serve((_req, res, i) =>
      i < 2 ? sendJson(res, 503, { error: "SERVICE_UNAVAILABLE", message: "busy" }) : sendJson(res, 200, AUTHORIZATION_OK),
    );
    const result = await client(server).oauth.authorizationUrl(SEED_AUTHORIZE);
    assert.equal(result.state, "st-1");
    assert.equal(server.requests.length, 3);
    assert.equal(server.requests[2]?.url, server.requests[0]?.url, "same request each attempt");
  });

  it("retries dropped connections when retryConnectionErrors is true", async () => {
    const server = await serve((_req, res, i) => (i < 2 ? dropConnection(res) : sendJson(res, 200, AUTHORIZATION_OK)));
    const result = await client(server).oauth.authorizationUrl(SEED_AUTHORIZE);
    assert.equal(result.state, "st-1");
    assert.equal(server.requests.length, 3);
  });

  it("surfaces a dropped connection at once when retryConnectionErrors is false", async () => {
    const server = await serve((_req, res) => dropConnection(res));
    const noConn: RetryConfig = { strategy: "backoff", backoff: FAST, retryConnectionErrors: false };
    await assert.rejects(client(server, noConn).oauth.authorizationUrl(SEED_AUTHORIZE), ConnectionError);
    assert.equal(server.requests.length, 1);
  });

  it("makes exactly one attempt under strategy none", async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 503, { error: "SERVICE_UNAVAILABLE", message: "busy", code: "HTTP_SERVICE_UNAVAILABLE", statusCode: 503 }),
    );
    await assert.rejects(client(server, { strategy: "none" }).oauth.authorizationUrl(SEED_AUTHORIZE), (error) => {
      assert.ok(error instanceof PipeshubDefaultError);
      assert.equal(error.statusCode, 503);
      assert.equal(error.error, "SERVICE_UNAVAILABLE");
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  it("lets the per-call config win over the client's", async () => {
    const server = await serve((_req, res, i) => (i % 2 === 0 ? sendJson(res, 503, {}) : sendJson(res, 200, AUTHORIZATION_OK)));
    const none = client(server, { strategy: "none" });
    await none.oauth.authorizationUrl(SEED_AUTHORIZE, { retries: BACKOFF });
    assert.equal(server.requests.length, 2, "backoff per call on a none client");
    await assert.rejects(client(server).oauth.authorizationUrl(SEED_AUTHORIZE, { retries: { strategy: "none" } }), PipeshubDefaultError);
    assert.equal(server.requests.length, 3, "none per call on a backoff client");
  });

  it("stops within maxElapsedTime when the server keeps failing", async () => {
    const server = await serve((_req, res) => sendJson(res, 503, { error: "SERVICE_UNAVAILABLE", message: "busy" }));
    const budget: RetryConfig = {
      strategy: "backoff",
      backoff: { initialInterval: 50, maxInterval: 100, exponent: 1.5, maxElapsedTime: 300 },
    };
    const started = performance.now();
    await assert.rejects(client(server, budget).oauth.authorizationUrl(SEED_AUTHORIZE), PipeshubDefaultError);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 300 + 150, `took ${elapsed} ms`);
    // Delays of 37–125 ms within 300 ms: at least 3 attempts, at most 1 + 300/37.
    assert.ok(server.requests.length >= 3 && server.requests.length <= 9, `${server.requests.length} attempts`);
  });

  it("does not retry when Retry-After points past the time budget", async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 429, { error: "TOO_MANY_REQUESTS", message: "later" }, { "retry-after": "30" }),
    );
    const budget: RetryConfig = { strategy: "backoff", backoff: { ...FAST, maxInterval: 60_000, maxElapsedTime: 5_000 } };
    const started = performance.now();
    await assert.rejects(client(server, budget).oauth.authorizationUrl(SEED_AUTHORIZE), RateLimitError);
    assert.equal(server.requests.length, 1);
    assert.ok(performance.now() - started < 500);
  });

  it("retries a per-attempt timeout as a connection error", async () => {
    const server = await serve((_req, res, i) => (i === 0 ? hang() : sendJson(res, 200, AUTHORIZATION_OK)));
    const result = await client(server, BACKOFF, 200).oauth.authorizationUrl(SEED_AUTHORIZE);
    assert.equal(result.state, "st-1");
    assert.equal(server.requests.length, 2);
  });

  it("reports the last timeout when every attempt times out", async () => {
    const server = await serve(hang);
    const budget: RetryConfig = {
      strategy: "backoff",
      backoff: { initialInterval: 20, maxInterval: 20, exponent: 1, maxElapsedTime: 250 },
    };
    await assert.rejects(client(server, budget, 100).oauth.authorizationUrl(SEED_AUTHORIZE), RequestTimeoutError);
    assert.ok(server.requests.length >= 2, `${server.requests.length} attempts`);
  });

  it("stops waiting for a retry when the caller aborts", async () => {
    const server = await serve((_req, res) => sendJson(res, 503, {}, { "retry-after": "5" }));
    const patient: RetryConfig = { strategy: "backoff", backoff: { ...FAST, maxInterval: 10_000 } };
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user left")), 100);
    const started = performance.now();
    await assert.rejects(
      client(server, patient).oauth.authorizationUrl(SEED_AUTHORIZE, { signal: controller.signal }),
      RequestAbortedError,
    );
    assert.equal(server.requests.length, 1);
    assert.ok(performance.now() - started < 2_500, "did not sit out the 5 s");
  });
});

describe("single-use operations under backoff, over loopback", () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((server) => server.close())));

  async function serve(handler: Handler, port?: number): Promise<TestServer> {
    const server = await startServer(handler, port);
    servers.push(server);
    return server;
  }

  /** A backoff client of `serverURL` that counts the attempts it makes. */
  function countingClient(serverURL: string, timeoutMs?: number): { sdk: Pipeshub; attempts: () => number } {
    let attempts = 0;
    const fetch: FetchLike = (input, init) => {
      attempts++;
      return globalThis.fetch(input, init);
    };
    const sdk = new Pipeshub({ serverURL, retryConfig: BACKOFF, fetch, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    return { sdk, attempts: () => attempts };
  }

  for (const status of [500, 502, 504]) {
    it(`does not replay an exchange after a ${status}: the code may already be redeemed`, async () => {
      const server = await serve((_req, res, i) =>
        i === 0 ? sendJson(res, status, { error: "PROVIDER_ERROR", message: "upstream" }) : sendJson(res, 200, EXCHANGE_OK),
      );
      const error = await rejection(countingClient(server.url).sdk.oauth.exchangeCode(SEED_EXCHANGE), PipeshubDefaultError);
      assert.equal(error.statusCode, status, "the first, real failure");
      assert.equal(server.requests.length, 1);
    });
  }

  for (const status of [429, 503]) {
    it(`does not replay an exchange after a ${status} without Retry-After`, async () => {
      const server = await serve((_req, res, i) =>
        i === 0 ? sendJson(res, status, { error: "BUSY", message: "busy" }) : sendJson(res, 200, EXCHANGE_OK),
      );
      await assert.rejects(countingClient(server.url).sdk.oauth.exchangeCode(SEED_EXCHANGE), PipeshubDefaultError);
      assert.equal(server.requests.length, 1);
    });

    it(`retries an exchange after a ${status} with Retry-After: the service did not process it`, async () => {
      const server = await serve((_req, res, i) =>
        i === 0 ? sendJson(res, status, { error: "BUSY", message: "busy" }, { "retry-after": "0" }) : sendJson(res, 200, EXCHANGE_OK),
      );
      const result = await countingClient(server.url).sdk.oauth.exchangeCode(SEED_EXCHANGE);
      assert.equal(result.accessToken, "provider-at");
      assert.equal(server.requests.length, 2);
    });
  }

  it("gives up at once when Retry-After asks for a longer wait than the backoff allows", async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 503, { error: "SERVICE_UNAVAILABLE", message: "maintenance" }, { "retry-after": "10" }),
    );
    const sdk = new Pipeshub({ serverURL: server.url, retryConfig: { strategy: "backoff" } }); // DEFAULT_BACKOFF: at most 5 s apart
    const started = performance.now();
    const error = await rejection(sdk.oauth.exchangeCode(SEED_EXCHANGE), PipeshubDefaultError);
    assert.equal(error.headers.get("retry-after"), "10", "the caller sees when to come back");
    assert.equal(server.requests.length, 1);
    assert.ok(performance.now() - started < 5_000, "did not wait the 10 s");
  });

  it("does not replay a refresh whose connection dropped after sending", async () => {
    const server = await serve((_req, res, i) => (i === 0 ? dropConnection(res) : sendJson(res, 200, {})));
    const error = await rejection(countingClient(server.url).sdk.userAccount.refreshToken({ refreshToken: "rt-1" }), ConnectionError);
    assert.equal(error.connectFailed, false, `code ${error.code}`);
    assert.equal(server.requests.length, 1);
  });

  it("does not replay an exchange whose attempt timed out", async () => {
    const server = await serve((_req, res, i) => (i === 0 ? hang() : sendJson(res, 200, EXCHANGE_OK)));
    await assert.rejects(countingClient(server.url, 150).sdk.oauth.exchangeCode(SEED_EXCHANGE), RequestTimeoutError);
    assert.equal(server.requests.length, 1);
  });

  it("retries an exchange while the connection is refused, and sends it once the service is up", async () => {
    const port = await closedPort();
    const { sdk, attempts } = countingClient(`http://127.0.0.1:${port}`);
    const call = sdk.oauth.exchangeCode(SEED_EXCHANGE);
    await until(() => attempts() >= 2); // refused at least once, now waiting to retry
    const server = await serve((_req, res) => sendJson(res, 200, EXCHANGE_OK), port);
    const result = await call;
    assert.equal(result.accessToken, "provider-at");
    assert.equal(server.requests.length, 1, "the service saw the exchange once");
    assert.ok(attempts() >= 2, `${attempts()} attempts`);
  });

  it("gives up on a refused connection within the time budget", async () => {
    const port = await closedPort();
    const budget: RetryConfig = {
      strategy: "backoff",
      backoff: { initialInterval: 20, maxInterval: 20, exponent: 1, maxElapsedTime: 200 },
    };
    const sdk = new Pipeshub({ serverURL: `http://127.0.0.1:${port}`, retryConfig: budget });
    const error = await rejection(sdk.userAccount.refreshToken({ refreshToken: "rt-1" }), ConnectionError);
    assert.equal(error.code, "ECONNREFUSED");
    assert.equal(error.connectFailed, true);
  });
});

/** Every operation, with whether it may be replayed after it reached the server. */
const OPERATIONS: Record<string, { idempotent: boolean; call: (sdk: Pipeshub) => Promise<unknown> }> = {
  "oauth.exchangeCode": { idempotent: false, call: (sdk) => sdk.oauth.exchangeCode(SEED_EXCHANGE) },
  "oauth.authorizationUrl": { idempotent: true, call: (sdk) => sdk.oauth.authorizationUrl(SEED_AUTHORIZE) },
  "userAccount.initAuth": { idempotent: true, call: (sdk) => sdk.userAccount.initAuth() },
  "userAccount.authenticate": {
    idempotent: false,
    call: (sdk) => sdk.userAccount.authenticate({ sessionToken: "s", method: "oauth", credentials: { accessToken: "at" } }),
  },
  "userAccount.refreshToken": { idempotent: false, call: (sdk) => sdk.userAccount.refreshToken({ refreshToken: "rt" }) },
  "userAccount.logout": { idempotent: false, call: (sdk) => sdk.userAccount.logout({ accessToken: "at" }) },
  "admin.createOrg": { idempotent: false, call: (sdk) => sdk.admin.createOrg({ name: "Acme", domains: ["acme.test"] }) },
  "admin.listOrgs": { idempotent: true, call: (sdk) => sdk.admin.listOrgs() },
  "admin.getOrg": { idempotent: true, call: (sdk) => sdk.admin.getOrg("org_1") },
  "admin.putProvider": {
    idempotent: true,
    call: (sdk) => sdk.admin.putProvider("org_1", "okta", { clientId: "c", redirectUris: ["https://app/cb"] }),
  },
  "admin.saveProvider": {
    idempotent: true,
    call: (sdk) => sdk.admin.saveProvider("org_1", "okta", { clientId: "c", redirectUris: ["https://app/cb"] }),
  },
  "admin.getProvider": { idempotent: true, call: (sdk) => sdk.admin.getProvider("org_1", "okta") },
  "admin.listProviderPresets": { idempotent: true, call: (sdk) => sdk.admin.listProviderPresets() },
  "admin.listProviders": { idempotent: true, call: (sdk) => sdk.admin.listProviders("org_1") },
  "admin.deleteProvider": { idempotent: true, call: (sdk) => sdk.admin.deleteProvider("org_1", "okta") },
  "admin.testProvider": { idempotent: true, call: (sdk) => sdk.admin.testProvider("org_1", "okta") },
  "admin.doctorProvider": { idempotent: true, call: (sdk) => sdk.admin.doctorProvider("org_1", "okta") },
  "admin.promoteProviderSecret": { idempotent: false, call: (sdk) => sdk.admin.promoteProviderSecret("org_1", "okta") },
  "admin.putSamlProvider": { idempotent: true, call: (sdk) => sdk.admin.putSamlProvider("org_1", "s", { redirectUris: [] }) },
  "admin.saveSamlProvider": { idempotent: true, call: (sdk) => sdk.admin.saveSamlProvider("org_1", "s", { redirectUris: [] }) },
  "admin.getSamlProvider": { idempotent: true, call: (sdk) => sdk.admin.getSamlProvider("org_1", "s") },
  "admin.listSamlProviders": { idempotent: true, call: (sdk) => sdk.admin.listSamlProviders("org_1") },
  "admin.deleteSamlProvider": { idempotent: true, call: (sdk) => sdk.admin.deleteSamlProvider("org_1", "s") },
  "admin.listSamlProviderPresets": { idempotent: true, call: (sdk) => sdk.admin.listSamlProviderPresets() },
  "admin.doctorSamlProvider": { idempotent: true, call: (sdk) => sdk.admin.doctorSamlProvider("org_1", "s") },
  "admin.startSamlTestSignIn": { idempotent: false, call: (sdk) => sdk.admin.startSamlTestSignIn("org_1", "s") },
  "admin.getSamlProviderHealth": { idempotent: true, call: (sdk) => sdk.admin.getSamlProviderHealth("org_1", "s") },
  "admin.createUser": { idempotent: false, call: (sdk) => sdk.admin.createUser("org_1", { email: "u@acme.test" }) },
  "admin.findUsers": { idempotent: true, call: (sdk) => sdk.admin.findUsers("org_1", "u@acme.test") },
  "admin.listUsers": { idempotent: true, call: (sdk) => sdk.admin.listUsers("org_1") },
  "admin.listUsersPage": { idempotent: true, call: (sdk) => sdk.admin.listUsersPage("org_1", { q: "a" }) },
  "admin.endUserSessions": { idempotent: true, call: (sdk) => sdk.admin.endUserSessions("org_1", "usr_1") },
  "admin.setUserRole": { idempotent: true, call: (sdk) => sdk.admin.setUserRole("org_1", "usr_1", "admin") },
  "admin.setUserStatus": { idempotent: true, call: (sdk) => sdk.admin.setUserStatus("org_1", "usr_1", "disabled") },
  "admin.listUserIdentities": { idempotent: true, call: (sdk) => sdk.admin.listUserIdentities("org_1", "usr_1") },
  "admin.unlinkUserIdentity": { idempotent: true, call: (sdk) => sdk.admin.unlinkUserIdentity("org_1", "usr_1", "okta") },
  "admin.listAudit": { idempotent: true, call: (sdk) => sdk.admin.listAudit("org_1") },
  "admin.listServiceAudit": { idempotent: true, call: (sdk) => sdk.admin.listServiceAudit() },
  "admin.createSetupLink": { idempotent: false, call: (sdk) => sdk.admin.createSetupLink("org_1") },
  "admin.listSetupLinks": { idempotent: true, call: (sdk) => sdk.admin.listSetupLinks("org_1") },
  "admin.revokeSetupLink": { idempotent: true, call: (sdk) => sdk.admin.revokeSetupLink("org_1", "l1") },
  "admin.redeemSetupLink": { idempotent: false, call: (sdk) => sdk.admin.redeemSetupLink("t") },
  "admin.listEvents": { idempotent: true, call: (sdk) => sdk.admin.listEvents("org_1") },
  "admin.startTestSignIn": { idempotent: false, call: (sdk) => sdk.admin.startTestSignIn("org_1", "okta") },
  "admin.completeTestSignIn": { idempotent: false, call: (sdk) => sdk.admin.completeTestSignIn({ state: "s", code: "c" }) },
  "admin.getProviderHealth": { idempotent: true, call: (sdk) => sdk.admin.getProviderHealth("org_1", "okta") },
  "admin.getAuthMethods": { idempotent: true, call: (sdk) => sdk.admin.getAuthMethods("org_1") },
  "admin.setAuthMethods": {
    idempotent: true,
    call: (sdk) => sdk.admin.setAuthMethods("org_1", [{ order: 1, allowedMethods: [{ type: "oauth" }] }]),
  },
  "admin.renameOrg": { idempotent: true, call: (sdk) => sdk.admin.renameOrg("org_1", "Acme") },
  "admin.deleteOrg": { idempotent: true, call: (sdk) => sdk.admin.deleteOrg("org_1") },
  "admin.addOrgDomain": { idempotent: false, call: (sdk) => sdk.admin.addOrgDomain("org_1", "acme.test") },
  "admin.removeOrgDomain": { idempotent: true, call: (sdk) => sdk.admin.removeOrgDomain("org_1", "acme.test") },
  "admin.listDomains": { idempotent: true, call: (sdk) => sdk.admin.listDomains("org_1") },
  "admin.verifyDomain": { idempotent: true, call: (sdk) => sdk.admin.verifyDomain("org_1", "acme.test") },
  "admin.listSigningKeys": { idempotent: true, call: (sdk) => sdk.admin.listSigningKeys() },
  "admin.getSettings": { idempotent: true, call: (sdk) => sdk.admin.getSettings() },
  "admin.rotateSigningKeys": { idempotent: false, call: (sdk) => sdk.admin.rotateSigningKeys() },
  "admin.reencryptSecrets": { idempotent: true, call: (sdk) => sdk.admin.reencryptSecrets() },
  "admin.listConsoleSessions": { idempotent: true, call: (sdk) => sdk.admin.listConsoleSessions() },
  "admin.endConsoleSession": { idempotent: true, call: (sdk) => sdk.admin.endConsoleSession("s1") },
  "admin.endAllConsoleSessions": { idempotent: true, call: (sdk) => sdk.admin.endAllConsoleSessions() },
  "admin.createScimToken": { idempotent: false, call: (sdk) => sdk.admin.createScimToken("org_1") },
  "admin.listScimTokens": { idempotent: true, call: (sdk) => sdk.admin.listScimTokens("org_1") },
  "admin.revokeScimToken": { idempotent: true, call: (sdk) => sdk.admin.revokeScimToken("org_1", "t1") },
  "admin.setScimAdminGroup": { idempotent: true, call: (sdk) => sdk.admin.setScimAdminGroup("org_1", null) },
  "admin.createIntrospectionToken": { idempotent: false, call: (sdk) => sdk.admin.createIntrospectionToken() },
  "admin.listIntrospectionTokens": { idempotent: true, call: (sdk) => sdk.admin.listIntrospectionTokens() },
  "admin.revokeIntrospectionToken": { idempotent: true, call: (sdk) => sdk.admin.revokeIntrospectionToken("t1") },
  "userAccount.introspectToken": {
    idempotent: true,
    call: (sdk) => sdk.userAccount.introspectToken({ token: "t", introspectionToken: "i" }),
  },
};

describe("each operation declares whether it may be replayed", () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((server) => server.close())));

  it("the table lists every operation of the client", () => {
    const groups = { oauth: OAuth, userAccount: UserAccount, admin: Admin };
    // `Admin` is composed of one class per resource, each extending the next: walk them all.
    const names = Object.entries(groups).flatMap(([group, type]) => {
      const names = new Set<string>();
      for (let proto = type.prototype; proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
        for (const name of Object.getOwnPropertyNames(proto)) names.add(`${group}.${name}`);
      }
      return [...names].filter((name) => !/\.(constructor|call|callWithoutToken)$/.test(name));
    });
    assert.deepEqual(Object.keys(OPERATIONS).sort(), names.sort());
  });

  // The first answer is a 502: an idempotent operation retries it and meets the final 400;
  // any other operation reports the 502.
  const quick: RetryConfig = { strategy: "backoff", backoff: { initialInterval: 5, maxInterval: 5, exponent: 1, maxElapsedTime: 10_000 } };
  for (const [name, { idempotent, call }] of Object.entries(OPERATIONS)) {
    it(`${name} is ${idempotent ? "retried" : "not retried"} after a 502`, async () => {
      const server = await startServer((_req, res, i) =>
        i === 0
          ? sendJson(res, 502, { error: "PROVIDER_ERROR", message: "upstream" })
          : sendJson(res, 400, { error: "VALIDATION_ERROR", message: "final" }),
      );
      servers.push(server);
      const sdk = new Pipeshub({ serverURL: server.url, adminToken: "admin-jwt", retryConfig: quick });
      const error = await rejection(call(sdk), APIError);
      assert.equal(error.statusCode, idempotent ? 400 : 502);
      assert.equal(server.requests.length, idempotent ? 2 : 1);
    });
  }
});

/** Asserts that `promise` rejects with an instance of `type` and hands the error over. */
async function rejection<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${type.name}, but the call succeeded`);
}

/** Resolves once `condition` holds (checked every 5 ms), or fails after `ms`. */
async function until(condition: () => boolean, ms = 2_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
