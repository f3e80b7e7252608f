/**
 * SCIM Groups with members (Entra ID's and Okta's PATCH shapes), the operator's admin group, and
 * how provisioned users are linked at their first sign-in under the delegation rules.
 */
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { assertAuthError, requestAs, type RunningService } from "../support/service.ts";
import { assertScimError, makeScimToken, scimClient } from "../support/scim-client.ts";
import { acmeAndInitech, alice, CLIENT_SECRET, REDIRECT_URI, signIn } from "../support/sign-in-fixture.ts";
import { startTestProvider } from "../support/test-provider.ts";

type GroupBody = { id: string; displayName: string; members: { value: string }[]; meta: { version: string } };
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const userBody = (email: string) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName: email,
  emails: [{ primary: true, value: email, type: "work" }],
  active: true,
});

async function scene(t: TestContext) {
  const { f, aliceId } = await acmeAndInitech(t);
  const scim = scimClient(f.service, await makeScimToken(f.service, f.orgId));
  const provision = async (email: string) => {
    const made = await scim<{ id: string }>("POST", "/Users", userBody(email));
    assert.equal(made.status, 201, made.text);
    return made.body.id;
  };
  return { f, aliceId, scim, carol: await provision("carol@acme.test"), dave: await provision("dave@acme.test") };
}

/** The organisation's users' roles, by email. */
async function roles(service: RunningService, orgId: string): Promise<Record<string, string>> {
  const users = await service.admin<{ email: string; role: string }[]>("GET", `/api/v1/orgs/${orgId}/users`);
  return Object.fromEntries(users.body.map((u) => [u.email, u.role]));
}

describe("SCIM Groups", () => {
  test("create, find by displayName, Entra's Add/Remove of members, Okta's remove by filter and path-less rename, delete", async (t) => {
    const { scim, carol, dave } = await scene(t);
    const created = await scim<GroupBody>("POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Engineering",
      externalId: "eng-1",
      members: [{ value: carol }],
    });
    assert.equal(created.status, 201, created.text);
    const { id } = created.body;
    const found = await scim<{ Resources: GroupBody[] }>("GET", `/Groups?filter=${encodeURIComponent('displayName eq "Engineering"')}`);
    assert.deepEqual(
      found.body.Resources.map((g) => g.id),
      [id],
    );
    assertScimError(await scim("GET", `/Groups?filter=${encodeURIComponent('displayName co "Eng"')}`), 400, "invalidFilter");
    assertScimError(await scim("POST", "/Groups", { displayName: "Engineering" }), 409, "uniqueness");

    // Entra ID: "Add" and "Remove" with a value list.
    const added = await scim<GroupBody>("PATCH", `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Add", path: "members", value: [{ $ref: null, value: dave }] }],
    });
    assert.deepEqual(added.body.members.map((m) => m.value).sort(), [carol, dave].sort());
    const removed = await scim<GroupBody>("PATCH", `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Remove", path: "members", value: [{ $ref: null, value: carol }] }],
    });
    assert.deepEqual(
      removed.body.members.map((m) => m.value),
      [dave],
    );
    // Okta: remove by a value filter; rename with a path-less replace.
    const oktaRemoved = await scim<GroupBody>("PATCH", `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "remove", path: `members[value eq "${dave}"]` }],
    });
    assert.deepEqual(oktaRemoved.body.members, []);
    const renamed = await scim<GroupBody>("PATCH", `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", value: { id, displayName: "Engineering EU" } }],
    });
    assert.equal(renamed.body.displayName, "Engineering EU");

    assert.equal((await scim("DELETE", `/Groups/${id}`)).status, 204);
    assertScimError(await scim("GET", `/Groups/${id}`), 404);
  });

  test("the operator's admin group makes its provisioned members admins, and leaving it makes them members; the operator's users are never touched", async (t) => {
    const { f, aliceId, scim, carol, dave } = await scene(t);
    assert.equal((await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/scim-admin-group`, { displayName: "Admins" })).status, 200);
    const group = await scim<GroupBody>("POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Admins",
      members: [{ value: carol }, { value: aliceId }],
    });
    assert.equal(group.status, 201, group.text);
    assert.deepEqual(
      group.body.members.map((m) => m.value),
      [carol],
      "only provisioned users are members",
    );
    assert.deepEqual(await roles(f.service, f.orgId), { [alice.email]: "admin", "carol@acme.test": "admin", "dave@acme.test": "member" });

    await scim("PATCH", `/Groups/${group.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "remove", path: `members[value eq "${carol}"]` }],
    });
    await scim("PATCH", `/Groups/${group.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "add", path: "members", value: [{ value: dave }] }],
    });
    assert.deepEqual(await roles(f.service, f.orgId), { [alice.email]: "admin", "carol@acme.test": "member", "dave@acme.test": "admin" });

    // Another group is only a group.
    await scim("POST", "/Groups", { displayName: "Everyone", members: [{ value: carol }] });
    assert.equal((await roles(f.service, f.orgId))["carol@acme.test"], "member");

    // The operator unsetting the admin group ends the role it gave; deleting the group would too.
    assert.equal((await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/scim-admin-group`, { displayName: null })).status, 200);
    assert.deepEqual(await roles(f.service, f.orgId), { [alice.email]: "admin", "carol@acme.test": "member", "dave@acme.test": "member" });
  });
});

describe("provisioned users' first sign-in", () => {
  test("a provider a delegated admin saved links a provisioned member by verified email, never a provisioned admin", async (t) => {
    const { f, scim, carol } = await scene(t);
    const erin = await scim<{ id: string }>("POST", "/Users", userBody("erin@acme.test"));
    assert.equal((await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/scim-admin-group`, { displayName: "Admins" })).status, 200);
    await scim("POST", "/Groups", { displayName: "Admins", members: [{ value: erin.body.id }] });
    const other = await startTestProvider({
      clients: [{ client_id: "okta-app", client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }],
      users: [
        { sub: "okta-carol", email: "carol@acme.test", email_verified: true },
        { sub: "okta-erin", email: "erin@acme.test", email_verified: true },
      ],
    });
    t.after(() => other.close());
    const { accessToken } = await signIn(f, alice);
    const saved = await requestAs(f.service, accessToken, "PUT", `/api/v1/orgs/${f.orgId}/oauth-providers/okta`, {
      clientId: "okta-app",
      clientSecret: CLIENT_SECRET,
      issuer: other.issuer,
      redirectUris: [REDIRECT_URI],
      enableJit: false,
    });
    assert.equal(saved.status, 201, saved.text);
    const exchange = async (sub: string, email: string) => {
      const callback = await other.authorize({ clientId: "okta-app", redirectUri: REDIRECT_URI, login: sub });
      assert.ok("code" in callback);
      return f.service.request("POST", "/userAccount/oauth/exchange", {
        provider: "okta",
        redirectUri: REDIRECT_URI,
        code: callback.code,
        email,
      });
    };
    assert.equal((await exchange("okta-carol", "carol@acme.test")).status, 200, "the provisioned member is linked");
    const identities = await f.service.admin<{ provider: string }[]>("GET", `/api/v1/orgs/${f.orgId}/users/${carol}/identities`);
    assert.deepEqual(
      identities.body.map((i) => i.provider),
      ["okta"],
    );
    assertAuthError(await exchange("okta-erin", "erin@acme.test"), 401, "LINK_NOT_ALLOWED");
  });
});
