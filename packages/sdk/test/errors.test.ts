import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, describe, it } from "node:test";
import { inspect } from "node:util";
import {
  APIError,
  AuthError,
  AuthenticationError,
  ConflictError,
  ConnectionError,
  NotFoundError,
  PermissionError,
  Pipeshub,
  PipeshubDefaultError,
  PipeshubError,
  RateLimitError,
  ServiceUnavailableError,
  RequestAbortedError,
  RequestTimeoutError,
  ResponseValidationError,
  SDK_VERSION,
  type PipeshubOptions,
} from "../src/index.ts";
import {
  EXCHANGE_OK,
  SEED_EXCHANGE,
  closedPort,
  hang,
  sendJson,
  sendText,
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

/** A client that makes one attempt, so each test sees the first answer. */
function client(server: TestServer | string, options: Partial<PipeshubOptions> = {}): Pipeshub {
  const serverURL = typeof server === "string" ? server : server.url;
  return new Pipeshub({ serverURL, retryConfig: { strategy: "none" }, ...options });
}

/** Runs the seed's exchange against a server answering `status` + `body`, and returns what it threw. */
async function exchangeError(handler: Handler): Promise<unknown> {
  const server = await serve(handler);
  try {
    await client(server).oauth.exchangeCode(SEED_EXCHANGE);
  } catch (error) {
    assert.ok(error instanceof PipeshubError, "every failure is a PipeshubError");
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail("exchangeCode resolved");
}

describe("exchangeCode on the wire", () => {
  it("posts the seed's fields as JSON with the SDK's headers", async () => {
    const server = await serve((_req, res) => sendJson(res, 200, EXCHANGE_OK));
    const result = await client(server).oauth.exchangeCode(SEED_EXCHANGE);
    assert.deepEqual(result, { accessToken: "provider-at", idToken: "provider-idt", tokenType: "Bearer", expiresIn: 3600 });

    const [request] = server.requests;
    assert.equal(request?.method, "POST");
    assert.equal(request?.url, "/userAccount/oauth/exchange");
    assert.equal(request?.headers["content-type"], "application/json");
    assert.equal(request?.headers.accept, "application/json");
    assert.equal(request?.headers["user-agent"], `pipeshub-ts/${SDK_VERSION}`);
    assert.equal(request?.headers.authorization, undefined, "the exchange is unauthenticated");
    assert.deepEqual(JSON.parse(request?.body ?? ""), {
      code: "<value>",
      email: "Jason2@gmail.com",
      provider: "<value>",
      redirectUri: "https://enlightened-developing.info",
    });
  });

  it("sends state and iss when given, the session token as x-session-token, and the client's and call's headers", async () => {
    const server = await serve((_req, res) => sendJson(res, 200, { access_token: "at", token_type: "Bearer" }));
    const sdk = client(server, { userAgent: "my-app/2.0", headers: { "x-tenant-hint": "acme" } });
    const result = await sdk.oauth.exchangeCode(
      { ...SEED_EXCHANGE, state: "st-1", iss: "https://idp.example", sessionToken: "sess-1" },
      { headers: { "x-request-id": "req-9" } },
    );
    assert.deepEqual(result, { accessToken: "at", tokenType: "Bearer" }, "absent optional fields stay absent");
    const [request] = server.requests;
    assert.deepEqual(JSON.parse(request?.body ?? ""), { ...SEED_EXCHANGE, state: "st-1", iss: "https://idp.example" });
    assert.equal(request?.headers["x-session-token"], "sess-1");
    assert.equal(request?.headers["user-agent"], "my-app/2.0");
    assert.equal(request?.headers["x-tenant-hint"], "acme");
    assert.equal(request?.headers["x-request-id"], "req-9");
  });

  it("treats null optional fields as absent", async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 200, { access_token: "at", token_type: "Bearer", id_token: null, expires_in: null }),
    );
    assert.deepEqual(await client(server).oauth.exchangeCode(SEED_EXCHANGE), { accessToken: "at", tokenType: "Bearer" });
  });

  it("appends paths to a serverURL with a base path", async () => {
    const server = await serve((_req, res) => sendJson(res, 200, EXCHANGE_OK));
    await client(`${server.url}/auth/`).oauth.exchangeCode(SEED_EXCHANGE);
    assert.equal(server.requests[0]?.url, "/auth/userAccount/oauth/exchange");
  });
});

describe("HTTP errors", () => {
  it("maps 400 to AuthError with the wire fields", async () => {
    const body = {
      error: "INVALID_GRANT",
      message: "The authorization code is invalid or expired",
      code: "HTTP_BAD_REQUEST",
      statusCode: 400,
    };
    const error = await exchangeError((_req, res) => sendJson(res, 400, body, { "x-request-id": "req-400" }));
    assert.ok(error instanceof AuthError);
    assert.ok(error instanceof APIError);
    assert.ok(!(error instanceof PipeshubDefaultError));
    assert.equal(error.name, "AuthError");
    assert.equal(error.error, "INVALID_GRANT");
    assert.equal(error.code, "HTTP_BAD_REQUEST");
    assert.equal(error.statusCode, 400);
    assert.equal(error.message, "400 INVALID_GRANT: The authorization code is invalid or expired");
    assert.equal(error.serviceMessage, "The authorization code is invalid or expired");
    assert.deepEqual(JSON.parse(error.body), body);
    assert.ok(error.response instanceof Response);
    assert.equal(error.response.status, 400);
    assert.equal(error.headers.get("content-type"), "application/json");
    assert.equal(error.requestId, "req-400");
  });

  for (const [status, id, ErrorClass] of [
    [401, "EMAIL_MISMATCH", AuthenticationError],
    [403, "FORBIDDEN", PermissionError],
    [404, "USER_NOT_FOUND", NotFoundError],
    [409, "CONFLICT", ConflictError],
    [503, "SERVICE_UNAVAILABLE", ServiceUnavailableError],
    [500, "INTERNAL_ERROR", PipeshubDefaultError],
    [502, "PROVIDER_UNAVAILABLE", PipeshubDefaultError],
  ] as const) {
    it(`maps ${status} JSON to ${ErrorClass.name}, a PipeshubDefaultError`, async () => {
      const error = await exchangeError((_req, res) =>
        sendJson(res, status, { error: id, message: `failed ${status}`, code: "X", statusCode: status }),
      );
      assert.ok(error instanceof PipeshubDefaultError, "existing catches of PipeshubDefaultError still catch it");
      assert.ok(error instanceof ErrorClass);
      assert.ok(!(error instanceof AuthError));
      assert.equal(error.constructor, ErrorClass, "the class of its status, not a sibling's");
      assert.equal(error.name, ErrorClass.name);
      assert.equal(error.statusCode, status);
      assert.equal(error.error, id);
      assert.equal(error.message, `${status} ${id}: failed ${status}`);
      assert.equal(error.serviceMessage, `failed ${status}`);
      assert.equal(error.requestId, undefined);
    });
  }

  it("maps 429 to RateLimitError, a PipeshubDefaultError", async () => {
    const error = await exchangeError((_req, res) =>
      sendJson(res, 429, { error: "TOO_MANY_REQUESTS", message: "slow down" }, { "retry-after": "7" }),
    );
    assert.ok(error instanceof RateLimitError);
    assert.ok(error instanceof PipeshubDefaultError);
    assert.equal(error.name, "RateLimitError");
    assert.equal(error.headers.get("retry-after"), "7");
  });

  it("keeps a non-JSON error body raw", async () => {
    const html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    const error = await exchangeError((_req, res) => sendText(res, 502, html, "text/html"));
    assert.ok(error instanceof PipeshubDefaultError);
    assert.equal(error.statusCode, 502);
    assert.equal(error.body, html);
    assert.equal(error.error, undefined);
    assert.equal(error.code, undefined);
    assert.equal(error.message, "502 Bad Gateway");
    assert.equal(error.serviceMessage, undefined);
    assert.equal(error.headers.get("content-type"), "text/html");
  });

  it("also reads the OpenAPI file's nested error envelope", async () => {
    const error = await exchangeError((_req, res) => sendJson(res, 404, { error: { code: "HTTP_NOT_FOUND", message: "Session expired" } }));
    assert.ok(error instanceof PipeshubDefaultError);
    assert.equal(error.error, "HTTP_NOT_FOUND");
    assert.equal(error.message, "404 HTTP_NOT_FOUND: Session expired");
  });
});

describe("printing an error", () => {
  const INVALID_STATE = {
    error: "INVALID_STATE",
    message: "This sign-in attempt is unknown, expired or already used. Start again.",
    code: "HTTP_BAD_REQUEST",
    statusCode: 400,
  };
  const SUMMARY = "AuthError: 400 INVALID_STATE: This sign-in attempt is unknown, expired or already used. Start again.";
  const invalidState: Handler = (_req, res) => sendJson(res, 400, INVALID_STATE, { "x-request-id": "req-42" });

  it("String(err) and err.message are one line: class, status, error id, the service's words", async () => {
    const error = await exchangeError(invalidState);
    assert.equal(String(error), SUMMARY);
    assert.ok(error instanceof AuthError);
    assert.equal(`${error.name}: ${error.message}`, SUMMARY);
  });

  it("util.inspect(err) is that line and the stack, from the caller's await, without the Response", async () => {
    const error = await exchangeError(invalidState);
    const [first, ...rest] = inspect(error).split("\n");
    assert.equal(first, SUMMARY);
    assert.ok(rest.length >= 1 && rest.every((line) => line.startsWith("    at ")), inspect(error));
    assert.match(rest.join("\n"), /errors\.test\.ts/, "the caller's line is in the trace");
    assert.doesNotMatch(rest.join("\n"), /src\/(http|errors)\.ts/, "the SDK's own frames are not");
    for (const word of ["Response", "Headers", "x-request-id", "req-42", "HTTP_BAD_REQUEST"])
      assert.ok(!inspect(error).includes(word), word);
    assert.ok(inspect({ error }).includes(SUMMARY) && !inspect({ error }).includes("Headers"), "the same inside an object");
  });

  it("keeps the details on properties that printing skips", async () => {
    const error = await exchangeError(invalidState);
    assert.ok(error instanceof AuthError);
    assert.equal(error.statusCode, 400);
    assert.equal(error.error, "INVALID_STATE");
    assert.equal(error.code, "HTTP_BAD_REQUEST");
    assert.equal(error.requestId, "req-42");
    assert.equal(error.headers.get("x-request-id"), "req-42");
    assert.deepEqual(JSON.parse(error.body), INVALID_STATE);
    assert.equal(error.response.status, 400);
    assert.deepEqual(Object.keys(error), ["name"], "nothing else is enumerable");
  });

  it("serialises to JSON with the short details only", async () => {
    const error = await exchangeError(invalidState);
    assert.deepEqual(JSON.parse(JSON.stringify(error)), {
      name: "AuthError",
      message: SUMMARY.slice("AuthError: ".length),
      statusCode: 400,
      error: "INVALID_STATE",
      code: "HTTP_BAD_REQUEST",
      requestId: "req-42",
    });
  });

  it("keeps a multi-line service message on one line", async () => {
    const error = await exchangeError((_req, res) =>
      sendJson(res, 503, { error: "MAINTENANCE", message: "Down for maintenance.\n\tBack at 10:00." }),
    );
    assert.equal(String(error), "ServiceUnavailableError: 503 MAINTENANCE: Down for maintenance. Back at 10:00.");
  });

  it("prints connection failures and timeouts as one line too", async () => {
    const refused = await assert.rejects(client(`http://127.0.0.1:${await closedPort()}`).userAccount.initAuth(), (error) => {
      assert.ok(error instanceof ConnectionError);
      assert.match(
        inspect(error).split("\n")[0] ?? "",
        /^ConnectionError: Could not complete POST http:\/\/127\.0\.0\.1:\d+\/userAccount\/initAuth: fetch failed \(connect ECONNREFUSED [\d.:]+\)$/,
      );
      assert.ok(!inspect(error).includes("[cause]"), "the cause's message is in the line; its trace stays on err.cause");
      assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(error))), ["name", "message", "code"]);
      return true;
    });
    assert.equal(refused, undefined);
    const server = await serve(hang);
    await assert.rejects(client(server, { timeoutMs: 50 }).userAccount.initAuth(), (error) => {
      assert.equal(inspect(error).split("\n")[0], "RequestTimeoutError: Request timed out after 50 ms");
      assert.deepEqual(JSON.parse(JSON.stringify(error)), {
        name: "RequestTimeoutError",
        message: "Request timed out after 50 ms",
        timeoutMs: 50,
      });
      return true;
    });
  });

  it("an uncaught SDK error prints a few lines, the summary among them", async () => {
    const server = await serve(invalidState);
    const sdk = new URL("../src/index.ts", import.meta.url).href;
    const script = [
      `import { Pipeshub } from ${JSON.stringify(sdk)};`,
      `const client = new Pipeshub({ serverURL: ${JSON.stringify(server.url)} });`,
      `await client.oauth.exchangeCode({ code: "c", email: "a@example.com", provider: "p", redirectUri: "https://app.example/cb" });`,
    ].join("\n");
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, ["--input-type=module", "-e", script], (error, _stdout, stderr) => {
        if (error && typeof error.code !== "number") reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stderr });
      });
    });
    assert.equal(code, 1, stderr);
    assert.ok(stderr.includes(SUMMARY), stderr);
    const lines = stderr.trimEnd().split("\n");
    assert.ok(lines.length <= 10, `${lines.length} lines:\n${stderr}`);
    assert.match(stderr, /\[eval1\]:3/, "the script's own line is in the trace");
    assert.doesNotMatch(stderr, /Response|Headers|req-42/);
  });
});

describe("malformed 2xx bodies", () => {
  for (const [label, body] of [
    ["an empty object", "{}"],
    ["a numeric access_token", JSON.stringify({ access_token: 5, token_type: "Bearer" })],
    ["a missing token_type", JSON.stringify({ access_token: "at" })],
    ["a fractional expires_in", JSON.stringify({ access_token: "at", token_type: "Bearer", expires_in: 1.5 })],
    ["an array", "[]"],
    ["HTML", "<html></html>"],
    ["an empty body", ""],
  ] as const) {
    it(`rejects ${label} with ResponseValidationError`, async () => {
      const error = await exchangeError((_req, res) => sendText(res, 200, body, "application/json"));
      assert.ok(error instanceof ResponseValidationError);
      assert.equal(error.name, "ResponseValidationError");
      assert.equal(error.statusCode, 200);
      assert.equal(error.body, body);
      assert.match(error.message, /^Unexpected response from POST \/userAccount\/oauth\/exchange: /);
    });
  }

  it("names the offending field", async () => {
    const error = await exchangeError((_req, res) => sendJson(res, 200, { access_token: 5 }));
    assert.ok(error instanceof ResponseValidationError);
    assert.match(error.message, /response\.access_token: expected string, got number/);
  });
});

describe("transport failures", () => {
  it("throws RequestTimeoutError when timeoutMs elapses", async () => {
    const server = await serve(hang);
    const started = performance.now();
    await assert.rejects(client(server, { timeoutMs: 150 }).oauth.exchangeCode(SEED_EXCHANGE), (error) => {
      assert.ok(error instanceof RequestTimeoutError);
      assert.ok(error instanceof PipeshubError);
      assert.equal(error.name, "RequestTimeoutError");
      assert.equal(error.timeoutMs, 150);
      return true;
    });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 140 && elapsed < 1_000, `took ${elapsed} ms`);
  });

  it("lets a call's timeoutMs override the client's", async () => {
    const server = await serve(hang);
    await assert.rejects(client(server, { timeoutMs: 60_000 }).oauth.exchangeCode(SEED_EXCHANGE, { timeoutMs: 50 }), RequestTimeoutError);
  });

  it("times out a response whose body never ends", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"access_token":');
    });
    await assert.rejects(client(server, { timeoutMs: 150 }).oauth.exchangeCode(SEED_EXCHANGE), RequestTimeoutError);
  });

  it("throws RequestAbortedError when the caller's signal fires", async () => {
    const server = await serve(hang);
    const controller = new AbortController();
    const reason = new Error("navigated away");
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(client(server).oauth.exchangeCode(SEED_EXCHANGE, { signal: controller.signal }), (error) => {
      assert.ok(error instanceof RequestAbortedError);
      assert.ok(error instanceof PipeshubError);
      assert.equal(error.name, "RequestAbortedError");
      assert.equal(error.cause, reason);
      return true;
    });
  });

  it("sends nothing when the signal is already aborted", async () => {
    const server = await serve((_req, res) => sendJson(res, 200, EXCHANGE_OK));
    await assert.rejects(client(server).oauth.exchangeCode(SEED_EXCHANGE, { signal: AbortSignal.abort() }), RequestAbortedError);
    assert.equal(server.requests.length, 0);
  });

  it("throws ConnectionError when nothing listens", async () => {
    const port = await closedPort();
    await assert.rejects(client(`http://127.0.0.1:${port}`).oauth.exchangeCode(SEED_EXCHANGE), (error) => {
      assert.ok(error instanceof ConnectionError);
      assert.ok(error instanceof PipeshubError);
      assert.equal(error.name, "ConnectionError");
      assert.ok(error.cause instanceof Error, "cause is the fetch error");
      assert.match(error.message, /POST http:\/\/127\.0\.0\.1:\d+\/userAccount\/oauth\/exchange/);
      return true;
    });
  });
});

describe("client options", () => {
  it("rejects a serverURL that is not an absolute http(s) URL", () => {
    assert.throws(() => new Pipeshub({ serverURL: "api.example.com" }), TypeError);
    assert.throws(() => new Pipeshub({ serverURL: "ftp://api.example.com" }), TypeError);
  });

  it("rejects a non-positive timeoutMs", () => {
    assert.throws(() => new Pipeshub({ serverURL: "https://api.example.com", timeoutMs: 0 }), TypeError);
  });

  it("uses a custom fetch", async () => {
    const calls: string[] = [];
    const sdk = new Pipeshub({
      serverURL: "https://api.example.com",
      fetch: async (input, init) => {
        calls.push(`${init.method} ${input}`);
        return Response.json(EXCHANGE_OK);
      },
    });
    const result = await sdk.oauth.exchangeCode(SEED_EXCHANGE);
    assert.equal(result.accessToken, "provider-at");
    assert.deepEqual(calls, ["POST https://api.example.com/userAccount/oauth/exchange"]);
  });
});
