import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { AuthError, Pipeshub, PipeshubDefaultError, ResponseValidationError } from "../src/index.ts";
import { sendJson, startServer, type Handler, type RecordedRequest, type TestServer } from "./helpers/server.ts";

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

async function serve(handler: Handler): Promise<{ server: TestServer; sdk: Pipeshub; admin: Pipeshub }> {
  const server = await startServer(handler);
  servers.push(server);
  const common = { serverURL: server.url, retryConfig: { strategy: "none" } } as const;
  return { server, sdk: new Pipeshub(common), admin: new Pipeshub({ ...common, adminToken: "admin-jwt" }) };
}

function only(server: TestServer): RecordedRequest {
  assert.equal(server.requests.length, 1);
  return server.requests[0] as RecordedRequest;
}

const INIT_BODY = {
  currentStep: 0,
  allowedMethods: ["oauth"],
  message: "Authentication initialized",
  authProviders: { oauth: { providerName: "Okta", clientId: "cid", authorizationUrl: "https://idp/authorize", tokenEndpoint: "https://idp/token" } },
  jitEnabled: true,
};

describe("oauth.authorizationUrl", () => {
  it("GETs the authorize endpoint with query parameters and the session token", async () => {
    const { server, sdk } = await serve((_req, res) => sendJson(res, 200, { authorizationUrl: "https://idp/authorize?state=s", state: "s" }));
    const result = await sdk.oauth.authorizationUrl({ provider: "okta", email: "a+b@example.com", redirectUri: "https://app/cb?x=1", sessionToken: "sess" });
    assert.deepEqual(result, { authorizationUrl: "https://idp/authorize?state=s", state: "s" });
    const request = only(server);
    assert.equal(request.method, "GET");
    const url = new URL(request.url, server.url);
    assert.equal(url.pathname, "/userAccount/oauth/authorize");
    assert.deepEqual(Object.fromEntries(url.searchParams), { provider: "okta", email: "a+b@example.com", redirectUri: "https://app/cb?x=1" });
    assert.equal(request.headers.accept, "application/json");
    assert.equal(request.headers["x-session-token"], "sess");
    assert.equal(request.headers["content-type"], undefined, "no body, no content-type");
  });

  it("rejects an answer without state", async () => {
    const { sdk } = await serve((_req, res) => sendJson(res, 200, { authorizationUrl: "https://idp/authorize" }));
    await assert.rejects(sdk.oauth.authorizationUrl({ provider: "p", email: "e@x", redirectUri: "https://app/cb" }), ResponseValidationError);
  });
});

describe("userAccount.initAuth", () => {
  it("posts {} and reads the session token from the header", async () => {
    const body = { ...INIT_BODY, oauthProviders: [{ name: "okta", providerName: "Okta" }] };
    const { server, sdk } = await serve((_req, res) => sendJson(res, 200, body, { "x-session-token": "sess-1" }));
    const result = await sdk.userAccount.initAuth();
    assert.equal(result.sessionToken, "sess-1");
    assert.deepEqual(result.allowedMethods, ["oauth"]);
    assert.equal(result.jitEnabled, true);
    assert.equal(result.authProviders.oauth?.providerName, "Okta");
    assert.deepEqual(result.oauthProviders, [{ name: "okta", providerName: "Okta" }]);
    const request = only(server);
    assert.equal(request.url, "/userAccount/initAuth");
    assert.equal(request.body, "{}");
    assert.equal(request.headers["content-type"], "application/json");
  });

  it("sends email when given; oauthProviders stays absent when the server omits it", async () => {
    const { server, sdk } = await serve((_req, res) => sendJson(res, 200, INIT_BODY, { "x-session-token": "sess-2" }));
    const result = await sdk.userAccount.initAuth({ email: "u@example.com" });
    assert.equal("oauthProviders" in result, false);
    assert.deepEqual(JSON.parse(only(server).body), { email: "u@example.com" });
  });

  it("rejects a 200 without x-session-token", async () => {
    const { sdk } = await serve((_req, res) => sendJson(res, 200, INIT_BODY));
    await assert.rejects(sdk.userAccount.initAuth(), (error) => {
      assert.ok(error instanceof ResponseValidationError);
      assert.match(error.message, /x-session-token/);
      return true;
    });
  });

  it("rejects malformed fields", async () => {
    const { sdk } = await serve((_req, res) => sendJson(res, 200, { ...INIT_BODY, jitEnabled: "yes" }, { "x-session-token": "s" }));
    await assert.rejects(sdk.userAccount.initAuth(), /response\.jitEnabled: expected boolean/);
  });

  it("rejects a malformed oauth provider config", async () => {
    const authProviders = { oauth: { providerName: 42 } };
    const { sdk } = await serve((_req, res) => sendJson(res, 200, { ...INIT_BODY, authProviders }, { "x-session-token": "s" }));
    await assert.rejects(sdk.userAccount.initAuth(), /response\.authProviders\.oauth\.providerName/);
  });
});

describe("userAccount.authenticate", () => {
  const request = { sessionToken: "sess", method: "oauth", credentials: { accessToken: "at", idToken: "idt" }, email: "u@example.com" } as const;

  it("returns kind final with the service's tokens", async () => {
    const { server, sdk } = await serve((_req, res) => sendJson(res, 200, { message: "Fully authenticated", accessToken: "jwt-a", refreshToken: "jwt-r" }));
    const result = await sdk.userAccount.authenticate(request);
    assert.deepEqual(result, { kind: "final", message: "Fully authenticated", accessToken: "jwt-a", refreshToken: "jwt-r" });
    const wire = only(server);
    assert.equal(wire.url, "/userAccount/authenticate");
    assert.equal(wire.headers["x-session-token"], "sess");
    assert.deepEqual(JSON.parse(wire.body), { method: "oauth", credentials: { accessToken: "at", idToken: "idt" }, email: "u@example.com" });
  });

  it("returns kind nextStep for a multi-step organisation", async () => {
    const next = { status: "success", nextStep: 1, allowedMethods: ["otp"], authProviders: {} };
    const { sdk } = await serve((_req, res) => sendJson(res, 200, next));
    const result = await sdk.userAccount.authenticate(request);
    assert.equal(result.kind, "nextStep");
    if (result.kind === "nextStep") {
      assert.equal(result.nextStep, 1);
      assert.deepEqual(result.allowedMethods, ["otp"]);
    }
  });

  it("rejects a final answer without refreshToken", async () => {
    const { sdk } = await serve((_req, res) => sendJson(res, 200, { message: "Fully authenticated", accessToken: "jwt-a" }));
    await assert.rejects(sdk.userAccount.authenticate(request), /response\.refreshToken: required string is missing/);
  });

  it("rejects a status other than success", async () => {
    const { sdk } = await serve((_req, res) => sendJson(res, 200, { status: "pending", nextStep: 1, allowedMethods: [], authProviders: {} }));
    await assert.rejects(sdk.userAccount.authenticate(request), ResponseValidationError);
  });

  it("maps a 404 expired session to PipeshubDefaultError", async () => {
    const { sdk } = await serve((_req, res) => sendJson(res, 404, { error: "SESSION_EXPIRED", message: "Sign in again", code: "HTTP_NOT_FOUND", statusCode: 404 }));
    await assert.rejects(sdk.userAccount.authenticate(request), (error) => error instanceof PipeshubDefaultError && error.error === "SESSION_EXPIRED");
  });
});

describe("userAccount.refreshToken and logout", () => {
  it("sends the refresh token as Bearer and returns the rotated pair", async () => {
    const body = { accessToken: "a2", refreshToken: "r2", user: { _id: "u1", orgId: "o1", email: "u@example.com", fullName: "U" } };
    const { server, sdk } = await serve((_req, res) => sendJson(res, 200, body));
    const result = await sdk.userAccount.refreshToken({ refreshToken: "r1" });
    assert.equal(result.accessToken, "a2");
    assert.equal(result.refreshToken, "r2");
    assert.equal(result.user?.email, "u@example.com");
    const wire = only(server);
    assert.equal(wire.method, "POST");
    assert.equal(wire.url, "/userAccount/refresh/token");
    assert.equal(wire.headers.authorization, "Bearer r1");
    assert.equal(wire.body, "");
  });

  it("accepts the contract's answer without refreshToken", async () => {
    const { sdk } = await serve((_req, res) => sendJson(res, 200, { accessToken: "a2", user: { _id: "u1" } }));
    const result = await sdk.userAccount.refreshToken({ refreshToken: "r1" });
    assert.deepEqual(Object.keys(result).sort(), ["accessToken", "user"]);
  });

  it("rejects an answer without accessToken", async () => {
    const { sdk } = await serve((_req, res) => sendJson(res, 200, { refreshToken: "r2" }));
    await assert.rejects(sdk.userAccount.refreshToken({ refreshToken: "r1" }), ResponseValidationError);
  });

  it("logs out with the access token as Bearer, accepting an empty 200", async () => {
    const { server, sdk } = await serve((_req, res) => res.writeHead(200).end());
    assert.equal(await sdk.userAccount.logout({ accessToken: "a1" }), undefined);
    const wire = only(server);
    assert.equal(wire.url, "/userAccount/logout/manual");
    assert.equal(wire.headers.authorization, "Bearer a1");
  });
});

describe("admin", () => {
  const org = { id: "org_1", name: "Acme", domains: ["acme.test"], createdAt: "2025-01-01T00:00:00Z" };
  const provider = {
    name: "okta",
    providerName: "Okta",
    clientId: "cid",
    clientSecretSet: true,
    issuer: "https://idp.acme.test",
    scope: "openid email profile",
    tokenEndpointAuthMethod: "client_secret_basic",
    redirectUris: ["https://app.acme.test/cb"],
    enableJit: false,
    trustEmail: false,
    requirePkce: true,
  };
  const user = { id: "usr_1", orgId: "org_1", email: "u@acme.test", fullName: null, status: "active", createdAt: "2025-01-01T00:00:00Z" };

  it("sends the admin token and the documented paths", async () => {
    const { server, admin } = await serve((req, res) => {
      if (req.method === "DELETE") return void res.writeHead(204).end();
      if (req.url.startsWith("/api/v1/orgs/org_1/oauth-providers")) {
        return sendJson(res, 200, req.url.endsWith("oauth-providers") ? { items: [provider] } : provider);
      }
      if (req.url.startsWith("/api/v1/orgs/org_1/users")) return sendJson(res, req.method === "POST" ? 201 : 200, req.method === "POST" ? user : [user]);
      if (req.url.startsWith("/api/v1/orgs/org_1/audit")) {
        return sendJson(res, 200, { items: [{ id: "ev1", event: "oauth.exchange", outcome: "failure", error: "INVALID_GRANT", createdAt: "t" }], nextCursor: "c2" });
      }
      sendJson(res, req.method === "POST" ? 201 : 200, org);
    });

    assert.deepEqual(await admin.admin.createOrg({ name: "Acme", domains: ["acme.test"] }), org);
    assert.deepEqual(await admin.admin.getOrg("org_1"), org);
    const settings = { providerName: "Okta", clientId: "cid", clientSecret: "s3cret", issuer: "https://idp.acme.test", redirectUris: ["https://app.acme.test/cb"] };
    assert.equal((await admin.admin.putProvider("org_1", "okta", settings)).clientSecretSet, true);
    assert.equal((await admin.admin.getProvider("org_1", "okta")).issuer, "https://idp.acme.test");
    assert.deepEqual(await admin.admin.listProviders("org_1"), [provider]);
    assert.equal(await admin.admin.deleteProvider("org_1", "okta"), undefined);
    assert.deepEqual(await admin.admin.createUser("org_1", { email: "u@acme.test", fullName: "U" }), user);
    assert.deepEqual(await admin.admin.findUsers("org_1", "u@acme.test"), [user]);
    const page = await admin.admin.listAudit("org_1", { limit: 10, cursor: "c1" });
    assert.equal(page.items[0]?.error, "INVALID_GRANT");
    assert.equal(page.nextCursor, "c2");

    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.url}`),
      [
        "POST /api/v1/orgs",
        "GET /api/v1/orgs/org_1",
        "PUT /api/v1/orgs/org_1/oauth-providers/okta",
        "GET /api/v1/orgs/org_1/oauth-providers/okta",
        "GET /api/v1/orgs/org_1/oauth-providers",
        "DELETE /api/v1/orgs/org_1/oauth-providers/okta",
        "POST /api/v1/orgs/org_1/users",
        "GET /api/v1/orgs/org_1/users?email=u%40acme.test",
        "GET /api/v1/orgs/org_1/audit?limit=10&cursor=c1",
      ],
    );
    for (const r of server.requests) assert.equal(r.headers.authorization, "Bearer admin-jwt", r.url);
    assert.deepEqual(JSON.parse(server.requests[0]?.body ?? ""), { name: "Acme", domains: ["acme.test"] });
    assert.deepEqual(JSON.parse(server.requests[2]?.body ?? ""), settings);
  });

  it("encodes path segments", async () => {
    const { server, admin } = await serve((_req, res) => sendJson(res, 200, provider));
    await admin.admin.getProvider("org/1", "a b");
    assert.equal(only(server).url, "/api/v1/orgs/org%2F1/oauth-providers/a%20b");
  });

  it("omits absent audit query parameters", async () => {
    const { server, admin } = await serve((_req, res) => sendJson(res, 200, { items: [] }));
    assert.deepEqual(await admin.admin.listAudit("org_1"), { items: [], nextCursor: null });
    assert.equal(only(server).url, "/api/v1/orgs/org_1/audit");
  });

  it("rejects a provider answer with a wrongly typed field", async () => {
    const { admin } = await serve((_req, res) => sendJson(res, 200, { ...provider, enableJit: "no" }));
    await assert.rejects(admin.admin.getProvider("org_1", "okta"), /response\.enableJit: expected boolean/);
  });

  it("surfaces a 400 validation failure as AuthError", async () => {
    const { admin } = await serve((_req, res) =>
      sendJson(res, 400, { error: "INVALID_PROVIDER_SETTINGS", message: "tokenEndpoint must use https", code: "HTTP_BAD_REQUEST", statusCode: 400 }),
    );
    await assert.rejects(admin.admin.putProvider("org_1", "okta", { clientId: "c" }), (error) => error instanceof AuthError && error.error === "INVALID_PROVIDER_SETTINGS");
  });

  it("refuses admin calls without adminToken, sending nothing", async () => {
    const { server, sdk } = await serve((_req, res) => sendJson(res, 200, org));
    await assert.rejects(sdk.admin.getOrg("org_1"), TypeError);
    assert.equal(server.requests.length, 0);
  });
});
