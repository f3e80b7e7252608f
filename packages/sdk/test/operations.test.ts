import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type AuthStep, AuthError, Pipeshub, PipeshubDefaultError, ResponseValidationError } from "../src/index.ts";
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

const OKTA = {
  providerName: "okta",
  clientId: "cid",
  authorizationUrl: "https://idp/authorize",
  tokenEndpoint: "https://idp/token",
  userInfoEndpoint: "https://idp/userinfo",
  scope: "openid email profile",
  enableJit: true,
};

const INIT_BODY = {
  currentStep: 0,
  allowedMethods: ["oauth"],
  message: "Authentication initialized",
  authProviders: { oauth: OKTA },
  jitEnabled: true,
};

describe("oauth.authorizationUrl", () => {
  it("GETs the authorize endpoint with query parameters and the session token", async () => {
    const { server, sdk } = await serve((_req, res) =>
      sendJson(res, 200, { authorizationUrl: "https://idp/authorize?state=s", state: "s" }),
    );
    const result = await sdk.oauth.authorizationUrl({
      provider: "okta",
      email: "a+b@example.com",
      redirectUri: "https://app/cb?x=1",
      sessionToken: "sess",
    });
    assert.deepEqual(result, { authorizationUrl: "https://idp/authorize?state=s", state: "s" });
    const request = only(server);
    assert.equal(request.method, "GET");
    const url = new URL(request.url, server.url);
    assert.equal(url.pathname, "/userAccount/oauth/authorize");
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      provider: "okta",
      email: "a+b@example.com",
      redirectUri: "https://app/cb?x=1",
    });
    assert.equal(request.headers.accept, "application/json");
    assert.equal(request.headers["x-session-token"], "sess");
    assert.equal(request.headers["content-type"], undefined, "no body, no content-type");
  });

  it("rejects an answer without state", async () => {
    const { sdk } = await serve((_req, res) => sendJson(res, 200, { authorizationUrl: "https://idp/authorize" }));
    await assert.rejects(
      sdk.oauth.authorizationUrl({ provider: "p", email: "e@x", redirectUri: "https://app/cb" }),
      ResponseValidationError,
    );
  });
});

describe("userAccount.initAuth", () => {
  it("posts {} and reads the session token from the header", async () => {
    const github = { providerName: "github", clientId: "gh", authorizationUrl: "https://gh/authorize", tokenEndpoint: "https://gh/token" };
    const body = { ...INIT_BODY, oauthProviders: [OKTA, github] };
    const { server, sdk } = await serve((_req, res) => sendJson(res, 200, body, { "x-session-token": "sess-1" }));
    const result = await sdk.userAccount.initAuth();
    assert.equal(result.sessionToken, "sess-1");
    assert.deepEqual(result.allowedMethods, ["oauth"]);
    assert.equal(result.jitEnabled, true);
    assert.equal(result.authProviders.oauth?.providerName, "okta");
    assert.deepEqual(result.oauthProviders, [OKTA, github]);
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

  it("reads the organisation's name and the providers that cannot be reached, when the server sends them", async () => {
    const unavailable = [{ providerName: "okta", error: "PROVIDER_UNAVAILABLE", message: 'The provider "okta" cannot be reached.' }];
    const { sdk } = await serve((_req, res) =>
      sendJson(res, 200, { ...INIT_BODY, orgName: "Acme", unavailableProviders: unavailable }, { "x-session-token": "s" }),
    );
    const result = await sdk.userAccount.initAuth();
    assert.equal(result.orgName, "Acme");
    assert.deepEqual(result.unavailableProviders, unavailable);
    const { sdk: strict } = await serve((_req, res) =>
      sendJson(res, 200, { ...INIT_BODY, unavailableProviders: [{ providerName: "okta" }] }, { "x-session-token": "s" }),
    );
    await assert.rejects(strict.userAccount.initAuth(), /response\.unavailableProviders\[0\]\.error: required string is missing/);
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
    const authProviders = { oauth: { ...OKTA, providerName: 42 } };
    const { sdk } = await serve((_req, res) => sendJson(res, 200, { ...INIT_BODY, authProviders }, { "x-session-token": "s" }));
    await assert.rejects(sdk.userAccount.initAuth(), /response\.authProviders\.oauth\.providerName: expected string/);
  });

  it("rejects a listed provider without the contract's required fields", async () => {
    const { clientId: _missing, ...withoutClientId } = OKTA;
    const { sdk } = await serve((_req, res) =>
      sendJson(res, 200, { ...INIT_BODY, oauthProviders: [OKTA, withoutClientId] }, { "x-session-token": "s" }),
    );
    await assert.rejects(sdk.userAccount.initAuth(), /response\.oauthProviders\[1\]\.clientId: required string is missing/);
  });

  it("rejects the old { name } provider summaries", async () => {
    const { sdk } = await serve((_req, res) =>
      sendJson(res, 200, { ...INIT_BODY, oauthProviders: [{ name: "okta" }] }, { "x-session-token": "s" }),
    );
    await assert.rejects(sdk.userAccount.initAuth(), /response\.oauthProviders\[0\]\.providerName: required string is missing/);
  });

  it("accepts a contract provider config without scope, enableJit or userInfoEndpoint", async () => {
    const minimal = {
      providerName: "okta",
      clientId: "cid",
      authorizationUrl: "https://idp/authorize",
      tokenEndpoint: "https://idp/token",
    };
    const { sdk } = await serve((_req, res) =>
      sendJson(res, 200, { ...INIT_BODY, authProviders: { oauth: minimal } }, { "x-session-token": "s" }),
    );
    assert.deepEqual((await sdk.userAccount.initAuth()).authProviders.oauth, minimal);
  });
});

describe("userAccount.authenticate", () => {
  const request = {
    sessionToken: "sess",
    method: "oauth",
    credentials: { accessToken: "at", idToken: "idt" },
    email: "u@example.com",
  } as const;

  it("returns kind final with the service's tokens", async () => {
    const { server, sdk } = await serve((_req, res) =>
      sendJson(res, 200, { message: "Fully authenticated", accessToken: "jwt-a", refreshToken: "jwt-r" }),
    );
    const result = await sdk.userAccount.authenticate(request);
    assert.deepEqual(result, { kind: "final", message: "Fully authenticated", accessToken: "jwt-a", refreshToken: "jwt-r" });
    const wire = only(server);
    assert.equal(wire.url, "/userAccount/authenticate");
    assert.equal(wire.headers["x-session-token"], "sess");
    assert.deepEqual(JSON.parse(wire.body), {
      method: "oauth",
      credentials: { accessToken: "at", idToken: "idt" },
      email: "u@example.com",
    });
  });

  it("sends provider when given", async () => {
    const { server, sdk } = await serve((_req, res) =>
      sendJson(res, 200, { message: "Fully authenticated", accessToken: "jwt-a", refreshToken: "jwt-r" }),
    );
    await sdk.userAccount.authenticate({ ...request, provider: "okta" });
    assert.equal(JSON.parse(only(server).body).provider, "okta");
  });

  it("returns kind nextStep for a multi-step organisation", async () => {
    const next = { status: "success", nextStep: 1, allowedMethods: ["otp"], authProviders: {}, oauthProviders: [] };
    const { sdk } = await serve((_req, res) => sendJson(res, 200, next));
    const result = await sdk.userAccount.authenticate(request);
    assert.equal(result.kind, "nextStep");
    if (result.kind === "nextStep") {
      assert.equal(result.nextStep, 1);
      assert.deepEqual(result.allowedMethods, ["otp"]);
      assert.deepEqual(result.oauthProviders, []);
    }
  });

  it("rejects a nextStep whose oauthProviders are malformed", async () => {
    const next = {
      status: "success",
      nextStep: 1,
      allowedMethods: ["oauth"],
      authProviders: {},
      oauthProviders: [{ providerName: "okta" }],
    };
    const { sdk } = await serve((_req, res) => sendJson(res, 200, next));
    await assert.rejects(sdk.userAccount.authenticate(request), /response\.oauthProviders\[0\]\.clientId/);
  });

  it("rejects a final answer without refreshToken", async () => {
    const { sdk } = await serve((_req, res) => sendJson(res, 200, { message: "Fully authenticated", accessToken: "jwt-a" }));
    await assert.rejects(sdk.userAccount.authenticate(request), /response\.refreshToken: required string is missing/);
  });

  it("rejects a status other than success", async () => {
    const { sdk } = await serve((_req, res) =>
      sendJson(res, 200, { status: "pending", nextStep: 1, allowedMethods: [], authProviders: {} }),
    );
    await assert.rejects(sdk.userAccount.authenticate(request), ResponseValidationError);
  });

  it("maps a 404 expired session to PipeshubDefaultError", async () => {
    const { sdk } = await serve((_req, res) =>
      sendJson(res, 404, { error: "SESSION_EXPIRED", message: "Sign in again", code: "HTTP_NOT_FOUND", statusCode: 404 }),
    );
    await assert.rejects(
      sdk.userAccount.authenticate(request),
      (error) => error instanceof PipeshubDefaultError && error.error === "SESSION_EXPIRED",
    );
  });
});

describe("userAccount.refreshToken and logout", () => {
  const USER = {
    _id: "u1",
    orgId: "o1",
    email: "u@example.com",
    fullName: "U",
    hasLoggedIn: true,
    isDeleted: false,
    slug: "u1",
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: "2025-01-01T00:00:00Z",
    __v: 0,
  };

  it("sends the refresh token as Bearer and returns the rotated pair", async () => {
    const body = { user: USER, accessToken: "a2", refreshToken: "r2" };
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
    const { sdk } = await serve((_req, res) => sendJson(res, 200, { accessToken: "a2", user: USER }));
    const result = await sdk.userAccount.refreshToken({ refreshToken: "r1" });
    assert.deepEqual(Object.keys(result).sort(), ["accessToken", "user"]);
  });

  it("rejects an answer without accessToken", async () => {
    const { sdk } = await serve((_req, res) => sendJson(res, 200, { user: USER, refreshToken: "r2" }));
    await assert.rejects(sdk.userAccount.refreshToken({ refreshToken: "r1" }), ResponseValidationError);
  });

  it("rejects an answer without the user the contract requires", async () => {
    const { sdk } = await serve((_req, res) => sendJson(res, 200, { accessToken: "a2", refreshToken: "r2" }));
    await assert.rejects(sdk.userAccount.refreshToken({ refreshToken: "r1" }), /response\.user: required object is missing/);
  });

  it("rejects a user without email", async () => {
    const { email: _missing, ...withoutEmail } = USER;
    const { sdk } = await serve((_req, res) => sendJson(res, 200, { accessToken: "a2", user: withoutEmail }));
    await assert.rejects(sdk.userAccount.refreshToken({ refreshToken: "r1" }), /response\.user\.email: required string is missing/);
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
    providerName: "okta",
    clientId: "cid",
    clientSecretSet: true,
    nextClientSecretSet: false,
    issuer: "https://idp.acme.test",
    scope: "openid email profile",
    tokenEndpointAuthMethod: "client_secret_basic",
    redirectUris: ["https://app.acme.test/cb"],
    enableJit: false,
    trustEmail: false,
    requirePkce: true,
    identitySettingsSavedBy: "operator",
    linkExistingUsers: false,
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: "2025-01-01T00:00:00Z",
  };
  const user = {
    id: "usr_1",
    orgId: "org_1",
    email: "u@acme.test",
    fullName: null,
    status: "active",
    role: "member",
    createdAt: "2025-01-01T00:00:00Z",
  };
  const record = {
    id: "ev1",
    createdAt: "2025-01-01T00:00:00Z",
    orgId: "org_1",
    userId: null,
    email: "u@acme.test",
    provider: "okta",
    event: "oauth.exchange",
    outcome: "failure",
    error: "INVALID_GRANT",
    ip: "127.0.0.1",
    actor: null,
    changes: null,
  };
  const steps: AuthStep[] = [
    { order: 1, allowedMethods: [{ type: "oauth" }] },
    { order: 2, allowedMethods: [{ type: "otp" }] },
  ];
  const check = {
    ok: true,
    issuer: "https://idp.acme.test",
    authorizationEndpoint: "https://idp.acme.test/auth",
    tokenEndpoint: "https://idp.acme.test/token",
  };

  it("sends the admin token and the documented paths", async () => {
    const { server, admin } = await serve((req, res) => {
      if (req.method === "DELETE") return void res.writeHead(204).end();
      if (req.url === "/api/v1/keys/rotate") return sendJson(res, 200, { kid: "k2" });
      if (req.url.endsWith("/test")) return sendJson(res, 200, check);
      if (req.url.startsWith("/api/v1/orgs/org_1/auth-methods")) return sendJson(res, 200, { authMethods: steps });
      if (req.url.startsWith("/api/v1/orgs/org_1/oauth-providers")) {
        if (req.method === "PUT") return sendJson(res, 201, { ...provider, identityLinksDropped: 0 });
        return sendJson(res, 200, req.url.endsWith("oauth-providers") ? [provider] : provider);
      }
      if (req.url.startsWith("/api/v1/orgs/org_1/users"))
        return sendJson(res, req.method === "POST" ? 201 : 200, req.method === "POST" ? user : [user]);
      if (req.url.startsWith("/api/v1/orgs/org_1/audit")) return sendJson(res, 200, { records: [record], nextCursor: "c2" });
      if (req.url === "/api/v1/orgs" && req.method === "GET") return sendJson(res, 200, [org]);
      sendJson(res, req.method === "POST" ? 201 : 200, org);
    });

    assert.deepEqual(await admin.admin.createOrg({ name: "Acme", domains: ["acme.test"] }), org);
    assert.deepEqual(await admin.admin.listOrgs(), [org]);
    assert.deepEqual(await admin.admin.getOrg("org_1"), org);
    const settings = {
      providerName: "okta",
      clientId: "cid",
      clientSecret: "s3cret",
      issuer: "https://idp.acme.test",
      redirectUris: ["https://app.acme.test/cb"],
    };
    assert.equal((await admin.admin.putProvider("org_1", "okta", settings)).clientSecretSet, true);
    assert.equal((await admin.admin.getProvider("org_1", "okta")).issuer, "https://idp.acme.test");
    assert.deepEqual(await admin.admin.listProviders("org_1"), [provider]);
    assert.deepEqual(await admin.admin.testProvider("org_1", "okta"), check);
    assert.equal(await admin.admin.deleteProvider("org_1", "okta"), undefined);
    assert.deepEqual(await admin.admin.createUser("org_1", { email: "u@acme.test", fullName: "U" }), user);
    // A listed user from a service that sends no identities or last sign-in reads as none of either.
    const listed = { ...user, identities: [], lastSignInAt: null };
    assert.deepEqual(await admin.admin.findUsers("org_1", "u@acme.test"), [listed]);
    assert.deepEqual(await admin.admin.listUsers("org_1"), [listed]);
    assert.deepEqual(await admin.admin.listAudit("org_1", { limit: 10, cursor: "c1" }), { records: [record], nextCursor: "c2" });
    assert.deepEqual(await admin.admin.getAuthMethods("org_1"), steps);
    assert.deepEqual(await admin.admin.setAuthMethods("org_1", steps), steps);
    assert.deepEqual(await admin.admin.rotateSigningKeys(), { kid: "k2" });

    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.url}`),
      [
        "POST /api/v1/orgs",
        "GET /api/v1/orgs",
        "GET /api/v1/orgs/org_1",
        "PUT /api/v1/orgs/org_1/oauth-providers/okta",
        "GET /api/v1/orgs/org_1/oauth-providers/okta",
        "GET /api/v1/orgs/org_1/oauth-providers",
        "POST /api/v1/orgs/org_1/oauth-providers/okta/test",
        "DELETE /api/v1/orgs/org_1/oauth-providers/okta",
        "POST /api/v1/orgs/org_1/users",
        "GET /api/v1/orgs/org_1/users?email=u%40acme.test",
        "GET /api/v1/orgs/org_1/users",
        "GET /api/v1/orgs/org_1/audit?limit=10&cursor=c1",
        "GET /api/v1/orgs/org_1/auth-methods",
        "PUT /api/v1/orgs/org_1/auth-methods",
        "POST /api/v1/keys/rotate",
      ],
    );
    for (const r of server.requests) assert.equal(r.headers.authorization, "Bearer admin-jwt", r.url);
    const bodies = server.requests.map((r) => (r.body === "" ? undefined : JSON.parse(r.body)));
    assert.deepEqual(bodies[0], { name: "Acme", domains: ["acme.test"] });
    assert.deepEqual(bodies[3], settings);
    assert.deepEqual(bodies[8], { email: "u@acme.test", fullName: "U" });
    assert.deepEqual(bodies[13], { authMethod: steps });
    for (const index of [6, 14]) assert.equal(bodies[index], undefined, `${server.requests[index]?.url} sends no body`);
  });

  it("renames and deletes organisations, adds and removes their domains, lists the signing keys and reads the settings", async () => {
    const key = { kid: "k2", alg: "ES256", createdAt: "2026-01-01T00:00:00.000Z", retiredAt: null, current: true };
    const settings = { PORT: 3000, ADMIN_TOKEN: { set: true }, REDIS_URL: null, CORS_ORIGINS: ["https://app"] };
    const { server, admin } = await serve((req, res) => {
      if (req.method === "DELETE") return void res.writeHead(204).end();
      if (req.url === "/api/v1/keys") return sendJson(res, 200, [key]);
      if (req.url === "/api/v1/settings") return sendJson(res, 200, settings);
      sendJson(res, req.method === "POST" ? 201 : 200, org);
    });
    assert.deepEqual(await admin.admin.renameOrg("org_1", "Acme Corp"), org);
    assert.deepEqual(await admin.admin.addOrgDomain("org_1", "acme.example"), org);
    assert.equal(await admin.admin.removeOrgDomain("org_1", "acme.example"), undefined);
    assert.equal(await admin.admin.deleteOrg("org_1"), undefined);
    assert.deepEqual(await admin.admin.listSigningKeys(), [key]);
    assert.deepEqual(await admin.admin.getSettings(), settings);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.url} ${r.body}`),
      [
        'PATCH /api/v1/orgs/org_1 {"name":"Acme Corp"}',
        'POST /api/v1/orgs/org_1/domains {"domain":"acme.example"}',
        "DELETE /api/v1/orgs/org_1/domains/acme.example ",
        "DELETE /api/v1/orgs/org_1 ",
        "GET /api/v1/keys ",
        "GET /api/v1/settings ",
      ],
    );
    for (const r of server.requests) assert.equal(r.headers.authorization, "Bearer admin-jwt", r.url);
  });

  it("encodes path segments", async () => {
    const { server, admin } = await serve((_req, res) => sendJson(res, 200, provider));
    await admin.admin.getProvider("org/1", "a b");
    assert.equal(only(server).url, "/api/v1/orgs/org%2F1/oauth-providers/a%20b");
  });

  it("omits absent audit query parameters", async () => {
    const { server, admin } = await serve((_req, res) => sendJson(res, 200, { records: [], nextCursor: null }));
    assert.deepEqual(await admin.admin.listAudit("org_1"), { records: [], nextCursor: null });
    assert.equal(only(server).url, "/api/v1/orgs/org_1/audit");
  });

  it("listServiceAudit reads the records outside any organisation, narrowed, with who acted and what changed", async () => {
    const rotated = {
      ...record,
      orgId: null,
      email: null,
      provider: null,
      event: "keys.rotated",
      outcome: "success",
      error: null,
      actor: "operator",
      changes: [{ field: "kid", before: null, after: "k2" }],
    };
    const { server, admin } = await serve((_req, res) => sendJson(res, 200, { records: [rotated], nextCursor: null }));
    assert.deepEqual(await admin.admin.listServiceAudit({ event: "keys.rotated", actor: "operator" }), {
      records: [rotated],
      nextCursor: null,
    });
    assert.equal(only(server).url, "/api/v1/audit?event=keys.rotated&actor=operator");
  });

  it("reads a record from a service that names no actor or changes as null for both", async () => {
    const { actor: _actor, changes: _changes, ...older } = record;
    const { admin } = await serve((_req, res) => sendJson(res, 200, { records: [older], nextCursor: null }));
    assert.deepEqual((await admin.admin.listAudit("org_1")).records, [record]);
  });

  it("rejects a change that names no field", async () => {
    const { admin } = await serve((_req, res) =>
      sendJson(res, 200, { records: [{ ...record, changes: [{ changed: true }] }], nextCursor: null }),
    );
    await assert.rejects(admin.admin.listAudit("org_1"), /response\.records\[0\]\.changes\[0\]\.field: required string is missing/);
  });

  it("rejects an audit page without records", async () => {
    const { admin } = await serve((_req, res) => sendJson(res, 200, { items: [record], nextCursor: null }));
    await assert.rejects(admin.admin.listAudit("org_1"), /response\.records: required array is missing/);
  });

  it("rejects an audit record without event", async () => {
    const { event: _missing, ...withoutEvent } = record;
    const { admin } = await serve((_req, res) => sendJson(res, 200, { records: [withoutEvent], nextCursor: null }));
    await assert.rejects(admin.admin.listAudit("org_1"), /response\.records\[0\]\.event: required string is missing/);
  });

  it("setUserRole PATCHes the user with { role } and reads the user", async () => {
    const admin_ = { ...user, role: "admin" };
    const { server, admin } = await serve((_req, res) => sendJson(res, 200, admin_));
    assert.deepEqual(await admin.admin.setUserRole("org_1", "usr/1", "admin"), admin_);
    const request = only(server);
    assert.equal(`${request.method} ${request.url}`, "PATCH /api/v1/orgs/org_1/users/usr%2F1");
    assert.deepEqual(JSON.parse(request.body), { role: "admin" });
    assert.equal(request.headers.authorization, "Bearer admin-jwt");
  });

  it("setUserStatus PATCHes the user with { status } and reads the user", async () => {
    const disabled = { ...user, status: "disabled" };
    const { server, admin } = await serve((_req, res) => sendJson(res, 200, disabled));
    assert.deepEqual(await admin.admin.setUserStatus("org_1", "usr/1", "disabled"), disabled);
    const request = only(server);
    assert.equal(`${request.method} ${request.url}`, "PATCH /api/v1/orgs/org_1/users/usr%2F1");
    assert.deepEqual(JSON.parse(request.body), { status: "disabled" });
    assert.equal(request.headers.authorization, "Bearer admin-jwt");
  });

  it("rejects a user without a role", async () => {
    const { role: _missing, ...withoutRole } = user;
    const { admin } = await serve((_req, res) => sendJson(res, 201, withoutRole));
    await assert.rejects(
      admin.admin.createUser("org_1", { email: "u@acme.test", role: "admin" }),
      /response\.role: required string is missing/,
    );
  });

  it("doctorProvider POSTs to the provider's doctor and reads its findings", async () => {
    const findings = [
      { check: "issuer", status: "pass", message: "The discovery document names the configured issuer." },
      { check: "client-credentials", status: "fail", message: "The token endpoint refused the client.", fix: "Set clientSecret." },
    ];
    const { server, admin } = await serve((_req, res) => sendJson(res, 200, { findings }));
    assert.deepEqual(await admin.admin.doctorProvider("org_1", "okta"), { findings });
    const request = only(server);
    assert.equal(`${request.method} ${request.url}`, "POST /api/v1/orgs/org_1/oauth-providers/okta/doctor");
    assert.equal(request.body, "");
  });

  it("promoteProviderSecret POSTs to promote-secret and reads the provider", async () => {
    const { server, admin } = await serve((_req, res) => sendJson(res, 200, { ...provider, nextClientSecretSet: false }));
    assert.equal((await admin.admin.promoteProviderSecret("org_1", "okta")).nextClientSecretSet, false);
    const request = only(server);
    assert.equal(`${request.method} ${request.url}`, "POST /api/v1/orgs/org_1/oauth-providers/okta/promote-secret");
  });

  it("rejects a doctor finding without status", async () => {
    const { admin } = await serve((_req, res) => sendJson(res, 200, { findings: [{ check: "issuer", message: "m" }] }));
    await assert.rejects(admin.admin.doctorProvider("org_1", "okta"), /response\.findings\[0\]\.status: required string is missing/);
  });

  it("rejects a list that is not a bare array", async () => {
    const { admin } = await serve((_req, res) => sendJson(res, 200, { items: [provider] }));
    await assert.rejects(admin.admin.listProviders("org_1"), /response: expected an array, got object/);
  });

  it("rejects a provider answer with a wrongly typed field", async () => {
    const { admin } = await serve((_req, res) => sendJson(res, 200, { ...provider, enableJit: "no" }));
    await assert.rejects(admin.admin.getProvider("org_1", "okta"), /response\.enableJit: expected boolean/);
  });

  it("rejects a provider answer without providerName", async () => {
    const { providerName: _missing, ...withoutName } = provider;
    const { admin } = await serve((_req, res) => sendJson(res, 200, { ...withoutName, name: "okta" }));
    await assert.rejects(admin.admin.getProvider("org_1", "okta"), /response\.providerName: required string is missing/);
  });

  it("rejects auth methods whose step has no allowedMethods array", async () => {
    const { admin } = await serve((_req, res) => sendJson(res, 200, { authMethods: [{ order: 1, allowedMethods: "oauth" }] }));
    await assert.rejects(admin.admin.getAuthMethods("org_1"), /response\.authMethods\[0\]\.allowedMethods: expected an array/);
  });

  it("rejects a key rotation answer without kid", async () => {
    const { admin } = await serve((_req, res) => sendJson(res, 200, {}));
    await assert.rejects(admin.admin.rotateSigningKeys(), /response\.kid: required string is missing/);
  });

  it("surfaces a 400 validation failure as AuthError", async () => {
    const { admin } = await serve((_req, res) =>
      sendJson(res, 400, {
        error: "INVALID_PROVIDER_SETTINGS",
        message: "tokenEndpoint must use https",
        code: "HTTP_BAD_REQUEST",
        statusCode: 400,
      }),
    );
    await assert.rejects(
      admin.admin.putProvider("org_1", "okta", { clientId: "c" }),
      (error) => error instanceof AuthError && error.error === "INVALID_PROVIDER_SETTINGS",
    );
  });

  it("refuses admin calls without adminToken, sending nothing", async () => {
    const { server, sdk } = await serve((_req, res) => sendJson(res, 200, org));
    await assert.rejects(sdk.admin.getOrg("org_1"), TypeError);
    await assert.rejects(sdk.admin.rotateSigningKeys(), TypeError);
    assert.equal(server.requests.length, 0);
  });
});
