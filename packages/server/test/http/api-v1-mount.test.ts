// PipesHub serves this API under /api/v1: /userAccount/*, /orgAuthConfig/* and
// /configurationManager/* answer there exactly as at the root, as one endpoint.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import {
  assertAuthError,
  auditEvents,
  type JsonResponse,
  refreshWith,
  requestAs,
  type RunningService,
  startService,
} from "../support/service.ts";
import { acmeAndInitech, alice, REDIRECT_URI, type SignInFixture, signIn, signInFixture, startSignIn } from "../support/sign-in-fixture.ts";

const MOUNTS = ["", "/api/v1"] as const;

/** The fixture with every request of its service sent under `mount`. */
function through(f: SignInFixture, mount: string): SignInFixture {
  const request: RunningService["request"] = (method, path, body, headers) => f.service.request(method, mount + path, body, headers);
  return {
    ...f,
    service: { ...f.service, request, admin: (method, path, body) => f.service.admin(method, mount + path, body) },
    exchange: (body, sessionToken) =>
      request(
        "POST",
        "/userAccount/oauth/exchange",
        { provider: "acme-idp", redirectUri: REDIRECT_URI, ...body },
        sessionToken === undefined ? {} : { "x-session-token": sessionToken },
      ),
  };
}

/** A JSON value's shape: its keys and the types of its values, whatever the tokens and ids in it. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shapeOf(item)]));
  return typeof value;
}

const answer = (response: JsonResponse<unknown>) => ({ status: response.status, shape: shapeOf(response.body) });

/** The headers an answer carries, but those that differ from one request to the next. */
function stableHeaders(response: { headers: Headers }): Record<string, string> {
  const varying = new Set(["date", "x-request-id", "keep-alive", "connection"]);
  return Object.fromEntries([...response.headers].filter(([name]) => !varying.has(name)));
}

describe("the public API under /api/v1", () => {
  test("a whole sign-in through /api/v1 answers as through the root: initAuth, authorize, exchange, authenticate, refresh, logout", async (t) => {
    const f = await signInFixture(t);
    const answers: Record<string, unknown> = {};
    for (const mount of MOUNTS) {
      const m = through(f, mount);
      const { session, code, state } = await startSignIn(m, alice);
      const exchanged = await m.exchange({ code, email: alice.email, state }, session);
      assert.equal(exchanged.status, 200, exchanged.text);
      const { access_token, id_token } = exchanged.body as { access_token: string; id_token: string };
      const authenticated = await m.service.request<{ accessToken: string; refreshToken: string }>(
        "POST",
        "/userAccount/authenticate",
        { method: "oauth", credentials: { accessToken: access_token, idToken: id_token } },
        { "x-session-token": session },
      );
      assert.equal(authenticated.status, 200, authenticated.text);
      const refreshed = await refreshWith(m.service, authenticated.body.refreshToken);
      assert.equal(refreshed.status, 200, refreshed.text);
      const loggedOut = await requestAs(m.service, refreshed.body.accessToken, "POST", "/userAccount/logout/manual");
      const ended = await refreshWith(m.service, refreshed.body.refreshToken);
      assertAuthError(ended, 401, "INVALID_TOKEN");
      answers[mount] = [exchanged, authenticated, refreshed, loggedOut, ended].map(answer);
    }
    assert.deepEqual(answers["/api/v1"], answers[""]);

    // The seed's stateless exchange (no initAuth, no state) too.
    const seed = await through(f, "/api/v1").exchange({ code: await f.code(alice.sub), email: alice.email });
    assert.equal(seed.status, 200, seed.text);
    assert.deepEqual(Object.keys(seed.body as object).sort(), ["access_token", "expires_in", "id_token", "token_type"]);

    // One endpoint: one series per route in /metrics, whichever mount was called.
    const metrics = await (await fetch(`${f.service.url}/metrics`)).text();
    assert.doesNotMatch(metrics, /route="\/api\/v1\/userAccount/);
    assert.match(metrics, /pipeshub_auth_http_requests_total\{route="\/userAccount\/oauth\/exchange",method="POST",status="200"\} 3/);
  });

  test("a bad request answers the same AuthError, status and headers under both mounts", async (t) => {
    const f = await signInFixture(t, { config: { corsOrigins: ["https://app.example.test"] } });
    const origin = { origin: "https://app.example.test" };
    const calls: [string, string, unknown, Record<string, string>?][] = [
      ["POST", "/userAccount/oauth/exchange", {}],
      ["POST", "/userAccount/oauth/exchange", { code: "c", email: alice.email, provider: "nobody", redirectUri: REDIRECT_URI }, origin],
      ["POST", "/userAccount/oauth/exchange", { code: "c", email: alice.email, provider: "acme-idp", redirectUri: REDIRECT_URI, extra: 1 }],
      ["GET", `/userAccount/oauth/authorize?provider=acme-idp&email=${alice.email}`, undefined],
      ["POST", "/userAccount/authenticate", { method: "oauth", credentials: { accessToken: "a" } }],
      ["POST", "/userAccount/initAuth", { email: "not an email" }, origin],
      ["POST", "/userAccount/refresh/token", undefined, { authorization: "Bearer not-a-token" }],
      ["POST", "/userAccount/logout/manual", undefined],
    ];
    for (const [method, path, body, headers] of calls) {
      const [root, mounted] = await Promise.all(MOUNTS.map((mount) => f.service.request(method, mount + path, body, headers)));
      assert.ok(root!.status >= 400, `${method} ${path}: ${root!.text}`);
      assert.equal(mounted!.status, root!.status, `${method} ${path}: ${mounted!.text}`);
      assert.deepEqual(mounted!.body, root!.body, `${method} ${path}`);
      assert.deepEqual(stableHeaders(mounted!), stableHeaders(root!), `${method} ${path}`);
    }
    // CORS preflights are answered alike.
    const preflight = (path: string) =>
      fetch(`${f.service.url}${path}`, {
        method: "OPTIONS",
        headers: { ...origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,x-session-token" },
      });
    const [root, mounted] = await Promise.all(MOUNTS.map((mount) => preflight(`${mount}/userAccount/initAuth`)));
    assert.equal(mounted!.status, 204);
    assert.equal(mounted!.headers.get("access-control-allow-origin"), "https://app.example.test");
    assert.deepEqual(stableHeaders(mounted!), stableHeaders(root!));
  });

  test("/orgAuthConfig and /configurationManager answer under /api/v1 as at the root, behind the same admin guard", async (t) => {
    const { f } = await acmeAndInitech(t);
    const steps = [{ order: 1, allowedMethods: [{ type: "oauth" }, { type: "password" }] }];
    const saved = await through(f, "/api/v1").service.admin("POST", `/orgAuthConfig/updateAuthMethod?orgId=${f.orgId}`, {
      authMethod: steps,
    });
    assert.equal(saved.status, 200, saved.text);
    assert.deepEqual(saved.body, { message: "Auth method updated", authMethod: steps });
    for (const path of [`/orgAuthConfig/authMethods?orgId=${f.orgId}`, `/configurationManager/authConfig/oauth?orgId=${f.orgId}`]) {
      const [root, mounted] = await Promise.all(MOUNTS.map((mount) => f.service.admin("GET", mount + path)));
      assert.equal(root!.status, 200, root!.text);
      assert.deepEqual(mounted!.body, root!.body, path);
    }
    // The write through /api/v1 is recorded as the same admin action a write at the root is.
    const [action] = await auditEvents(f.service, f.orgId, "auth_methods.updated");
    assert.deepEqual([action?.actor, action?.outcome], ["operator", "success"]);

    // No credential: 401 with its challenge; an organisation admin (not the operator): 403, as at the root.
    const { accessToken } = await signIn(f, alice);
    for (const path of ["/orgAuthConfig/authMethods", "/configurationManager/authConfig/oauth"]) {
      for (const credential of [{}, { authorization: `Bearer ${accessToken}` }] as Record<string, string>[]) {
        const [root, mounted] = await Promise.all(MOUNTS.map((mount) => f.service.request("GET", mount + path, undefined, credential)));
        assert.ok(root!.status === 401 || root!.status === 403, root!.text);
        assert.equal(mounted!.status, root!.status, mounted!.text);
        assert.deepEqual(mounted!.body, root!.body);
        assert.equal(mounted!.headers.get("www-authenticate"), root!.headers.get("www-authenticate"));
      }
    }
  });

  test("only the three groups are mounted: anything else under /api/v1 is not found, named as it was sent", async (t) => {
    const service = await startService(t);
    for (const path of ["/api/v1/.well-known/jwks.json", "/api/v1/healthz", "/api/v1/userAccountX/initAuth", "/api/v1/api/v1/orgs"]) {
      const body = assertAuthError(await service.request("GET", path), 404, "NOT_FOUND");
      assert.equal(body.message, `No route GET ${path}.`);
    }
    const body = assertAuthError(await service.request("POST", "/api/v1/userAccount/nowhere?code=x", {}), 404, "NOT_FOUND");
    assert.equal(body.message, "No route POST /api/v1/userAccount/nowhere.");
  });

  test("/openapi.json lists each operation once and says both mounts serve the public groups", async (t) => {
    const service = await startService(t);
    const document = (await service.request("GET", "/openapi.json")).body as {
      info: { description: string };
      servers: { url: string }[];
      paths: Record<string, Record<string, { operationId?: string; servers?: { url: string }[] }>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.values(item).map((op) => ({ path, ...op })));
    const ids = operations.flatMap((op) => (op.operationId === undefined ? [] : [op.operationId]));
    assert.deepEqual(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      [],
      "no operationId twice",
    );
    const mounted = /^\/(userAccount|orgAuthConfig|configurationManager)\//;
    assert.deepEqual(
      Object.keys(document.paths).filter((path) => /^\/api\/v1\/(userAccount|orgAuthConfig|configurationManager)\//.test(path)),
      [],
      "the /api/v1 copies are not listed as paths of their own",
    );
    const root = document.servers[0]!.url;
    const public_ = operations.filter((op) => mounted.test(op.path));
    assert.ok(public_.some((op) => op.operationId === "exchangeOAuthCode"));
    for (const op of public_)
      assert.deepEqual(
        op.servers?.map((s) => s.url),
        [root, `${root}/api/v1`],
        op.path,
      );
    for (const op of operations.filter((op) => !mounted.test(op.path))) assert.equal(op.servers, undefined, op.path);
    assert.match(document.info.description, /\/api\/v1/);
  });

  test("the rate limits count both mounts as one endpoint, per address and per email", async (t) => {
    const service = await startService(t, { rateLimitPerMinute: 3, trustProxy: ["127.0.0.1"] });
    const address = { "x-forwarded-for": `198.51.100.${1 + (randomBytes(1)[0]! % 250)}` };
    const initAuth = (mount: string) => service.request("POST", `${mount}/userAccount/initAuth`, {}, address);
    for (const mount of ["", "/api/v1", ""]) assert.notEqual((await initAuth(mount)).status, 429);
    assertAuthError(await initAuth("/api/v1"), 429, "TOO_MANY_REQUESTS");
    assertAuthError(await initAuth(""), 429, "TOO_MANY_REQUESTS");

    // One email from four addresses, split between the mounts: the fourth is one too many for the account.
    const email = `user-${randomBytes(6).toString("hex")}@limits.test`;
    const exchange = (mount: string, i: number) =>
      service.request(
        "POST",
        `${mount}/userAccount/oauth/exchange`,
        { code: "c", email, provider: "none", redirectUri: "https://app.limits.test/callback" },
        { "x-forwarded-for": `203.0.113.${i + 1}` },
      );
    const seen = [await exchange("/api/v1", 0), await exchange("", 1), await exchange("/api/v1", 2)].map((r) => r.status);
    assert.ok(!seen.includes(429), String(seen));
    const limited = assertAuthError(await exchange("", 3), 429, "TOO_MANY_REQUESTS");
    assert.match(limited.message, /for this account/);
  });
});
