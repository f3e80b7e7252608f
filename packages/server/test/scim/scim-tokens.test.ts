/**
 * Who may make SCIM tokens, and what a SCIM token reaches: its own organisation's provisioned
 * users only, never the users the operator or a first sign-in made.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { assertAuthError, auditEvents, bearer, requestAs } from "../support/service.ts";
import { assertScimError, makeScimToken, scimClient } from "../support/scim-client.ts";
import { acmeAndInitech, alice, bob, signIn } from "../support/sign-in-fixture.ts";

const OKTA_USER = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName: "carol@acme.test",
  name: { givenName: "Carol", familyName: "Acme" },
  emails: [{ primary: true, value: "carol@acme.test", type: "work" }],
  active: true,
};
const DEACTIVATE = {
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: [{ op: "replace", value: { active: false } }],
};

describe("SCIM tokens: POST/GET/DELETE /api/v1/orgs/{orgId}/scim-tokens", () => {
  test("the token and base URL are answered once, only listed by id after; revoking one refuses its next request", async (t) => {
    const { f } = await acmeAndInitech(t);
    const made = await makeScimToken(f.service, f.orgId);
    assert.match(made.token, /^scim\./);
    assert.equal(made.baseUrl, `${f.service.app.config.publicUrl}/scim/v2/${f.orgId}`);
    const listed = await f.service.admin<Record<string, unknown>[]>("GET", `/api/v1/orgs/${f.orgId}/scim-tokens`);
    assert.deepEqual(
      listed.body.map((r) => [r.id, r.revokedAt, r.token]),
      [[made.id, null, undefined]],
    );
    // Only the token's SHA-256 is kept.
    const [row] = await f.service.app.store.db.selectFrom("scim_tokens").selectAll().where("id", "=", made.id).execute();
    assert.equal(row?.token_hash, createHash("sha256").update(made.token).digest("base64url"));
    assert.ok(!JSON.stringify(row).includes(made.token));
    const scim = scimClient(f.service, made);
    assert.equal((await scim("GET", "/Users")).status, 200);
    assert.equal((await f.service.admin("DELETE", `/api/v1/orgs/${f.orgId}/scim-tokens/${made.id}`)).status, 204);
    assertScimError(await scim("GET", "/Users"), 401);
    assertAuthError(await f.service.admin("DELETE", `/api/v1/orgs/${f.orgId}/scim-tokens/${made.id}`), 404, "NOT_FOUND");
    const events = (await auditEvents(f.service, f.orgId, "scim_token.")).map((r) => [r.event, r.actor]);
    assert.deepEqual(events, [
      ["scim_token.created", "operator"],
      ["scim_token.revoked", "operator"],
    ]);
  });

  test("the organisation's admin may make, list and revoke its tokens; a member, a setup link, another organisation's admin may not", async (t) => {
    const { f, aliceId, otherId } = await acmeAndInitech(t);
    const admin = await signIn(f, alice);
    const member = await signIn(f, bob);
    const path = `/api/v1/orgs/${f.orgId}/scim-tokens`;
    const made = await requestAs(f.service, admin.accessToken, "POST", path);
    assert.equal(made.status, 201, made.text);
    assert.equal((await requestAs(f.service, admin.accessToken, "GET", path)).status, 200);
    assertAuthError(await requestAs(f.service, admin.accessToken, "POST", `/api/v1/orgs/${otherId}/scim-tokens`), 403, "FORBIDDEN");
    assertAuthError(await requestAs(f.service, member.accessToken, "POST", path), 403, "FORBIDDEN");
    // Which group makes admins is the operator's alone.
    assertAuthError(
      await requestAs(f.service, admin.accessToken, "PUT", `/api/v1/orgs/${f.orgId}/scim-admin-group`, { displayName: "Admins" }),
      403,
      "FORBIDDEN",
    );
    const [created] = await auditEvents(f.service, f.orgId, "scim_token.created");
    assert.equal(created?.actor, `org-admin:${aliceId}`);
    // A setup link's session configures providers; it does not hand out directory tokens.
    const link = await f.service.admin<{ token: string }>("POST", `/api/v1/orgs/${f.orgId}/setup-links`, {});
    const session = await f.service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
    assertAuthError(await requestAs(f.service, session.body.sessionToken, "POST", path), 403, "FORBIDDEN");
    assertAuthError(await requestAs(f.service, session.body.sessionToken, "GET", path), 403, "FORBIDDEN");
  });

  test("a wrong token, none, or another organisation's token is refused with a SCIM 401, counted as a refused credential", async (t) => {
    const { f, otherId } = await acmeAndInitech(t);
    const mine = await makeScimToken(f.service, f.orgId);
    const theirs = await makeScimToken(f.service, otherId);
    const base = `/scim/v2/${f.orgId}/Users`;
    for (const headers of [bearer("scim.wrong"), bearer(theirs.token), bearer(f.service.app.config.adminToken), {}]) {
      assertScimError(await f.service.request("GET", base, undefined, headers), 401);
    }
    assert.equal((await scimClient(f.service, mine)("GET", "/Users")).status, 200);
    const refusals = await f.service.admin<{ records: { event: string }[] }>("GET", "/api/v1/audit?limit=50");
    assert.equal(refusals.body.records.filter((r) => r.event === "admin.auth_failed").length, 3, "three bearer values refused");
  });
});

describe("a SCIM token reaches only the users SCIM provisioned in its organisation", () => {
  test("the operator's users (an admin among them) and JIT's: GET 404, PUT/PATCH/DELETE 404, a POST with their email 409 uniqueness; not listed", async (t) => {
    const { f, aliceId } = await acmeAndInitech(t);
    await signIn(f, bob); // bob: made just in time
    const bobId = (await f.service.admin<{ id: string }[]>("GET", `/api/v1/orgs/${f.orgId}/users?email=${bob.email}`)).body[0]!.id;
    const made = await makeScimToken(f.service, f.orgId);
    const scim = scimClient(f.service, made);
    for (const id of [aliceId, bobId]) {
      assertScimError(await scim("GET", `/Users/${id}`), 404);
      assertScimError(await scim("PUT", `/Users/${id}`, { ...OKTA_USER, userName: alice.email, emails: [{ value: "x@acme.test" }] }), 404);
      assertScimError(await scim("PATCH", `/Users/${id}`, DEACTIVATE), 404);
      assertScimError(await scim("DELETE", `/Users/${id}`), 404);
    }
    assertScimError(
      await scim("POST", "/Users", { ...OKTA_USER, userName: alice.email, emails: [{ value: alice.email, primary: true }] }),
      409,
      "uniqueness",
    );
    const listed = await scim<{ totalResults: number }>("GET", `/Users?filter=${encodeURIComponent(`userName eq "${alice.email}"`)}`);
    assert.equal(listed.body.totalResults, 0);
    assert.equal((await scim<{ totalResults: number }>("GET", "/Users")).body.totalResults, 0);
    // Each refusal is on the organisation's record, by the token.
    const refused = await auditEvents(f.service, f.orgId, "scim ");
    assert.ok(refused.length >= 9, `${refused.length} refusals recorded`);
    assert.ok(refused.every((r) => r.actor === `scim:${made.id}` && r.outcome === "failure"));
    assert.ok(refused.some((r) => r.event === "scim GET /scim/v2/:orgId/Users/:id" && r.error === "HTTP_404"));
    assert.ok(refused.some((r) => r.event === "scim POST /scim/v2/:orgId/Users" && r.error === "HTTP_409"));
    const users = await f.service.admin<{ email: string; status: string; provisioned: boolean }[]>("GET", `/api/v1/orgs/${f.orgId}/users`);
    assert.deepEqual(users.body.map((u) => [u.email, u.status, u.provisioned]).sort(), [
      [alice.email, "active", false],
      [bob.email, "active", false],
    ]);
  });

  test("deleting the organisation removes its SCIM tokens, groups and provisioned users: the token is refused after", async (t) => {
    const { f, otherId } = await acmeAndInitech(t);
    const made = await makeScimToken(f.service, otherId);
    const scim = scimClient(f.service, made);
    const user = await scim<{ id: string }>("POST", "/Users", { ...OKTA_USER, userName: "carol@initech.test", emails: [] });
    assert.equal(user.status, 201, user.text);
    assert.equal((await scim("POST", "/Groups", { displayName: "Everyone", members: [{ value: user.body.id }] })).status, 201);
    assert.equal((await f.service.admin("DELETE", `/api/v1/orgs/${otherId}`)).status, 204);
    assertScimError(await scim("GET", "/Users"), 401);
    const db = f.service.app.store.db;
    assert.deepEqual(await db.selectFrom("scim_tokens").select("id").where("org_id", "=", otherId).execute(), []);
    assert.deepEqual(await db.selectFrom("scim_groups").select("id").where("org_id", "=", otherId).execute(), []);
    assert.deepEqual(await db.selectFrom("scim_group_members").select("group_id").where("user_id", "=", user.body.id).execute(), []);
  });

  test("another organisation's token does not reach this organisation's provisioned users", async (t) => {
    const { f, otherId } = await acmeAndInitech(t);
    const scim = scimClient(f.service, await makeScimToken(f.service, f.orgId));
    const created = await scim<{ id: string }>("POST", "/Users", OKTA_USER);
    const theirs = await makeScimToken(f.service, otherId);
    // Their token at our base URL is refused; at their own, our user is not there.
    assertScimError(await f.service.request("GET", `/scim/v2/${f.orgId}/Users/${created.body.id}`, undefined, bearer(theirs.token)), 401);
    assertScimError(await scimClient(f.service, theirs)("GET", `/Users/${created.body.id}`), 404);
  });
});
