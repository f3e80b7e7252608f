import assert from "node:assert/strict";
import { describe, test } from "node:test";
import Fastify from "fastify";
import { generateKeyPair, SignJWT } from "jose";
import { adminAccess, organisationScopeOf } from "../../src/http/admin/admin-token.ts";
import { createSecretBox } from "../../src/keys/secret-box.ts";
import { createSigningKeys } from "../../src/keys/signing-keys.ts";
import { createSessionTokens } from "../../src/signin/session-tokens.ts";
import { refreshTokenRepository } from "../../src/store/refresh-tokens.ts";
import { assertAuthError, auditEvents, bearer, requestAs, type RunningService } from "../support/service.ts";
import { acmeAndInitech, alice, bob, REDIRECT_URI, signIn } from "../support/sign-in-fixture.ts";

type UserBody = { id: string; email: string; role: string; status: string };

/** The organisation's audit records of organisation admins' refused requests, oldest first. */
const orgAdminUses = (service: RunningService, orgId: string) => auditEvents(service, orgId, "org-admin ");

describe("organisation admins: users with the admin role, signed in through their own provider", () => {
  test("an admin reads, configures and doctors its organisation's providers and reads its audit; nothing else; each write and each refusal is audited, no successful read", async (t) => {
    const { f, aliceId, otherId } = await acmeAndInitech(t);
    const { accessToken } = await signIn(f, alice);
    const org = `/api/v1/orgs/${f.orgId}`;
    const as = (method: string, path: string, body?: unknown) => requestAs(f.service, accessToken, method, path, body);

    assert.equal((await as("GET", org)).status, 200);
    assert.equal((await as("GET", `${org}/oauth-providers`)).status, 200);
    const put = await as("PUT", `${org}/oauth-providers/second-idp`, {
      clientId: "second",
      clientSecret: "second-secret-0123456789",
      issuer: f.provider.issuer,
      redirectUris: [REDIRECT_URI],
    });
    assert.equal(put.status, 201, put.text);
    const doctor = await as("POST", `${org}/oauth-providers/acme-idp/doctor`);
    assert.equal(doctor.status, 200, doctor.text);
    const audit = await as("GET", `${org}/audit?limit=5`);
    assert.equal(audit.status, 200, audit.text);
    // A test sign-in's completion names no organisation in its path: it is in scope, and its route checks the rest.
    assertAuthError(await as("POST", "/api/v1/test-signins/complete", { state: "made-up", code: "c" }), 400, "INVALID_STATE");

    const forbidden = [
      ["GET", `/api/v1/orgs/${otherId}/oauth-providers`],
      ["GET", `/api/v1/orgs/${otherId}/audit`],
      ["GET", "/api/v1/orgs"],
      ["POST", `${org}/setup-links`, {}],
      ["GET", `${org}/users`],
      ["PATCH", `${org}/users/${aliceId}`, { role: "member" }],
      ["POST", "/api/v1/keys/rotate"],
    ] as const;
    for (const [method, path, body] of forbidden) {
      const refused = assertAuthError(await as(method, path, body), 403, "FORBIDDEN");
      assert.match(refused.message, /only their own organisation's providers and audit trail/);
    }

    const uses = await orgAdminUses(f.service, f.orgId);
    assert.ok(uses.every((r) => r.userId === aliceId && r.email === alice.email && r.actor === `org-admin:${aliceId}`));
    assert.deepEqual(
      uses.map((r) => `${r.event} ${r.outcome}`),
      [
        "org-admin POST /api/v1/test-signins/complete failure",
        // Refused attempts are recorded, in the trail of the admin's own organisation.
        "org-admin GET /api/v1/orgs/:orgId/oauth-providers failure",
        "org-admin GET /api/v1/orgs/:orgId/audit failure",
        "org-admin GET /api/v1/orgs failure",
        "org-admin POST /api/v1/orgs/:orgId/setup-links failure",
        "org-admin GET /api/v1/orgs/:orgId/users failure",
        "org-admin PATCH /api/v1/orgs/:orgId/users/:userId failure",
        "org-admin POST /api/v1/keys/rotate failure",
      ],
    );
    // The write is one record of what it did and who did it; the reads and the doctor leave none.
    const actions = (await auditEvents(f.service, f.orgId, "")).filter((r) => r.actor === `org-admin:${aliceId}`);
    assert.deepEqual(
      actions.map((r) => `${r.event} ${r.provider} ${r.outcome}`),
      ["provider.created second-idp success", ...uses.map((r) => `${r.event} ${r.provider} failure`)],
    );
    const others = await auditEvents(f.service, otherId, "");
    assert.deepEqual(
      others.map((r) => `${r.event} ${r.actor}`),
      ["org.created operator"],
      "nothing of the admin's lands in another organisation's trail",
    );
  });

  test("a member's token is 403; a refresh token, an expired, foreign or signed-out token is 401", async (t) => {
    const { f } = await acmeAndInitech(t);
    const org = `/api/v1/orgs/${f.orgId}`;
    const member = await signIn(f, bob);
    const refused = assertAuthError(await requestAs(f.service, member.accessToken, "GET", org), 403, "FORBIDDEN");
    assert.match(refused.message, /^Only organisation admins may administer an organisation/);
    const [attempt] = await orgAdminUses(f.service, f.orgId);
    assert.equal(attempt?.email, bob.email, "a member's attempt is audited");
    assert.equal(attempt?.error, "FORBIDDEN");

    const admin = await signIn(f, alice);
    assertAuthError(await requestAs(f.service, admin.refreshToken, "GET", org), 401, "UNAUTHORIZED");
    const { config, store } = f.service.app;
    const user = (await store.users.findInOrganisation(f.orgId, alice.email))!;
    const past = createSessionTokens({
      keys: createSigningKeys({
        repository: store.signingKeys,
        secrets: createSecretBox(config.encryptionKey),
        refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
      }),
      sessions: refreshTokenRepository(store.db),
      users: store.users,
      config,
      now: () => Date.now() - 2 * 3600_000,
    });
    const expired = assertAuthError(await requestAs(f.service, (await past.issue(user)).accessToken, "GET", org), 401, "UNAUTHORIZED");
    assert.match(expired.message, /invalid or expired/);
    const { privateKey } = await generateKeyPair("ES256");
    const foreign = await new SignJWT({ orgId: f.orgId, email: alice.email, sid: "s", token_use: "access" })
      .setProtectedHeader({ alg: "ES256", kid: "elsewhere", typ: "at+jwt" })
      .setIssuer(config.publicUrl)
      .setAudience(config.tokenAudience)
      .setSubject(user.id)
      .setJti("j")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);
    assertAuthError(await requestAs(f.service, foreign, "GET", org), 401, "UNAUTHORIZED");
    assert.equal((await requestAs(f.service, admin.accessToken, "GET", org)).status, 200);
    await requestAs(f.service, admin.accessToken, "POST", "/userAccount/logout/manual");
    assertAuthError(await requestAs(f.service, admin.accessToken, "GET", org), 401, "UNAUTHORIZED");
  });

  test("a demotion or a disabled account stops the same token at once; roles are the operator's to set", async (t) => {
    const { f, aliceId, otherId } = await acmeAndInitech(t);
    const { accessToken } = await signIn(f, alice);
    const org = `/api/v1/orgs/${f.orgId}`;
    const read = () => requestAs(f.service, accessToken, "GET", `${org}/oauth-providers`);
    assert.equal((await read()).status, 200);

    const demoted = await f.service.admin<UserBody>("PATCH", `${org}/users/${aliceId}`, { role: "member" });
    assert.equal(demoted.status, 200, demoted.text);
    assert.equal(demoted.body.role, "member");
    assertAuthError(await read(), 403, "FORBIDDEN");
    assert.equal((await f.service.admin<UserBody>("PATCH", `${org}/users/${aliceId}`, { role: "admin" })).body.role, "admin");
    assert.equal((await read()).status, 200);
    const listed = await f.service.admin<UserBody[]>("GET", `${org}/users?email=${alice.email}`);
    assert.equal(listed.body[0]?.role, "admin");

    // Disabling her ends her sessions: the same token is no longer a current one.
    const disabled = await f.service.admin<UserBody>("PATCH", `${org}/users/${aliceId}`, { status: "disabled" });
    assert.equal(disabled.body.status, "disabled", disabled.text);
    assertAuthError(await read(), 401, "UNAUTHORIZED");
    // The stored status is checked too: a session the disabling did not end (one a sign-in racing
    // it started; only a direct write leaves that state behind) is refused all the same.
    await f.service.admin("PATCH", `${org}/users/${aliceId}`, { status: "active" });
    const raced = await signIn(f, alice);
    await f.service.app.store.db.updateTable("users").set({ status: "disabled" }).where("id", "=", aliceId).execute();
    assertAuthError(await requestAs(f.service, raced.accessToken, "GET", `${org}/oauth-providers`), 403, "USER_DISABLED");

    assertAuthError(await f.service.admin("PATCH", `${org}/users/${aliceId}`, { role: "owner" }), 400, "VALIDATION_ERROR");
    assertAuthError(await f.service.admin("PATCH", `${org}/users/${aliceId}`, {}), 400, "VALIDATION_ERROR");
    assertAuthError(await f.service.admin("PATCH", `${org}/users/nobody`, { role: "admin" }), 404, "NOT_FOUND");
    assertAuthError(await f.service.admin("PATCH", `/api/v1/orgs/${otherId}/users/${aliceId}`, { role: "admin" }), 404, "NOT_FOUND");
    assertAuthError(await f.service.request("PATCH", `${org}/users/${aliceId}`, { role: "admin" }), 401, "UNAUTHORIZED");
    const created = await f.service.admin<UserBody>("POST", `${org}/users`, { email: "carol@acme.test" });
    assert.equal(created.body.role, "member", "a member unless said otherwise");
  });

  test("the console: an admin's access token opens an org-scoped session; GET /admin/session says whose; a demotion ends it", async (t) => {
    const { f, aliceId, otherId } = await acmeAndInitech(t);
    const { accessToken, refreshToken } = await signIn(f, alice);
    const member = await signIn(f, bob);
    const service = f.service;

    const opened = await service.request("POST", "/admin/session", { accessToken });
    assert.equal(opened.status, 204, opened.text);
    const setCookie = opened.headers.get("set-cookie")!;
    assert.match(setCookie, /^pipeshub_console=[\w-]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=(\d+)$/);
    const maxAge = Number(/Max-Age=(\d+)/.exec(setCookie)![1]);
    assert.ok(maxAge > 3500 && maxAge <= 3600, "no longer than the access token it was opened with");
    const cookie = { cookie: setCookie.split(";")[0]! };
    const withHeader = { ...cookie, "x-pipeshub-console": "1" };

    assert.deepEqual((await service.request("GET", "/admin/session", undefined, cookie)).body, {
      kind: "org-admin",
      orgId: f.orgId,
      email: alice.email,
    });
    assert.equal((await service.request("GET", `/api/v1/orgs/${f.orgId}/oauth-providers`, undefined, withHeader)).status, 200);
    assertAuthError(await service.request("GET", `/api/v1/orgs/${f.orgId}/oauth-providers`, undefined, cookie), 401, "UNAUTHORIZED");
    assertAuthError(await service.request("GET", `/api/v1/orgs/${otherId}/oauth-providers`, undefined, withHeader), 403, "FORBIDDEN");
    assertAuthError(await service.request("GET", "/api/v1/orgs", undefined, withHeader), 403, "FORBIDDEN");
    const uses = await orgAdminUses(service, f.orgId);
    assert.deepEqual(
      uses.map((r) => `${r.event} ${r.outcome} ${r.email}`),
      [
        // The read that succeeded is not recorded.
        `org-admin GET /api/v1/orgs/:orgId/oauth-providers failure ${alice.email}`,
        `org-admin GET /api/v1/orgs failure ${alice.email}`,
      ],
    );

    assertAuthError(await service.request("POST", "/admin/session", { accessToken: member.accessToken }), 403, "FORBIDDEN");
    assertAuthError(await service.request("POST", "/admin/session", { accessToken: refreshToken }), 401, "UNAUTHORIZED");
    assertAuthError(await service.request("POST", "/admin/session", {}), 400, "VALIDATION_ERROR");
    assertAuthError(await service.request("POST", "/admin/session", { token: "x", accessToken }), 400, "VALIDATION_ERROR");
    assertAuthError(await service.request("GET", "/admin/session"), 401, "UNAUTHORIZED");

    const operator = await service.request("POST", "/admin/session", { token: service.app.config.adminToken });
    assert.match(operator.headers.get("set-cookie")!, /Max-Age=28800$/);
    const operatorCookie = { cookie: operator.headers.get("set-cookie")!.split(";")[0]! };
    assert.deepEqual((await service.request("GET", "/admin/session", undefined, operatorCookie)).body, { kind: "operator" });

    await service.admin("PATCH", `/api/v1/orgs/${f.orgId}/users/${aliceId}`, { role: "member" });
    assertAuthError(await service.request("GET", `/api/v1/orgs/${f.orgId}`, undefined, withHeader), 403, "FORBIDDEN");
    await service.admin("PATCH", `/api/v1/orgs/${f.orgId}/users/${aliceId}`, { role: "admin" });
    // The demotion ended the session: promoting her again does not revive it.
    assertAuthError(await service.request("GET", `/api/v1/orgs/${f.orgId}`, undefined, withHeader), 401, "UNAUTHORIZED");
    assertAuthError(await service.request("GET", "/admin/session", undefined, cookie), 401, "UNAUTHORIZED");
    assert.equal((await service.request("DELETE", "/admin/session", undefined, operatorCookie)).status, 204);
    assertAuthError(await service.request("GET", "/admin/session", undefined, operatorCookie), 401, "UNAUTHORIZED");
  });

  test("signing out of the sign-in the console session came from ends the console session too", async (t) => {
    const { f } = await acmeAndInitech(t);
    const { accessToken } = await signIn(f, alice);
    const opened = await f.service.request("POST", "/admin/session", { accessToken });
    assert.equal(opened.status, 204, opened.text);
    const cookie = { cookie: opened.headers.get("set-cookie")!.split(";")[0]!, "x-pipeshub-console": "1" };
    assert.equal((await f.service.request("GET", `/api/v1/orgs/${f.orgId}/oauth-providers`, undefined, cookie)).status, 200);
    const signedOut = await f.service.request("POST", "/userAccount/logout/manual", undefined, bearer(accessToken));
    assert.ok(signedOut.status < 300, signedOut.text);
    const refused = assertAuthError(
      await f.service.request("GET", `/api/v1/orgs/${f.orgId}/oauth-providers`, undefined, cookie),
      401,
      "UNAUTHORIZED",
    );
    assert.match(refused.message, /signed out/);
    assertAuthError(await f.service.request("GET", "/admin/session", undefined, cookie), 401, "UNAUTHORIZED");
  });

  test("organisationScopeOf answers the organisation a scoped caller is limited to, and nothing for the operator", async (t) => {
    const { f } = await acmeAndInitech(t);
    const { accessToken } = await signIn(f, alice);
    const link = await f.service.admin<{ token: string }>("POST", `/api/v1/orgs/${f.orgId}/setup-links`, {});
    const setup = await f.service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
    const { app } = f.service;
    const probe = Fastify();
    t.after(() => probe.close());
    const access = adminAccess({
      adminToken: app.config.adminToken,
      setupSessions: app.store,
      consoleSessions: { sessions: app.store.consoleSessions, adminToken: app.config.adminToken },
      orgAdmins: {
        users: app.store.users,
        signInSessions: app.store.refreshTokens,
        verifyAccessToken: app.sessionTokens.verifyAccessToken,
      },
      audit: app.store.audit,
    });
    probe.addHook("onRequest", access.onRequest);
    probe.post("/api/v1/test-signins/complete", async (request) => ({ scope: organisationScopeOf(request) ?? null }));
    const scopeWith = async (token: string) =>
      (await probe.inject({ method: "POST", url: "/api/v1/test-signins/complete", headers: bearer(token) })).json();
    assert.deepEqual(await scopeWith(app.config.adminToken), { scope: null });
    assert.deepEqual(await scopeWith(accessToken), { scope: f.orgId });
    assert.deepEqual(await scopeWith(setup.body.sessionToken), { scope: f.orgId });
  });
});
