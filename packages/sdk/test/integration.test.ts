// The SDK against the REAL service, built in-process from packages/server and listening on
// loopback, with a real OpenID Provider (oidc-provider) in front of it. Authorization codes
// come from driving the provider's login over HTTP; nothing is made up by hand.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import { buildApp } from "../../server/src/app.ts";
import { testConfig } from "../../server/src/config.ts";
import { closedPortUrl, startHangingServer, startJsonServer } from "../../server/test/support/faulty-servers.ts";
import { type RunningService, startService } from "../../server/test/support/service.ts";
import { rotateProviderKeys } from "../../server/test/support/test-provider.ts";
import { startLossyProxy } from "./helpers/lossy-proxy.ts";
import { alice, CLIENT_SECRET, REDIRECT_URI, type FixtureOptions, signInFixture } from "../../server/test/support/sign-in-fixture.ts";
import {
  type AuthStep,
  APIError,
  AuthError,
  ConnectionError,
  Pipeshub,
  PipeshubDefaultError,
  AuthenticationError,
  NotFoundError,
  PipeshubError,
  RequestAbortedError,
  RequestTimeoutError,
  ResponseValidationError,
  type FetchLike,
  type PipeshubOptions,
} from "../src/index.ts";

const PROVIDER = "acme-idp"; // the fixture's provider name
const NO_RETRIES = { strategy: "none" } as const;
/** Backoff with a budget of one second, so that a replay the SDK should not make fails the test quickly. */
const QUICK_BACKOFF = {
  strategy: "backoff",
  backoff: { initialInterval: 20, maxInterval: 100, exponent: 1.5, maxElapsedTime: 1_000 },
} as const;

/** An SDK client of `service`, admin token included, that counts the HTTP requests it sends. */
function clientOf(service: RunningService, options: Partial<PipeshubOptions> = {}): { client: Pipeshub; requests: () => number } {
  let sent = 0;
  const counting: FetchLike = (input, init) => {
    sent++;
    return globalThis.fetch(input, init);
  };
  const client = new Pipeshub({
    serverURL: service.url,
    adminToken: service.app.config.adminToken,
    retryConfig: NO_RETRIES,
    fetch: counting,
    ...options,
  });
  return { client, requests: () => sent };
}

/** A fixture (service + provider + organisation) and an SDK client of its service. */
async function setUp(t: TestContext, options: FixtureOptions = {}) {
  const fixture = await signInFixture(t, options);
  return { ...fixture, ...clientOf(fixture.service) };
}

/** Asserts that `promise` rejects with an instance of `type` and hands the error over. */
async function rejection<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    assert.ok(error instanceof PipeshubError, "every failure of a call is a PipeshubError");
    return error;
  }
  assert.fail(`expected ${type.name}, but the call succeeded`);
}

/** Resolves once `condition` holds (checked every 5 ms), or fails after `ms`. */
async function until(condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A provider whose endpoints all live at `base` (plain OAuth 2.0 settings: nothing is fetched when saved). */
function endpointsAt(base: string): Record<string, unknown> {
  return { issuer: undefined, authorizationUrl: `${base}/authorize`, tokenEndpoint: `${base}/token`, userInfoEndpoint: `${base}/me` };
}

describe("the seed's call against the real service", () => {
  test("client.oauth.exchangeCode({ code, email, provider, redirectUri }) with a real code", async (t) => {
    const f = await setUp(t);
    // The seed's stateless flow: the client built the authorization URL itself (no nonce, no PKCE).
    const code = await f.code(alice.sub);
    const res = await f.client.oauth.exchangeCode({ code, email: alice.email, provider: PROVIDER, redirectUri: REDIRECT_URI });
    assert.deepEqual(Object.keys(res).sort(), ["accessToken", "expiresIn", "idToken", "tokenType"]);
    assert.equal(res.tokenType, "Bearer");
    assert.ok(res.accessToken.length > 0);
    assert.equal(res.idToken?.split(".").length, 3, "the ID token is a JWS");
    assert.ok(Number.isInteger(res.expiresIn) && (res.expiresIn ?? 0) > 0);
    assert.equal(f.provider.tokenRequests, 1);
  });
});

describe("the whole sign-in through the SDK", () => {
  test("initAuth → authorizationUrl → provider login → exchangeCode → authenticate → refreshToken → logout", async (t) => {
    const f = await setUp(t);
    const { client } = f;

    const session = await client.userAccount.initAuth({ email: alice.email });
    assert.ok(session.sessionToken.length >= 22);
    assert.equal(session.currentStep, 0);
    assert.deepEqual(session.allowedMethods, ["oauth", "samlSso"]);
    assert.equal(session.jitEnabled, true);
    const expectedProvider = {
      providerName: PROVIDER,
      type: "oidc",
      clientId: "pipeshub-app",
      authorizationUrl: f.provider.endpoints.authorization,
      tokenEndpoint: f.provider.endpoints.token,
      userInfoEndpoint: f.provider.endpoints.userinfo,
      scope: "openid email profile",
      enableJit: true,
    };
    assert.deepEqual(session.oauthProviders, [expectedProvider]);
    assert.deepEqual(session.authProviders.oauth, expectedProvider);
    assert.ok(!JSON.stringify(session).includes(CLIENT_SECRET));

    // providerName is what the other calls take as `provider`.
    const provider = session.oauthProviders?.[0]?.providerName ?? assert.fail("no provider listed");
    const { authorizationUrl, state } = await client.oauth.authorizationUrl({
      provider,
      email: alice.email,
      redirectUri: REDIRECT_URI,
      sessionToken: session.sessionToken,
    });
    assert.ok(authorizationUrl.startsWith(f.provider.endpoints.authorization));

    // The browser's part: the provider's real login, ending in a redirect to REDIRECT_URI.
    const callback = await f.provider.authorize({ authorizationUrl, login: alice.sub, clientId: "", redirectUri: "" });
    assert.ok("code" in callback, JSON.stringify(callback));
    assert.equal(callback.state, state);

    const tokens = await client.oauth.exchangeCode({
      code: callback.code,
      email: alice.email,
      provider,
      redirectUri: REDIRECT_URI,
      state,
      ...(callback.iss !== undefined && { iss: callback.iss }),
      sessionToken: session.sessionToken,
    });
    assert.equal(tokens.tokenType, "Bearer");

    const result = await client.userAccount.authenticate({
      sessionToken: session.sessionToken,
      method: "oauth",
      credentials: { accessToken: tokens.accessToken, ...(tokens.idToken !== undefined && { idToken: tokens.idToken }) },
      provider,
    });
    assert.equal(result.kind, "final");
    if (result.kind !== "final") return;
    assert.equal(result.message, "Fully authenticated");

    const refreshed = await client.userAccount.refreshToken({ refreshToken: result.refreshToken });
    assert.equal(refreshed.user.email, alice.email);
    assert.equal(refreshed.user.orgId, f.orgId);
    assert.equal(refreshed.user.fullName, alice.name);
    assert.ok(refreshed.refreshToken && refreshed.refreshToken !== result.refreshToken, "the refresh token rotates");
    assert.notEqual(refreshed.accessToken, result.accessToken);

    assert.equal(await client.userAccount.logout({ accessToken: refreshed.accessToken }), undefined);
    // The session is over: its (rotated) refresh token no longer works.
    const ended = await rejection(client.userAccount.refreshToken({ refreshToken: refreshed.refreshToken }), PipeshubDefaultError);
    assert.equal(ended.statusCode, 401);

    // Every step left an audit record, newest first, paged by cursor.
    const first = await client.admin.listAudit(f.orgId, { limit: 1 });
    assert.equal(first.records.length, 1);
    assert.ok(first.nextCursor);
    const rest = await client.admin.listAudit(f.orgId, { limit: 200, cursor: first.nextCursor });
    assert.equal(rest.nextCursor, null);
    const records = [...first.records, ...rest.records];
    const exchange = records.find((r) => r.event === "oauth.exchange") ?? assert.fail(JSON.stringify(records));
    assert.equal(exchange.outcome, "success");
    assert.equal(exchange.orgId, f.orgId);
    assert.equal(exchange.email, alice.email);
    assert.equal(exchange.provider, provider);
    assert.equal(exchange.error, null);
    assert.ok(exchange.userId);
    assert.ok(!JSON.stringify(records).includes(tokens.accessToken), "no token in the audit trail");
  });

  test("a two-step organisation answers kind nextStep after the oauth step", async (t) => {
    const f = await setUp(t);
    const steps = await f.client.admin.setAuthMethods(f.orgId, [
      { order: 2, allowedMethods: [{ type: "otp" }] },
      { order: 1, allowedMethods: [{ type: "oauth" }] },
    ]);
    assert.deepEqual(
      steps.map((s) => s.order),
      [1, 2],
      "saved sorted by order",
    );

    const session = await f.client.userAccount.initAuth({ email: alice.email });
    const { authorizationUrl, state } = await f.client.oauth.authorizationUrl({
      provider: PROVIDER,
      email: alice.email,
      redirectUri: REDIRECT_URI,
      sessionToken: session.sessionToken,
    });
    const callback = await f.provider.authorize({ authorizationUrl, login: alice.sub, clientId: "", redirectUri: "" });
    assert.ok("code" in callback);
    const tokens = await f.client.oauth.exchangeCode({
      code: callback.code,
      email: alice.email,
      provider: PROVIDER,
      redirectUri: REDIRECT_URI,
      state,
      sessionToken: session.sessionToken,
    });
    const result = await f.client.userAccount.authenticate({
      sessionToken: session.sessionToken,
      method: "oauth",
      credentials: { accessToken: tokens.accessToken, ...(tokens.idToken !== undefined && { idToken: tokens.idToken }) },
    });
    assert.equal(result.kind, "nextStep");
    if (result.kind !== "nextStep") return;
    assert.equal(result.status, "success");
    assert.equal(result.nextStep, 1);
    assert.deepEqual(result.allowedMethods, ["otp"]);
    assert.deepEqual(result.oauthProviders, []);
  });
});

describe("client.admin against the real service", () => {
  test("organisations, providers, users, sign-in steps, audit and signing keys", async (t) => {
    const f = await setUp(t);
    const admin = f.client.admin;

    const org = await admin.createOrg({ name: "Globex", domains: ["globex.test"] });
    assert.equal(org.name, "Globex");
    assert.deepEqual(org.domains, ["globex.test"]);
    assert.ok(org.id && org.createdAt);
    assert.deepEqual(await admin.getOrg(org.id), org);
    assert.deepEqual((await admin.listOrgs()).map((o) => o.id).sort(), [f.orgId, org.id].sort());

    const settings = { clientId: "pipeshub-app", clientSecret: CLIENT_SECRET, issuer: f.provider.issuer, redirectUris: [REDIRECT_URI] };
    const created = await admin.putProvider(org.id, "globex-idp", settings);
    assert.equal(created.providerName, "globex-idp");
    assert.equal(created.clientSecretSet, true);
    assert.equal(created.issuer, f.provider.issuer);
    assert.equal(created.scope, "openid email profile");
    assert.equal(created.tokenEndpointAuthMethod, "client_secret_basic");
    assert.deepEqual([created.enableJit, created.trustEmail, created.requirePkce], [false, false, false]);
    assert.equal("clientSecret" in created, false, "the secret is write-only");
    // A replace without the secret keeps the stored one.
    const { clientSecret: _kept, ...withoutSecret } = settings;
    const replaced = await admin.putProvider(org.id, "globex-idp", { ...withoutSecret, enableJit: true });
    assert.equal(replaced.clientSecretSet, true);
    assert.equal(replaced.enableJit, true);
    assert.deepEqual(await admin.getProvider(org.id, "globex-idp"), replaced);
    assert.deepEqual(await admin.listProviders(org.id), [replaced]);

    const presets = await admin.listProviderPresets();
    assert.deepEqual(presets.map((p) => p.name).sort(), ["auth0", "entra-id", "github", "gitlab", "google", "keycloak", "okta"]);
    const okta = await admin.putProvider(org.id, "okta", {
      preset: "okta",
      presetOptions: { domain: "acme.okta.com" },
      clientId: "0oa1",
      clientSecret: "s",
      redirectUris: [REDIRECT_URI],
    });
    assert.equal(okta.issuer, "https://acme.okta.com");
    await admin.deleteProvider(org.id, "okta");

    const check = await admin.testProvider(org.id, "globex-idp");
    assert.deepEqual(check, {
      ok: true,
      issuer: f.provider.issuer,
      authorizationEndpoint: f.provider.endpoints.authorization,
      tokenEndpoint: f.provider.endpoints.token,
    });

    const user = await admin.createUser(org.id, { email: "wile@globex.test", fullName: "Wile E." });
    assert.equal(user.email, "wile@globex.test");
    assert.equal(user.orgId, org.id);
    assert.equal(user.status, "active");
    const listed = { ...user, identities: [], lastSignInAt: null };
    assert.deepEqual(await admin.findUsers(org.id, "wile@globex.test"), [listed]);
    assert.deepEqual(await admin.findUsers(org.id, "nobody@globex.test"), []);
    assert.deepEqual(await admin.listUsers(org.id), [listed]);
    assert.deepEqual(await admin.listUsersPage(org.id, { q: "WILE E", limit: 1 }), { users: [listed], nextCursor: null });
    assert.deepEqual(await admin.listUsersPage(org.id, { q: "nobody" }), { users: [], nextCursor: null });
    assert.deepEqual(await admin.endUserSessions(org.id, user.id), { ended: 0 });
    const duplicate = await rejection(admin.createUser(org.id, { email: "wile@globex.test" }), PipeshubDefaultError);
    assert.equal(duplicate.statusCode, 409);

    assert.deepEqual(
      await admin.getAuthMethods(org.id),
      [{ order: 1, allowedMethods: [{ type: "oauth" }, { type: "samlSso" }] }],
      "the default: one step, oauth or samlSso",
    );
    const twoSteps: AuthStep[] = [
      { order: 1, allowedMethods: [{ type: "oauth" }] },
      { order: 2, allowedMethods: [{ type: "otp" }] },
    ];
    assert.deepEqual(await admin.setAuthMethods(org.id, twoSteps), twoSteps);
    assert.deepEqual(await admin.getAuthMethods(org.id), twoSteps);
    const invalid = await rejection(
      admin.setAuthMethods(org.id, [
        { order: 1, allowedMethods: [{ type: "oauth" }] },
        { order: 1, allowedMethods: [{ type: "otp" }] },
      ]),
      AuthError,
    );
    assert.equal(invalid.error, "VALIDATION_ERROR");

    // An exchange that fails at the provider is audited in the organisation's trail.
    await rejection(
      f.client.oauth.exchangeCode({ code: "not-a-real-code", email: alice.email, provider: PROVIDER, redirectUri: REDIRECT_URI }),
      AuthError,
    );
    const audit = await admin.listAudit(f.orgId, { event: "oauth.exchange" });
    assert.equal(audit.nextCursor, null);
    assert.deepEqual(
      audit.records.map((r) => [r.event, r.outcome, r.error, r.actor, r.changes]),
      [["oauth.exchange", "failure", "INVALID_GRANT", null, null]],
    );
    assert.deepEqual(Object.keys(audit.records[0] ?? {}).sort(), [
      "actor",
      "changes",
      "createdAt",
      "email",
      "error",
      "event",
      "fix",
      "id",
      "ip",
      "orgId",
      "outcome",
      "provider",
      "reason",
      "redirectUri",
      "userId",
    ]);
    assert.equal(audit.records[0]?.reason, "INVALID_GRANT");

    const before = await f.service.request<{ keys: { kid: string }[] }>("GET", "/.well-known/jwks.json");
    const { kid } = await admin.rotateSigningKeys();
    assert.ok(!before.body.keys.some((k) => k.kid === kid), "a new key");
    // Each admin write above is on the record, with who made it; the rotation outside any organisation.
    const writes = await admin.listAudit(org.id, { actor: "operator" });
    assert.ok(writes.records.some((r) => r.event === "auth_methods.updated" && r.changes?.[0]?.field === "authMethods"));
    const rotated = await admin.listServiceAudit({ event: "keys.rotated" });
    assert.deepEqual(
      rotated.records.map((r) => [r.actor, r.orgId, r.changes]),
      [["operator", null, [{ field: "kid", before: null, after: kid }]]],
    );
    const after = await f.service.request<{ keys: { kid: string }[] }>("GET", "/.well-known/jwks.json");
    assert.ok(
      after.body.keys.some((k) => k.kid === kid),
      "published in the JWKS",
    );

    assert.equal(await admin.deleteProvider(org.id, "globex-idp"), undefined);
    const gone = await rejection(admin.getProvider(org.id, "globex-idp"), PipeshubDefaultError);
    assert.deepEqual([gone.statusCode, gone.error], [404, "NOT_FOUND"]);
    assert.deepEqual(await admin.listProviders(org.id), []);
  });
});

describe("each error type from a real failure", () => {
  test("AuthError: 400 REDIRECT_URI_MISMATCH, refused before the provider is called", async (t) => {
    const f = await setUp(t);
    const code = await f.code(alice.sub);
    const error = await rejection(
      f.client.oauth.exchangeCode({ code, email: alice.email, provider: PROVIDER, redirectUri: "https://enlightened-developing.info" }),
      AuthError,
    );
    assert.equal(error.name, "AuthError");
    assert.equal(error.statusCode, 400);
    assert.equal(error.error, "REDIRECT_URI_MISMATCH");
    assert.equal(error.code, "HTTP_BAD_REQUEST");
    assert.match(error.serviceMessage ?? "", /redirect/i);
    assert.equal(error.serviceMessage, JSON.parse(error.body).message, "the service's message, for a person");
    assert.equal(String(error), `AuthError: 400 REDIRECT_URI_MISMATCH: ${error.serviceMessage}`, "one line with what to switch on");
    assert.equal(inspect(error).split("\n")[0], String(error));
    assert.ok(!inspect(error).includes(error.requestId ?? "?"), "headers stay out of the printout");
    assert.ok(error.requestId, "x-request-id is exposed");
    assert.equal(f.provider.tokenRequests, 0);
  });

  test("NotFoundError (a PipeshubDefaultError): 404 ORG_NOT_FOUND for the seed's example email", async (t) => {
    const f = await setUp(t);
    // With one organisation every email falls back to it; with two, an unclaimed domain has none.
    await f.client.admin.createOrg({ name: "Other", domains: ["other.test"] });
    const error = await rejection(
      f.client.oauth.exchangeCode({
        code: "<value>",
        email: "Jason2@gmail.com",
        provider: "<value>",
        redirectUri: "https://enlightened-developing.info",
      }),
      PipeshubDefaultError,
    );
    assert.deepEqual([error.name, error.statusCode, error.error, error.code], ["NotFoundError", 404, "ORG_NOT_FOUND", "HTTP_NOT_FOUND"]);
    assert.ok(error instanceof NotFoundError);
    assert.equal(error instanceof AuthError, false);
  });

  test("AuthenticationError (a PipeshubDefaultError): 401 from the admin API with a wrong token", async (t) => {
    const service = await startService(t);
    const { client } = clientOf(service, { adminToken: "not-the-admin-token" });
    const error = await rejection(client.admin.listOrgs(), AuthenticationError);
    assert.ok(error instanceof PipeshubDefaultError);
    assert.deepEqual([error.statusCode, error.error, error.code], [401, "UNAUTHORIZED", "HTTP_UNAUTHORIZED"]);
    assert.match(error.headers.get("www-authenticate") ?? "", /^Bearer/);
  });

  test("PipeshubDefaultError: 502 PROVIDER_UNAVAILABLE from a provider on a closed port", async (t) => {
    const f = await setUp(t, { settings: endpointsAt(await closedPortUrl()) });
    const error = await rejection(
      f.client.oauth.exchangeCode({ code: "c", email: alice.email, provider: PROVIDER, redirectUri: REDIRECT_URI }),
      PipeshubDefaultError,
    );
    assert.deepEqual([error.statusCode, error.error, error.code], [502, "PROVIDER_UNAVAILABLE", "HTTP_BAD_GATEWAY"]);
    assert.equal(f.requests(), 1, "retries: none");
  });

  test("ConnectionError: nothing listens at serverURL", async () => {
    const client = new Pipeshub({ serverURL: await closedPortUrl(), retryConfig: NO_RETRIES });
    const error = await rejection(client.userAccount.initAuth(), ConnectionError);
    assert.equal(error.name, "ConnectionError");
    assert.ok(error.cause instanceof Error);
  });

  test("ConnectionError: the service has been shut down, at once with the default settings", { timeout: 10_000 }, async () => {
    const app = await buildApp(testConfig());
    await app.server.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.server.address();
    assert.ok(address && typeof address === "object");
    let attempts = 0;
    const counting: FetchLike = (input, init) => {
      attempts++;
      return globalThis.fetch(input, init);
    };
    const client = new Pipeshub({ serverURL: `http://127.0.0.1:${address.port}`, fetch: counting }); // otherwise the defaults
    assert.equal((await client.userAccount.initAuth()).currentStep, 0, "it answered while running");
    await app.close();
    const error = await rejection(client.userAccount.initAuth(), ConnectionError);
    assert.equal(error.code, "ECONNREFUSED");
    assert.equal(attempts, 2, "one attempt each, no retry");
  });

  test("RequestTimeoutError: the SDK's timeoutMs is shorter than the service's wait on a hanging provider", async (t) => {
    const hanging = await startHangingServer();
    t.after(() => hanging.close());
    const f = await setUp(t, { config: { outboundTimeoutMs: 3000 }, settings: endpointsAt(hanging.url) });
    const started = performance.now();
    const error = await rejection(
      f.client.oauth.exchangeCode({ code: "c", email: alice.email, provider: PROVIDER, redirectUri: REDIRECT_URI }, { timeoutMs: 300 }),
      RequestTimeoutError,
    );
    const elapsed = performance.now() - started;
    assert.equal(error.timeoutMs, 300);
    assert.ok(elapsed >= 290 && elapsed < 2500, `gave up after ${Math.round(elapsed)} ms, before the service's 3000 ms`);
    assert.equal(f.requests(), 1, "retries: none");
    await until(() => hanging.requests === 1); // the service is (still) waiting on the provider
  });

  test("RequestAbortedError: the caller's signal fires during that same hang", async (t) => {
    const hanging = await startHangingServer();
    t.after(() => hanging.close());
    const f = await setUp(t, { config: { outboundTimeoutMs: 3000 }, settings: endpointsAt(hanging.url) });
    const controller = new AbortController();
    const reason = new Error("the user closed the page");
    const call = f.client.oauth.exchangeCode(
      { code: "c", email: alice.email, provider: PROVIDER, redirectUri: REDIRECT_URI },
      { signal: controller.signal, retries: { strategy: "backoff" } },
    );
    await until(() => hanging.requests === 1); // the service is now waiting on the provider
    controller.abort(reason);
    const error = await rejection(call, RequestAbortedError);
    assert.equal(error.cause, reason);
    assert.equal(f.requests(), 1, "an abort is never retried");
  });

  test("ResponseValidationError: a 200 with the wrong body", async (t) => {
    // The real service cannot produce this: Fastify serialises every 2xx through the route's
    // declared response schema, so a body missing a promised field becomes a 500, not a bad 200.
    // A loopback server that answers like a misconfigured proxy or an incompatible server does.
    const impostor = await startJsonServer(() => ({
      status: 200,
      body: { accessToken: "camelCase-instead-of-access_token", token_type: "Bearer" },
    }));
    t.after(() => impostor.close());
    const client = new Pipeshub({ serverURL: impostor.url, retryConfig: QUICK_BACKOFF });
    const error = await rejection(
      client.oauth.exchangeCode({ code: "c", email: alice.email, provider: PROVIDER, redirectUri: REDIRECT_URI }),
      ResponseValidationError,
    );
    assert.match(error.message, /response\.access_token: required string is missing/);
    assert.equal(error.statusCode, 200);
    assert.equal(impostor.requests, 1, "never retried, even under backoff");
  });
});

describe("retries against the real service", () => {
  test("a 4xx is not retried, even for an idempotent call under backoff: exactly one request", async (t) => {
    const f = await setUp(t);
    const { client, requests } = clientOf(f.service, { retryConfig: QUICK_BACKOFF });
    const error = await rejection(
      client.oauth.authorizationUrl({ provider: PROVIDER, email: alice.email, redirectUri: "https://elsewhere.example/callback" }),
      AuthError,
    );
    assert.equal(error.error, "REDIRECT_URI_MISMATCH");
    assert.equal(requests(), 1, "one request left the SDK");
  });

  test("a 502 from the service: a single-use exchange is not replayed under backoff", async (t) => {
    const f = await setUp(t, { settings: endpointsAt(await closedPortUrl()) });
    const { client, requests } = clientOf(f.service, {
      retryConfig: { strategy: "backoff", backoff: { initialInterval: 50, maxInterval: 400, exponent: 2, maxElapsedTime: 500 } },
    });
    const error = await rejection(
      client.oauth.exchangeCode({ code: "c", email: alice.email, provider: PROVIDER, redirectUri: REDIRECT_URI }),
      APIError,
    );
    assert.deepEqual([error.statusCode, error.error], [502, "PROVIDER_UNAVAILABLE"], "the real failure, not a replay's");
    assert.equal(requests(), 1, "one exchange left the SDK");
    const { records } = await client.admin.listAudit(f.orgId, { limit: 200, event: "oauth.exchange" });
    assert.equal(records.length, 1, "the service saw one exchange");
  });

  test("a setup link, redeemed once, gives a client that reaches only its organisation's providers", async (t) => {
    const f = await setUp(t);
    const { client } = clientOf(f.service);
    const link = await client.admin.createSetupLink(f.orgId, { expiresInHours: 1 });
    const anonymous = new Pipeshub({ serverURL: f.service.url });
    const session = await anonymous.admin.redeemSetupLink(link.token);
    assert.equal(session.orgId, f.orgId);
    const setup = new Pipeshub({ serverURL: f.service.url, adminToken: session.sessionToken });
    assert.deepEqual(
      (await setup.admin.listProviders(f.orgId)).map((p) => p.providerName),
      [PROVIDER],
    );
    assert.equal((await rejection(setup.admin.listUsers(f.orgId), APIError)).error, "FORBIDDEN");
    assert.equal((await rejection(anonymous.admin.redeemSetupLink(link.token), APIError)).error, "INVALID_TOKEN");
    const [listed] = await client.admin.listSetupLinks(f.orgId);
    assert.equal(listed?.id, link.id);
    assert.ok(listed?.usedAt);
    await client.admin.revokeSetupLink(f.orgId, link.id);
    assert.equal((await rejection(setup.admin.listProviders(f.orgId), APIError)).error, "UNAUTHORIZED");
  });

  test("setUserRole makes a user an organisation admin, whose own access token reaches its organisation's providers and audit only", async (t) => {
    const f = await setUp(t);
    const { client } = f;
    const user = await client.admin.createUser(f.orgId, { email: alice.email });
    assert.equal(user.role, "member");
    assert.equal((await client.admin.setUserRole(f.orgId, user.id, "admin")).role, "admin");

    const signedIn = await signIn(f);
    const orgAdmin = new Pipeshub({ serverURL: f.service.url, adminToken: signedIn.accessToken });
    assert.deepEqual(
      (await orgAdmin.admin.listProviders(f.orgId)).map((p) => p.providerName),
      [PROVIDER],
    );
    assert.ok((await orgAdmin.admin.listAudit(f.orgId)).records.length > 0);
    assert.equal((await rejection(orgAdmin.admin.listOrgs(), APIError)).error, "FORBIDDEN");
    assert.equal((await rejection(orgAdmin.admin.setUserRole(f.orgId, user.id, "admin"), APIError)).error, "FORBIDDEN");
    await client.admin.setUserRole(f.orgId, user.id, "member");
    assert.equal((await rejection(orgAdmin.admin.listProviders(f.orgId), APIError)).statusCode, 403, "demoted: at once");
    const refreshed = await client.userAccount.refreshToken({ refreshToken: signedIn.refreshToken });
    assert.equal(refreshed.user.role, "member");
  });

  test("setUserStatus disables a user, ending their sessions at once, and enables them again without reviving them", async (t) => {
    const f = await setUp(t);
    const { client } = f;
    const user = await client.admin.createUser(f.orgId, { email: alice.email, role: "admin" });
    const signedIn = await signIn(f);
    const orgAdmin = new Pipeshub({ serverURL: f.service.url, adminToken: signedIn.accessToken, retryConfig: NO_RETRIES });
    assert.equal((await orgAdmin.admin.listProviders(f.orgId)).length, 1);
    assert.equal((await rejection(orgAdmin.admin.setUserStatus(f.orgId, user.id, "disabled"), APIError)).error, "FORBIDDEN");

    const disabled = await client.admin.setUserStatus(f.orgId, user.id, "disabled");
    assert.deepEqual([disabled.status, disabled.role], ["disabled", "admin"]);
    assert.equal((await rejection(orgAdmin.admin.listProviders(f.orgId), APIError)).statusCode, 401, "her access token: at once");
    const ended = await rejection(client.userAccount.refreshToken({ refreshToken: signedIn.refreshToken }), PipeshubDefaultError);
    assert.deepEqual([ended.statusCode, ended.error], [401, "INVALID_TOKEN"]);
    const refused = await rejection(client.oauth.exchangeCode(await startSignIn(f, client)), PipeshubDefaultError);
    assert.deepEqual([refused.statusCode, refused.error], [403, "USER_DISABLED"]);

    assert.equal((await client.admin.setUserStatus(f.orgId, user.id, "active")).status, "active");
    await rejection(client.userAccount.refreshToken({ refreshToken: signedIn.refreshToken }), PipeshubDefaultError);
    const again = await signIn(f);
    assert.equal((await client.userAccount.refreshToken({ refreshToken: again.refreshToken })).user.email, alice.email);
    const events = (await client.admin.listAudit(f.orgId, { limit: 200 })).records.filter((r) => r.event.startsWith("user."));
    assert.deepEqual(
      events.map((r) => [r.event, r.userId, r.email, r.actor]),
      [
        ["user.enabled", user.id, alice.email, "operator"],
        ["user.disabled", user.id, alice.email, "operator"],
        ["user.created", user.id, alice.email, "operator"],
      ],
    );
  });

  test("admin.listEvents reads the provider.changed event a key rotation raised", async (t) => {
    const f = await setUp(t, { config: { providerWatchIntervalSeconds: 1 } });
    const { client } = clientOf(f.service);
    assert.deepEqual(await client.admin.listEvents(f.orgId), []);
    // The watch's first reading of the provider is its baseline; the rotation is seen by a later round.
    for (let tries = 0; !(await f.service.app.store.providerWatch.lastSnapshot(f.orgId, PROVIDER)) && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await rotateProviderKeys(f.provider, { keepPrevious: false });
    let events = await client.admin.listEvents(f.orgId);
    for (let tries = 0; events.length === 0 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      events = await client.admin.listEvents(f.orgId);
    }
    assert.equal(events[0]?.type, "provider.changed");
    assert.equal(events[0]?.provider, PROVIDER);
    assert.deepEqual(
      events[0]?.changes.map((c) => c.field),
      ["keys"],
    );
  });

  test("admin.startTestSignIn and completeTestSignIn preview a sign-in and create nothing", async (t) => {
    const f = await setUp(t);
    const { client } = clientOf(f.service);
    const { authorizationUrl, state, redirectUri } = await client.admin.startTestSignIn(f.orgId, PROVIDER);
    assert.equal(redirectUri, REDIRECT_URI);
    const callback = await f.provider.authorize({ authorizationUrl, login: alice.sub, clientId: "", redirectUri: "" });
    assert.ok("code" in callback, JSON.stringify(callback));
    const preview = await client.admin.completeTestSignIn({ state, code: callback.code });
    assert.equal(preview.claims?.sub, alice.sub);
    assert.deepEqual(preview.decision, { outcome: "would-create" });
    assert.deepEqual(await client.admin.listUsers(f.orgId), [], "no user was created");
    const again = await rejection(client.admin.completeTestSignIn({ state, code: callback.code }), APIError);
    assert.equal(again.error, "INVALID_STATE");
  });

  test("admin.getProviderHealth counts the failure by reason, says what to do about it, and places it in the series", async (t) => {
    const f = await setUp(t, { settings: endpointsAt(await closedPortUrl()) });
    const { client } = clientOf(f.service);
    await rejection(client.oauth.exchangeCode({ code: "c", email: alice.email, provider: PROVIDER, redirectUri: REDIRECT_URI }), APIError);
    const health = await client.admin.getProviderHealth(f.orgId, PROVIDER, "1h");
    assert.deepEqual([health.window, health.attempts, health.successes, health.failures], ["1h", 1, 0, { PROVIDER_UNAVAILABLE: 1 }]);
    assert.equal(health.lastFailure?.reason, "PROVIDER_UNAVAILABLE");
    assert.match(health.lastFailure?.fix ?? "", /could not be reached/);
    const { records } = await client.admin.listAudit(f.orgId);
    assert.equal(records[0]?.reason, "PROVIDER_UNAVAILABLE");
    assert.equal(health.bucketSeconds, 300);
    assert.equal(health.series.length, 13, "5-minute buckets from the one holding since to the one holding now");
    const bucketStart = new Date(Math.floor(Date.parse(records[0]!.createdAt) / 300_000) * 300_000).toISOString();
    assert.deepEqual(
      health.series.filter((b) => b.attempts > 0),
      [{ start: bucketStart, attempts: 1, successes: 0, failures: 1 }],
    );
  });

  test("an idempotent read whose answer was lost is retried under backoff", async (t) => {
    const f = await setUp(t);
    let lost = 0;
    const proxy = await startLossyProxy(f.service.url, (path) => path === "/api/v1/orgs" && lost++ === 0);
    t.after(() => proxy.close());
    const lossy = new Pipeshub({ serverURL: proxy.url, adminToken: f.service.app.config.adminToken, retryConfig: QUICK_BACKOFF });
    assert.deepEqual(
      (await lossy.admin.listOrgs()).map((org) => org.id),
      [f.orgId],
    );
    assert.deepEqual(proxy.forwarded, ["GET /api/v1/orgs", "GET /api/v1/orgs"], "the first answer was lost, the retry's arrived");
  });

  test("a client left at its defaults does not retry, even an idempotent read", { timeout: 10_000 }, async (t) => {
    const f = await setUp(t);
    const proxy = await startLossyProxy(f.service.url, (path) => path === "/api/v1/orgs");
    t.after(() => proxy.close());
    const lossy = new Pipeshub({ serverURL: proxy.url, adminToken: f.service.app.config.adminToken });
    await rejection(lossy.admin.listOrgs(), ConnectionError);
    assert.deepEqual(proxy.forwarded, ["GET /api/v1/orgs"]);
  });

  test("exchangeCode: an answer lost after the service redeemed the state is not replayed", async (t) => {
    const f = await setUp(t);
    const proxy = await startLossyProxy(f.service.url, (path) => path === "/userAccount/oauth/exchange");
    t.after(() => proxy.close());
    const lossy = new Pipeshub({ serverURL: proxy.url, retryConfig: QUICK_BACKOFF });
    const request = await startSignIn(f, lossy);

    const error = await rejection(lossy.oauth.exchangeCode(request), ConnectionError);
    assert.equal(error.connectFailed, false, "the request was sent");
    assert.equal(proxy.forwarded.filter((r) => r === "POST /userAccount/oauth/exchange").length, 1, "sent once");
    assert.equal(f.provider.tokenRequests, 1, "the service redeemed the code");
    // What a replay would have met, and reported instead of the lost connection:
    const replay = await rejection(f.client.oauth.exchangeCode(request), AuthError);
    assert.equal(replay.error, "INVALID_STATE");
  });

  test("refreshToken: an answer lost after the service rotated the token is not replayed, so the session survives", async (t) => {
    const f = await setUp(t);
    const tokens = await signIn(f);
    const proxy = await startLossyProxy(f.service.url, (path) => path === "/userAccount/refresh/token");
    t.after(() => proxy.close());
    const lossy = new Pipeshub({ serverURL: proxy.url, retryConfig: QUICK_BACKOFF });

    await rejection(lossy.userAccount.refreshToken({ refreshToken: tokens.refreshToken }), ConnectionError);
    assert.deepEqual(proxy.forwarded, ["POST /userAccount/refresh/token"], "sent once");
    // A replay would have presented the rotated-away token: reuse, and the session revoked.
    const { records } = await f.client.admin.listAudit(f.orgId, { limit: 200 });
    assert.equal(records.filter((r) => r.event === "session.refresh_token_reuse").length, 0, "no reuse detected");
    assert.equal(await f.client.userAccount.logout({ accessToken: tokens.accessToken }), undefined, "the session was still active");
  });
});

/** Runs the sign-in with `client` up to the provider's redirect, and returns the exchange to make. */
async function startSignIn(f: Awaited<ReturnType<typeof setUp>>, client: Pipeshub) {
  const session = await client.userAccount.initAuth({ email: alice.email });
  const { authorizationUrl, state } = await client.oauth.authorizationUrl({
    provider: PROVIDER,
    email: alice.email,
    redirectUri: REDIRECT_URI,
    sessionToken: session.sessionToken,
  });
  const callback = await f.provider.authorize({ authorizationUrl, login: alice.sub, clientId: "", redirectUri: "" });
  assert.ok("code" in callback, JSON.stringify(callback));
  return {
    code: callback.code,
    email: alice.email,
    provider: PROVIDER,
    redirectUri: REDIRECT_URI,
    state,
    sessionToken: session.sessionToken,
    ...(callback.iss !== undefined && { iss: callback.iss }),
  };
}

/** A whole sign-in through the fixture's client; returns the service's tokens. */
async function signIn(f: Awaited<ReturnType<typeof setUp>>): Promise<{ accessToken: string; refreshToken: string }> {
  const request = await startSignIn(f, f.client);
  const tokens = await f.client.oauth.exchangeCode(request);
  const result = await f.client.userAccount.authenticate({
    sessionToken: request.sessionToken,
    method: "oauth",
    credentials: { accessToken: tokens.accessToken, ...(tokens.idToken !== undefined && { idToken: tokens.idToken }) },
  });
  assert.equal(result.kind, "final");
  if (result.kind !== "final") assert.fail("one step expected");
  return { accessToken: result.accessToken, refreshToken: result.refreshToken };
}
