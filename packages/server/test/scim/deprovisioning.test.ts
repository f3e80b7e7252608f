/**
 * Deprovisioning cuts access: a user the directory deactivates or deletes loses every session at
 * once — refresh, access token, console — the events webhook hears of it, and introspection
 * answers `{active: false}` for their tokens.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test, type TestContext } from "node:test";
import { assertAuthError, bearer, refreshWith, startService } from "../support/service.ts";
import { makeScimToken, scimClient } from "../support/scim-client.ts";
import { alice, bob, signIn, signInFixture, startSignIn } from "../support/sign-in-fixture.ts";

const WEBHOOK_SECRET = "events-webhook-secret-0123";

/** A loopback receiver of the events webhook: what it was sent. */
async function webhookReceiver(t: TestContext) {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  let arrived = () => {};
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
      arrived();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  t.after(() => receiver.close());
  return {
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    received,
    /** Resolves once `n` events have arrived. */
    async events(n: number) {
      while (received.length < n) await new Promise<void>((resolve) => (arrived = resolve));
      return received.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    },
  };
}

/** An organisation whose provider links alice by email, with JIT off; alice provisioned by SCIM (Okta's create). */
async function provisionedAlice(t: TestContext) {
  const hook = await webhookReceiver(t);
  const service = await startService(t, { eventsWebhook: { url: hook.url, secret: WEBHOOK_SECRET } });
  const f = await signInFixture(t, { users: [alice, bob], service, settings: { enableJit: false } });
  const made = await makeScimToken(service, f.orgId);
  const scim = scimClient(service, made);
  const created = await scim<{ id: string }>("POST", "/Users", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: "alice@acme.test",
    name: { givenName: "Alice", familyName: "Acme" },
    emails: [{ primary: true, value: "alice@acme.test", type: "work" }],
    externalId: "00u-alice",
    active: true,
  });
  assert.equal(created.status, 201, created.text);
  const introspector = await service.admin<{ id: string; token: string }>("POST", "/api/v1/introspection-tokens", { name: "api" });
  assert.equal(introspector.status, 201, introspector.text);
  const introspect = (token: string) =>
    service.request<Record<string, unknown>>("POST", "/userAccount/token/introspect", new URLSearchParams({ token }).toString(), {
      ...bearer(introspector.body.token),
      "content-type": "application/x-www-form-urlencoded",
    });
  return { f, service, scim, made, hook, aliceId: created.body.id, introspect };
}

describe("deprovisioning cuts access", () => {
  test("a provisioned user signs in through the provider (linked by verified email; JIT off keeps everyone else out)", async (t) => {
    const { f, aliceId } = await provisionedAlice(t);
    const session = await signIn(f, alice);
    const refreshed = await refreshWith(f.service, session.refreshToken);
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal(refreshed.body.user._id, aliceId, "the sign-in is the provisioned user's");
    const attempt = await startSignIn(f, bob);
    assertAuthError(
      await f.exchange({ code: attempt.code, email: bob.email, state: attempt.state }, attempt.session),
      404,
      "USER_NOT_FOUND",
    );
  });

  test('Entra\'s PATCH active "False": refresh, access token (admin API, logout), console session refused at the next request; introspection inactive; user.disabled posted, signed', async (t) => {
    const { f, service, scim, made, hook, aliceId, introspect } = await provisionedAlice(t);
    // Alice is an admin through the operator's admin group, so she has a console too.
    assert.equal((await service.admin("PUT", `/api/v1/orgs/${f.orgId}/scim-admin-group`, { displayName: "Admins" })).status, 200);
    const group = await scim("POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Admins",
      members: [{ value: aliceId }],
    });
    assert.equal(group.status, 201, group.text);
    const laptop = await signIn(f, alice);
    const phone = await signIn(f, alice);
    const org = `/api/v1/orgs/${f.orgId}`;
    const opened = await service.request("POST", "/admin/session", { accessToken: laptop.accessToken });
    assert.equal(opened.status, 204, opened.text);
    const console = { cookie: opened.headers.get("set-cookie")!.split(";")[0]!, "x-pipeshub-console": "1" };
    assert.equal((await service.request("GET", org, undefined, bearer(phone.accessToken))).status, 200);
    assert.equal((await service.request("GET", org, undefined, console)).status, 200);
    const live = await introspect(laptop.accessToken);
    assert.deepEqual([live.body.active, live.body.sub, live.body.org, live.body.token_type], [true, aliceId, f.orgId, "access_token"]);
    assert.equal((await introspect(laptop.refreshToken)).body.token_type, "refresh_token");

    const patched = await scim("PATCH", `/Users/${aliceId}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    assert.equal(patched.status, 200, patched.text);

    for (const session of [laptop, phone]) {
      assertAuthError(await refreshWith(service, session.refreshToken), 401, "INVALID_TOKEN");
      assertAuthError(await service.request("GET", org, undefined, bearer(session.accessToken)), 401, "UNAUTHORIZED");
      assert.deepEqual((await introspect(session.accessToken)).body, { active: false });
      assert.deepEqual((await introspect(session.refreshToken)).body, { active: false });
    }
    assertAuthError(await service.request("GET", org, undefined, console), 401, "UNAUTHORIZED");
    assertAuthError(
      await service.request("POST", "/userAccount/logout/manual", undefined, bearer(phone.accessToken)),
      401,
      "INVALID_TOKEN",
    );
    const attempt = await startSignIn(f, alice);
    assertAuthError(
      await f.exchange({ code: attempt.code, email: alice.email, state: attempt.state }, attempt.session),
      403,
      "USER_DISABLED",
    );

    const [event] = await hook.events(1);
    assert.deepEqual([event?.type, event?.orgId, event?.userId, event?.email], ["user.disabled", f.orgId, aliceId, alice.email]);
    const { headers, body } = hook.received[0]!;
    const expected = `sha256=${createHmac("sha256", WEBHOOK_SECRET)
      .update(`${String(headers["x-pipeshub-timestamp"])}.${body}`)
      .digest("hex")}`;
    assert.equal(headers["x-pipeshub-signature"], expected);
    const records = await service.admin<{ records: { event: string; actor: string }[] }>("GET", `${org}/audit?limit=50`);
    assert.ok(records.body.records.some((r) => r.event === "user.disabled" && r.actor === `scim:${made.id}`));
  });

  test("Okta's DELETE: sessions end, the user is gone (404), user.deleted posted", async (t) => {
    const { f, service, scim, hook, aliceId, introspect } = await provisionedAlice(t);
    const session = await signIn(f, alice);
    assert.equal((await scim("DELETE", `/Users/${aliceId}`)).status, 204);
    assertAuthError(await refreshWith(service, session.refreshToken), 401, "INVALID_TOKEN");
    assert.deepEqual((await introspect(session.accessToken)).body, { active: false });
    const [event] = await hook.events(1);
    assert.deepEqual([event?.type, event?.userId], ["user.deleted", aliceId]);
  });

  test("the operator disabling a user posts user.disabled too", async (t) => {
    const { f, service, hook, aliceId } = await provisionedAlice(t);
    const disabled = await service.admin("PATCH", `/api/v1/orgs/${f.orgId}/users/${aliceId}`, { status: "disabled" });
    assert.equal(disabled.status, 200, disabled.text);
    const [event] = await hook.events(1);
    assert.deepEqual([event?.type, event?.userId], ["user.disabled", aliceId]);
  });
});

describe("token introspection (RFC 7662)", () => {
  test("JSON bodies too; a wrong, revoked or missing introspection token is 401 and counted; garbage is {active:false}", async (t) => {
    const { service, introspect } = await provisionedAlice(t);
    assert.deepEqual((await introspect("not-a-token")).body, { active: false });
    const made = await service.admin<{ id: string; token: string }>("POST", "/api/v1/introspection-tokens", {});
    const asJson = await service.request("POST", "/userAccount/token/introspect", { token: "x.y.z" }, bearer(made.body.token));
    assert.deepEqual([asJson.status, asJson.body], [200, { active: false }]);
    const listed = await service.admin<{ id: string; token?: string }[]>("GET", "/api/v1/introspection-tokens");
    assert.ok(listed.body.some((r) => r.id === made.body.id) && listed.body.every((r) => r.token === undefined), "never a token's value");
    assert.equal((await service.admin("DELETE", `/api/v1/introspection-tokens/${made.body.id}`)).status, 204);
    for (const headers of [bearer(made.body.token), bearer("introspect.wrong"), bearer(service.app.config.adminToken), {}]) {
      assertAuthError(await service.request("POST", "/userAccount/token/introspect", { token: "x" }, headers), 401, "UNAUTHORIZED");
    }
    // The three bearer values were refused credentials, counted and recorded; no header is none.
    const failures = await service.admin<{ records: { event: string }[] }>("GET", "/api/v1/audit?limit=50");
    assert.equal(failures.body.records.filter((r) => r.event === "admin.auth_failed").length, 3, failures.text);
  });
});
