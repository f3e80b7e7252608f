import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FAILURE_FIX } from "../../src/domain/failure-fixes.ts";
import type { FailureId } from "../../src/domain/failures.ts";
import { assertAuthError, auditEvents } from "../support/service.ts";
import { alice, CLIENT_SECRET, REDIRECT_URI, type SignInFixture, signInFixture } from "../support/sign-in-fixture.ts";
import { startTestProvider, type TestClient, type TestUser } from "../support/test-provider.ts";

const unverified: TestUser = { sub: "uma-sub", email: "uma@acme.test", email_verified: false, name: "Uma Unverified" };
const outsider: TestUser = { sub: "olga-sub", email: "olga@elsewhere.test", email_verified: true, name: "Olga Outside" };

interface Preview {
  orgId: string;
  provider: string;
  claims: Record<string, unknown> | null;
  userinfo: Record<string, unknown> | null;
  decision: { outcome: string; userId?: string; reason?: string; fix?: string };
}

/** An administrator's test sign-in as `login`, through the provider's real login page. */
async function testSignIn(f: SignInFixture, login: string) {
  const started = await f.service.admin<{ authorizationUrl: string; state: string; redirectUri: string }>(
    "POST",
    `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp/test-signin`,
    {},
  );
  assert.equal(started.status, 200, started.text);
  assert.equal(started.body.redirectUri, REDIRECT_URI, "the provider's first redirect URI by default");
  const url = new URL(started.body.authorizationUrl);
  assert.equal(url.searchParams.get("code_challenge_method"), "S256");
  assert.equal(url.searchParams.get("prompt"), "login", "the administrator picks the account to test with");
  const callback = await f.provider.authorize({ authorizationUrl: started.body.authorizationUrl, login, clientId: "", redirectUri: "" });
  assert.ok("code" in callback, JSON.stringify(callback));
  assert.equal(callback.state, started.body.state);
  return f.service.admin<Preview>("POST", "/api/v1/test-signins/complete", { state: started.body.state, code: callback.code });
}

const NEXT_SECRET = "n3xt-Client-Secret-Value-7c1d0";

function refusal(reason: string) {
  return { outcome: "refused", reason, fix: FAILURE_FIX[reason as FailureId] };
}

async function countUsersAndLinks(f: SignInFixture) {
  const db = f.service.app.store.db;
  const users = await db.selectFrom("users").select("id").where("org_id", "=", f.orgId).execute();
  const links = await db.selectFrom("identity_links").select("subject").where("org_id", "=", f.orgId).execute();
  return { users: users.length, links: links.length };
}

describe("a test sign-in shows the claims and what a real sign-in would decide, and creates nothing", () => {
  test("a new person under just-in-time sign-up: would-create, with the verified claims and userinfo; no user, no link", async (t) => {
    const f = await signInFixture(t);
    const preview = await testSignIn(f, alice.sub);
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.body.provider, "acme-idp");
    assert.equal(preview.body.claims?.sub, alice.sub);
    assert.equal(preview.body.claims?.iss, f.provider.issuer);
    assert.equal(preview.body.userinfo?.email, alice.email);
    assert.deepEqual(preview.body.decision, { outcome: "would-create" });
    assert.equal(f.provider.userinfoRequests, 1, "userinfo is asked once: the ID token has the email");
    assert.doesNotMatch(preview.text, /access_token|id_token|eyJ/, "no token in the answer");
    assert.deepEqual(await countUsersAndLinks(f), { users: 0, links: 0 });
  });

  test("the account to test with goes to the provider as login_hint, which fills its sign-in form; without one, none is sent", async (t) => {
    const f = await signInFixture(t);
    const start = (body: Record<string, unknown>) =>
      f.service.admin<{ authorizationUrl: string }>("POST", `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp/test-signin`, body);
    const hinted = await start({ email: alice.email });
    assert.equal(hinted.status, 200, hinted.text);
    assert.equal(new URL(hinted.body.authorizationUrl).searchParams.get("login_hint"), alice.email);
    assert.equal(new URL((await start({})).body.authorizationUrl).searchParams.has("login_hint"), false);
  });

  test("a person who signed in before: would-sign-in as their user", async (t) => {
    const f = await signInFixture(t);
    const real = await f.exchange({ code: await f.code(alice.sub), email: alice.email });
    assert.equal(real.status, 200, real.text);
    const [user] = await f.service.app.store.db.selectFrom("users").select("id").where("org_id", "=", f.orgId).execute();
    const preview = await testSignIn(f, alice.sub);
    assert.deepEqual(preview.body.decision, { outcome: "would-sign-in", userId: user!.id });
    assert.deepEqual(await countUsersAndLinks(f), { users: 1, links: 1 });
  });

  test("refusals name the reason a real sign-in would answer, and the fix", async (t) => {
    const f = await signInFixture(t, { users: [unverified, outsider] });
    const notVerified = await testSignIn(f, unverified.sub);
    assert.equal(notVerified.body.decision.outcome, "refused");
    assert.equal(notVerified.body.decision.reason, "EMAIL_NOT_VERIFIED");
    assert.match(notVerified.body.decision.fix ?? "", /emailVerifiedClaim/);
    const elsewhere = await testSignIn(f, outsider.sub);
    assert.equal(elsewhere.body.decision.reason, "USER_NOT_FOUND", "just-in-time sign-up is for the organisation's domains only");
    // A real sign-in would have counted towards nobody's lockout either: nothing was recorded for these people.
    assert.deepEqual(await countUsersAndLinks(f), { users: 0, links: 0 });
  });

  test("a plain OAuth 2.0 provider (no ID token): its user API is asked once, for the userinfo shown and the identity both", async (t) => {
    const provider = await startTestProvider({
      clients: [{ client_id: "plain-app", client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }],
      users: [alice],
    });
    t.after(() => provider.close());
    const f = await signInFixture(t, {
      provider,
      clientId: "plain-app",
      settings: {
        issuer: undefined,
        authorizationUrl: provider.endpoints.authorization,
        tokenEndpoint: provider.endpoints.token,
        userInfoEndpoint: provider.endpoints.plainUserApi,
        scope: "email profile",
      },
    });
    const preview = await testSignIn(f, alice.sub);
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.body.claims, null);
    assert.equal(preview.body.userinfo?.email, alice.email);
    assert.deepEqual(preview.body.decision, { outcome: "would-create" });
    assert.equal(provider.plainUserApiRequests, 1);
  });

  test("a linked person whose email is no longer verified, or gone: refused as the real exchange refuses them, link or not", async (t) => {
    const f = await signInFixture(t);
    assert.equal((await f.exchange({ code: await f.code(alice.sub), email: alice.email })).status, 200);

    f.provider.setUser({ ...alice, email_verified: false });
    const notVerified = await testSignIn(f, alice.sub);
    assert.deepEqual(notVerified.body.decision, refusal("EMAIL_NOT_VERIFIED"));
    assertAuthError(await f.exchange({ code: await f.code(alice.sub), email: alice.email }), 401, "EMAIL_NOT_VERIFIED");

    f.provider.setUser({ ...alice, email: "" });
    const noEmail = await testSignIn(f, alice.sub);
    assert.deepEqual(noEmail.body.decision, refusal("EMAIL_MISMATCH"));
    assertAuthError(await f.exchange({ code: await f.code(alice.sub), email: alice.email }), 401, "EMAIL_MISMATCH");
    assert.deepEqual(await countUsersAndLinks(f), { users: 1, links: 1 });
  });

  test("a person whose email belongs to a user linked to another subject: IDENTITY_CONFLICT, as the real exchange answers", async (t) => {
    const impostor: TestUser = { sub: "impostor", email: alice.email, email_verified: true };
    const f = await signInFixture(t, { users: [alice, impostor] });
    assert.equal((await f.exchange({ code: await f.code(alice.sub), email: alice.email })).status, 200);
    const preview = await testSignIn(f, impostor.sub);
    assert.deepEqual(preview.body.decision, refusal("IDENTITY_CONFLICT"));
    assertAuthError(await f.exchange({ code: await f.code(impostor.sub), email: alice.email }), 401, "IDENTITY_CONFLICT");
    assert.deepEqual(await countUsersAndLinks(f), { users: 1, links: 1 });
  });

  test("a provider whose identity settings a setup link saved may not link an admin: LINK_NOT_ALLOWED, as the real exchange answers", async (t) => {
    const f = await signInFixture(t, { users: [alice] });
    const made = await f.service.admin("POST", `/api/v1/orgs/${f.orgId}/users`, { email: alice.email, role: "admin" });
    assert.equal(made.status, 201, made.text);
    const link = await f.service.admin<{ token: string }>("POST", `/api/v1/orgs/${f.orgId}/setup-links`, {});
    const session = await f.service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
    const saved = await f.service.request(
      "PUT",
      `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp`,
      { clientId: "pipeshub-app", issuer: f.provider.issuer, redirectUris: [REDIRECT_URI], enableJit: true, trustEmail: true },
      { authorization: `Bearer ${session.body.sessionToken}` },
    );
    assert.equal(saved.status, 200, saved.text);
    const preview = await testSignIn(f, alice.sub);
    assert.deepEqual(preview.body.decision, refusal("LINK_NOT_ALLOWED"));
    assertAuthError(await f.exchange({ code: await f.code(alice.sub), email: alice.email }), 401, "LINK_NOT_ALLOWED");
    assert.deepEqual(await countUsersAndLinks(f), { users: 1, links: 0 });
  });

  test("during a client-secret rotation a test sign-in redeems with the next secret, as a real sign-in does, and records no fallback", async (t) => {
    const client: TestClient = {
      client_id: "pipeshub-app",
      client_secret: CLIENT_SECRET,
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: "client_secret_basic",
    };
    const provider = await startTestProvider({ clients: [client], users: [alice] });
    t.after(() => provider.close());
    const f = await signInFixture(t, { provider, settings: { nextClientSecret: NEXT_SECRET } });
    // The provider switches to the next secret (a new instance over the same store reads the changed client).
    client.client_secret = NEXT_SECRET;
    await provider.rotateKeys({ keepPrevious: true });

    const preview = await testSignIn(f, alice.sub);
    assert.equal(preview.status, 200, preview.text);
    assert.deepEqual(preview.body.decision, { outcome: "would-create" });
    assert.deepEqual(await auditEvents(f.service, f.orgId, "provider.next_secret_used"), [], "a test sign-in is not a sign-in");
    assert.equal((await f.exchange({ code: await f.code(alice.sub), email: alice.email })).status, 200, "nor is a real one refused");
    assert.equal((await auditEvents(f.service, f.orgId, "provider.next_secret_used")).length, 1);
  });

  test("a state completes once; unknown providers and organisations, and wrong redirect URIs, are refused before the provider is asked", async (t) => {
    const f = await signInFixture(t);
    const started = await f.service.admin<{ authorizationUrl: string; state: string }>(
      "POST",
      `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp/test-signin`,
      {},
    );
    const callback = await f.provider.authorize({
      authorizationUrl: started.body.authorizationUrl,
      login: alice.sub,
      clientId: "",
      redirectUri: "",
    });
    assert.ok("code" in callback);
    const complete = () => f.service.admin("POST", "/api/v1/test-signins/complete", { state: started.body.state, code: callback.code });
    assert.equal((await complete()).status, 200);
    assertAuthError(await complete(), 400, "INVALID_STATE");
    const base = `/api/v1/orgs/${f.orgId}/oauth-providers`;
    assertAuthError(await f.service.admin("POST", `${base}/nobody/test-signin`, {}), 404, "NOT_FOUND");
    assertAuthError(
      await f.service.admin("POST", `${base}/acme-idp/test-signin`, { redirectUri: "https://evil.example/cb" }),
      400,
      "REDIRECT_URI_MISMATCH",
    );
    assertAuthError(await f.service.request("POST", `${base}/acme-idp/test-signin`, {}), 401, "UNAUTHORIZED");
    assertAuthError(await f.service.request("POST", "/api/v1/test-signins/complete", { state: "s", code: "c" }), 401, "UNAUTHORIZED");
  });

  test("a caller limited to one organisation completes only that organisation's test sign-ins, and cannot burn another's", async (t) => {
    const f = await signInFixture(t);
    const globex = await f.service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Globex", domains: ["globex.test"] });
    const put = await f.service.admin("PUT", `/api/v1/orgs/${globex.body.id}/oauth-providers/globex-idp`, {
      clientId: "pipeshub-app",
      clientSecret: CLIENT_SECRET,
      issuer: f.provider.issuer,
      redirectUris: [REDIRECT_URI],
    });
    assert.equal(put.status, 201, put.text);
    const link = await f.service.admin<{ token: string }>("POST", `/api/v1/orgs/${f.orgId}/setup-links`, {});
    const session = await f.service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
    const asAcmeSetup = (method: string, path: string, body: unknown) =>
      f.service.request<Preview & { authorizationUrl: string; state: string }>(method, path, body, {
        authorization: `Bearer ${session.body.sessionToken}`,
      });
    const codeFor = async (authorizationUrl: string) => {
      const callback = await f.provider.authorize({ authorizationUrl, login: alice.sub, clientId: "", redirectUri: "" });
      assert.ok("code" in callback, JSON.stringify(callback));
      return callback.code;
    };

    const theirs = await f.service.admin<{ authorizationUrl: string; state: string }>(
      "POST",
      `/api/v1/orgs/${globex.body.id}/oauth-providers/globex-idp/test-signin`,
      {},
    );
    const theirCode = await codeFor(theirs.body.authorizationUrl);
    assertAuthError(
      await asAcmeSetup("POST", "/api/v1/test-signins/complete", { state: theirs.body.state, code: theirCode }),
      403,
      "FORBIDDEN",
    );
    const completedByOperator = await f.service.admin<Preview>("POST", "/api/v1/test-signins/complete", {
      state: theirs.body.state,
      code: theirCode,
    });
    assert.equal(completedByOperator.status, 200, "still there for whoever started it");
    assert.equal(completedByOperator.body.orgId, globex.body.id);

    const ours = await asAcmeSetup("POST", `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp/test-signin`, {});
    assert.equal(ours.status, 200, ours.text);
    const completed = await asAcmeSetup("POST", "/api/v1/test-signins/complete", {
      state: ours.body.state,
      code: await codeFor(ours.body.authorizationUrl),
    });
    assert.equal(completed.status, 200, completed.text);
    assert.equal(completed.body.decision.outcome, "would-create");
  });
});
