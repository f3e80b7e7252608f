import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { assertAuthError, auditEvents, bearer, refreshWith, type RunningService } from "../support/service.ts";
import { acmeAndInitech, alice, bob, signIn, startSignIn } from "../support/sign-in-fixture.ts";

type UserBody = { id: string; orgId: string; email: string; role: string; status: string };

const user = (orgId: string, userId: string) => `/api/v1/orgs/${orgId}/users/${userId}`;

/** {@link acmeAndInitech}, with the path of alice's user record. */
async function organisations(t: TestContext) {
  const orgs = await acmeAndInitech(t);
  return { ...orgs, alicePath: user(orgs.f.orgId, orgs.aliceId), user };
}

/** The organisation's `user.*` audit records of updates (not the fixture's `user.created`), oldest first. */
const userEvents = async (service: RunningService, orgId: string) =>
  (await auditEvents(service, orgId, "user.")).filter((r) => r.event !== "user.created");

describe("an operator disables a user: PATCH /api/v1/orgs/{orgId}/users/{userId} {status}", () => {
  test("disabling ends every session of the user at once: refresh, access token and console refused; the next sign-in is USER_DISABLED; audited", async (t) => {
    const { f, aliceId, alicePath } = await organisations(t);
    const { service } = f;
    const org = `/api/v1/orgs/${f.orgId}`;
    const laptop = await signIn(f, alice);
    const phone = await signIn(f, alice);
    const member = await signIn(f, bob);
    const opened = await service.request("POST", "/admin/session", { accessToken: laptop.accessToken });
    assert.equal(opened.status, 204, opened.text);
    const console = { cookie: opened.headers.get("set-cookie")!.split(";")[0]!, "x-pipeshub-console": "1" };
    assert.equal((await service.request("GET", org, undefined, bearer(phone.accessToken))).status, 200);
    assert.equal((await service.request("GET", org, undefined, console)).status, 200);

    const disabled = await service.admin<UserBody>("PATCH", alicePath, { status: "disabled" });
    assert.equal(disabled.status, 200, disabled.text);
    assert.deepEqual([disabled.body.id, disabled.body.status, disabled.body.role], [aliceId, "disabled", "admin"], "the role is kept");

    // Both sessions ended: a refresh token is refused as one whose session has ended…
    for (const session of [laptop, phone]) {
      const refused = assertAuthError(await refreshWith(service, session.refreshToken), 401, "INVALID_TOKEN");
      assert.match(refused.message, /Sign in again/);
    }
    // …and so is an access token, wherever this service checks one: the admin API, the console, logout.
    for (const session of [laptop, phone]) {
      const refused = assertAuthError(await service.request("GET", org, undefined, bearer(session.accessToken)), 401, "UNAUTHORIZED");
      assert.match(refused.message, /session has ended/);
      assertAuthError(
        await service.request("POST", "/userAccount/logout/manual", undefined, bearer(session.accessToken)),
        401,
        "INVALID_TOKEN",
      );
    }
    assertAuthError(await service.request("GET", org, undefined, console), 401, "UNAUTHORIZED");
    assertAuthError(await service.request("POST", "/admin/session", { accessToken: laptop.accessToken }), 401, "UNAUTHORIZED");

    // Her next sign-in is refused at the exchange, after the provider has vouched for her.
    const attempt = await startSignIn(f, alice);
    const refused = assertAuthError(
      await f.exchange({ code: attempt.code, email: alice.email, state: attempt.state }, attempt.session),
      403,
      "USER_DISABLED",
    );
    assert.match(refused.message, /disabled/);

    // Nobody else's session ended.
    assert.equal((await refreshWith(service, member.refreshToken)).status, 200);

    const [event, ...more] = await userEvents(service, f.orgId);
    assert.deepEqual(more, []);
    assert.deepEqual(
      { event: event?.event, outcome: event?.outcome, userId: event?.userId, email: event?.email, error: event?.error },
      { event: "user.disabled", outcome: "success", userId: aliceId, email: alice.email, error: null },
    );
    assert.deepEqual([event?.actor, event?.changes], ["operator", [{ field: "status", before: "active", after: "disabled" }]]);
    assert.equal(event?.ip, "127.0.0.1", "the operator's address");
    const listed = await service.admin<UserBody[]>("GET", `${org}/users?email=${alice.email}`);
    assert.equal(listed.body[0]?.status, "disabled");
  });

  test("re-enabling lets the user sign in again; the sessions disabling ended stay ended; each update is one record of what it changed", async (t) => {
    const { f, aliceId, alicePath } = await organisations(t);
    const { service } = f;
    const org = `/api/v1/orgs/${f.orgId}`;
    const before = await signIn(f, alice);

    assert.equal((await service.admin<UserBody>("PATCH", alicePath, { status: "disabled" })).body.status, "disabled");
    assert.equal((await service.admin<UserBody>("PATCH", alicePath, { status: "disabled" })).status, 200, "disabling again is no error");
    const enabled = await service.admin<UserBody>("PATCH", alicePath, { status: "active" });
    assert.equal(enabled.status, 200, enabled.text);
    assert.deepEqual([enabled.body.status, enabled.body.role], ["active", "admin"]);
    assert.equal((await service.admin<UserBody>("PATCH", alicePath, { status: "active" })).status, 200);

    assertAuthError(await refreshWith(service, before.refreshToken), 401, "INVALID_TOKEN");
    assertAuthError(await service.request("GET", org, undefined, bearer(before.accessToken)), 401, "UNAUTHORIZED");
    const after = await signIn(f, alice);
    assert.equal((await service.request("GET", org, undefined, bearer(after.accessToken))).status, 200);
    const refreshed = await refreshWith(service, after.refreshToken);
    assert.equal(refreshed.status, 200, refreshed.text);

    // Role and status in one request: one record with both changes; a change of role is recorded too.
    const both = await service.admin<UserBody>("PATCH", alicePath, { role: "member", status: "disabled" });
    assert.deepEqual([both.body.role, both.body.status], ["member", "disabled"]);
    assertAuthError(await refreshWith(service, refreshed.body.refreshToken), 401, "INVALID_TOKEN");
    assert.equal((await service.admin<UserBody>("PATCH", alicePath, { role: "admin" })).body.status, "disabled");

    const change = (field: string, before: string, after: string) => `${field}: ${before} → ${after}`;
    assert.deepEqual(
      (await userEvents(service, f.orgId)).map((r) => [
        `${r.event} ${r.userId} ${r.email} ${r.actor}`,
        (r.changes ?? []).map((c) => ("changed" in c ? `${c.field} changed` : change(c.field, String(c.before), String(c.after)))),
      ]),
      [
        [`user.disabled ${aliceId} ${alice.email} operator`, [change("status", "active", "disabled")]],
        [`user.disabled ${aliceId} ${alice.email} operator`, []],
        [`user.enabled ${aliceId} ${alice.email} operator`, [change("status", "disabled", "active")]],
        [`user.enabled ${aliceId} ${alice.email} operator`, []],
        [`user.updated ${aliceId} ${alice.email} operator`, [change("role", "admin", "member"), change("status", "active", "disabled")]],
        [`user.made_admin ${aliceId} ${alice.email} operator`, [change("role", "member", "admin")]],
      ],
      "setting what is already set is a record with no changes",
    );
  });

  test("400 for an empty body, an unknown status or field; 404 for a user of another organisation; 401 without the admin token", async (t) => {
    const { f, aliceId, otherId, alicePath, user } = await organisations(t);
    const { service } = f;
    for (const body of [{}, { status: "suspended" }, { status: null }, { enabled: false }, { status: "disabled", reason: "left" }])
      assertAuthError(await service.admin("PATCH", alicePath, body), 400, "VALIDATION_ERROR");
    const initech = await service.admin<UserBody>("POST", `/api/v1/orgs/${otherId}/users`, { email: "peter@initech.test" });
    assertAuthError(await service.admin("PATCH", user(f.orgId, initech.body.id), { status: "disabled" }), 404, "NOT_FOUND");
    assertAuthError(await service.admin("PATCH", user(otherId, aliceId), { status: "disabled" }), 404, "NOT_FOUND");
    assertAuthError(await service.admin("PATCH", user(f.orgId, "nobody"), { status: "disabled" }), 404, "NOT_FOUND");
    assertAuthError(await service.admin("PATCH", user("no-such-org", aliceId), { status: "disabled" }), 404, "ORG_NOT_FOUND");
    assertAuthError(await service.request("PATCH", alicePath, { status: "disabled" }), 401, "UNAUTHORIZED");
    const users = await service.admin<UserBody[]>("GET", `/api/v1/orgs/${otherId}/users`);
    assert.equal(users.body[0]?.status, "active", "the other organisation's user is untouched");
    assert.equal((await service.admin<UserBody[]>("GET", `/api/v1/orgs/${f.orgId}/users?email=${alice.email}`)).body[0]?.status, "active");
    assert.deepEqual(await userEvents(service, f.orgId), []);
  });

  test("only the operator may: an organisation admin's, a member's or a setup session's token is 403 and disables nobody", async (t) => {
    const { f, alicePath } = await organisations(t);
    const { service } = f;
    const admin = await signIn(f, alice);
    const member = await signIn(f, bob);
    const bobId = (await service.admin<UserBody[]>("GET", `/api/v1/orgs/${f.orgId}/users?email=${bob.email}`)).body[0]!.id;
    const link = await service.admin<{ token: string }>("POST", `/api/v1/orgs/${f.orgId}/setup-links`, {});
    const setup = await service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
    assert.equal(setup.status, 201, setup.text);

    const bobPath = `/api/v1/orgs/${f.orgId}/users/${bobId}`;
    for (const token of [admin.accessToken, member.accessToken, setup.body.sessionToken])
      for (const path of [alicePath, bobPath])
        assertAuthError(await service.request("PATCH", path, { status: "disabled" }, bearer(token)), 403, "FORBIDDEN");
    const statuses = (await service.admin<UserBody[]>("GET", `/api/v1/orgs/${f.orgId}/users`)).body.map((u) => u.status);
    assert.deepEqual(statuses, ["active", "active"]);
    assert.equal((await refreshWith(service, member.refreshToken)).status, 200);
    assert.deepEqual(await userEvents(service, f.orgId), []);
  });
});
