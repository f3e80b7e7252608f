/**
 * The SCIM service provider's Users (RFC 7644 §3), driven by the requests Okta and Entra ID
 * document, written here as literal JSON.
 */
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { auditEvents, startService } from "../support/service.ts";
import { assertScimError, makeScimToken, scimClient } from "../support/scim-client.ts";

type ScimUserBody = {
  id: string;
  userName: string;
  externalId?: string;
  active: boolean;
  emails: { value: string; type?: string; primary?: boolean }[];
  name?: Record<string, string>;
  displayName?: string;
  meta: { resourceType: string; location: string; version: string };
  password?: unknown;
};
type ListBody = { schemas: string[]; totalResults: number; startIndex: number; itemsPerPage: number; Resources: ScimUserBody[] };

async function organisation(t: TestContext) {
  const service = await startService(t);
  const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["okta.local", "testuser.com"] });
  assert.equal(org.status, 201, org.text);
  const made = await makeScimToken(service, org.body.id);
  return { service, orgId: org.body.id, made, scim: scimClient(service, made) };
}

/** Okta's create request (its SCIM 2.0 guide), as Okta sends it. */
const OKTA_CREATE = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName: "test.user@okta.local",
  name: { givenName: "Test", familyName: "User" },
  emails: [{ primary: true, value: "test.user@okta.local", type: "work" }],
  displayName: "Test User",
  locale: "en-US",
  externalId: "00ujl29u0le5T6Aj10h7",
  groups: [],
  password: "1mz050nq",
  active: true,
};

/** Entra ID's create request (its SCIM endpoint tutorial). */
const ENTRA_CREATE = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
  userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
  active: true,
  emails: [{ primary: true, type: "work", value: "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com" }],
  meta: { resourceType: "User" },
  name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
  roles: [],
};

describe("SCIM Users: Okta's requests", () => {
  test("create, find by userName with paging, get, deactivate with Okta's path-less PATCH, replace with PUT, delete: then GET is 404", async (t) => {
    const { service, orgId, made, scim } = await organisation(t);
    const created = await scim<ScimUserBody>("POST", "/Users", OKTA_CREATE);
    assert.equal(created.status, 201, created.text);
    assert.match(created.headers.get("content-type") ?? "", /^application\/scim\+json/);
    const { id } = created.body;
    assert.equal(created.headers.get("location"), `${made.baseUrl}/Users/${id}`);
    assert.equal(created.body.meta.location, `${made.baseUrl}/Users/${id}`);
    assert.deepEqual(
      [created.body.userName, created.body.externalId, created.body.active],
      ["test.user@okta.local", "00ujl29u0le5T6Aj10h7", true],
    );
    assert.equal(created.body.password, undefined, "a password is never kept nor shown");
    assert.equal(created.headers.get("etag"), created.body.meta.version);

    const found = await scim<ListBody>(
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "test.user@okta.local"')}&startIndex=1&count=100`,
    );
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.body.schemas, ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]);
    assert.deepEqual([found.body.totalResults, found.body.startIndex, found.body.Resources.map((u) => u.id)], [1, 1, [id]]);
    const none = await scim<ListBody>("GET", `/Users?filter=${encodeURIComponent('userName eq "nobody@okta.local"')}`);
    assert.deepEqual([none.body.totalResults, none.body.Resources], [0, []]);

    const deactivated = await scim<ScimUserBody>("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", value: { active: false } }],
    });
    assert.equal(deactivated.status, 200, deactivated.text);
    assert.equal(deactivated.body.active, false);
    assert.notEqual(deactivated.body.meta.version, created.body.meta.version, "every write makes a new version");
    // The admin API shows the user as provisioned, with the directory's id.
    type Listed = { id: string; status: string; externalId: string; provisioned: boolean }[];
    const stored = await service.admin<Listed>("GET", `/api/v1/orgs/${orgId}/users?email=test.user@okta.local`);
    assert.deepEqual(
      stored.body.map((u) => [u.id, u.status, u.externalId, u.provisioned]),
      [[id, "disabled", "00ujl29u0le5T6Aj10h7", true]],
    );

    const replaced = await scim<ScimUserBody>("PUT", `/Users/${id}`, {
      ...OKTA_CREATE,
      name: { givenName: "Tess", familyName: "User" },
      active: true,
    });
    assert.equal(replaced.status, 200, replaced.text);
    assert.deepEqual([replaced.body.name?.givenName, replaced.body.active], ["Tess", true]);

    assert.equal((await scim("DELETE", `/Users/${id}`)).status, 204);
    assertScimError(await scim("GET", `/Users/${id}`), 404);
    assert.deepEqual(
      (await service.admin<Listed>("GET", `/api/v1/orgs/${orgId}/users?email=test.user@okta.local`)).body,
      [],
      "the user is gone",
    );

    // Every write is on the organisation's record, by the token.
    const events = (await auditEvents(service, orgId, "user.")).map((r) => [r.event, r.actor]);
    const actor = `scim:${made.id}`;
    assert.deepEqual(events, [
      ["user.created", actor],
      ["user.disabled", actor],
      ["user.enabled", actor],
      ["user.deleted", actor],
    ]);
  });
});

describe("SCIM Users: Entra ID's requests", () => {
  test('create; find by externalId and by emails[type eq "work"].value; "op": "Replace" with "value": "False"; attribute paths; delete', async (t) => {
    const { scim } = await organisation(t);
    const created = await scim<ScimUserBody>("POST", "/Users", ENTRA_CREATE);
    assert.equal(created.status, 201, created.text);
    const { id } = created.body;
    for (const filter of [
      'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"',
      'emails[type eq "work"].value eq "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"',
      'userName eq "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"',
    ]) {
      const found = await scim<ListBody>("GET", `/Users?filter=${encodeURIComponent(filter)}`);
      assert.deepEqual(
        found.body.Resources?.map((u) => u.id),
        [id],
        `${filter}: ${found.text}`,
      );
    }
    const updated = await scim<ScimUserBody>("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "Replace", path: 'emails[type eq "work"].value', value: "updatedEmail@testuser.com" },
        { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
        { op: "Add", path: "displayName", value: "Updated Name" },
      ],
    });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual(
      [updated.body.emails[0]?.value, updated.body.name?.familyName, updated.body.displayName],
      ["updatedEmail@testuser.com", "updatedFamilyName", "Updated Name"],
    );
    const removed = await scim<ScimUserBody>("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "Remove", path: "displayName" },
        { op: "Replace", path: "externalId", value: "new-external-id" },
      ],
    });
    assert.deepEqual([removed.body.displayName, removed.body.externalId], [undefined, "new-external-id"]);

    const disabled = await scim<ScimUserBody>("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    assert.equal(disabled.status, 200, disabled.text);
    assert.equal(disabled.body.active, false);
    const enabled = await scim<ScimUserBody>("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "True" }],
    });
    assert.equal(enabled.body.active, true);

    assert.equal((await scim("DELETE", `/Users/${id}`)).status, 204);
    assertScimError(await scim("GET", `/Users/${id}`), 404);
    assertScimError(await scim("DELETE", `/Users/${id}`), 404);
  });

  test("application/json is accepted as well as application/scim+json", async (t) => {
    const { scim } = await organisation(t);
    const created = await scim<ScimUserBody>("POST", "/Users", OKTA_CREATE, { "content-type": "application/json" });
    assert.equal(created.status, 201, created.text);
  });
});

describe("SCIM Users: what is refused, as SCIM errors", () => {
  test("RFC 7644's example user has no email: invalidValue; a taken userName or email is 409 uniqueness", async (t) => {
    const { scim } = await organisation(t);
    // RFC 7644 §3.3's request: userName "bjensen", no emails.
    const rfcExample = {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "bjensen",
      externalId: "bjensen",
      name: { formatted: "Ms. Barbara J Jensen III", familyName: "Jensen", givenName: "Barbara" },
    };
    assertScimError(await scim("POST", "/Users", rfcExample), 400, "invalidValue");
    const withEmail = { ...rfcExample, emails: [{ value: "bjensen@example.com", type: "work", primary: true }] };
    assert.equal((await scim("POST", "/Users", withEmail)).status, 201);
    assertScimError(await scim("POST", "/Users", withEmail), 409, "uniqueness");
    assertScimError(await scim("POST", "/Users", { ...withEmail, userName: "other" }), 409, "uniqueness");
    assertScimError(
      await scim("POST", "/Users", { ...withEmail, userName: "bjensen", emails: [{ value: "b2@example.com" }] }),
      409,
      "uniqueness",
    );
    assertScimError(
      await scim("POST", "/Users", { ...withEmail, userName: "x", emails: [{ value: "x@example.com" }], active: "maybe" }),
      400,
      "invalidValue",
    );
  });

  test("a filter the service does not answer is invalidFilter, never an empty list; paging takes whole numbers", async (t) => {
    const { scim } = await organisation(t);
    for (const filter of ["title pr", 'userName co "a"', 'userName eq "a" or userName eq "b"', "userName eq"]) {
      assertScimError(await scim("GET", `/Users?filter=${encodeURIComponent(filter)}`), 400, "invalidFilter");
    }
    assertScimError(await scim("GET", "/Users?startIndex=first"), 400, "invalidValue");
  });

  test("startIndex and count page the users; count=0 answers only the total", async (t) => {
    const { scim } = await organisation(t);
    for (const n of [1, 2, 3]) {
      const made = await scim("POST", "/Users", { userName: `u${n}@okta.local` });
      assert.equal(made.status, 201, made.text);
    }
    const second = await scim<ListBody>("GET", "/Users?startIndex=2&count=1");
    assert.deepEqual(
      [second.body.totalResults, second.body.startIndex, second.body.itemsPerPage, second.body.Resources[0]?.userName],
      [3, 2, 1, "u2@okta.local"],
    );
    const total = await scim<ListBody>("GET", "/Users?count=0");
    assert.deepEqual([total.body.totalResults, total.body.Resources], [3, []]);
  });

  test("If-Match: a stale version is 412 on PUT, PATCH and DELETE; the current one passes", async (t) => {
    const { scim } = await organisation(t);
    const created = await scim<ScimUserBody>("POST", "/Users", OKTA_CREATE);
    const { id } = created.body;
    const first = created.body.meta.version;
    const patch = {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "displayName", value: "T" }],
    };
    const second = await scim<ScimUserBody>("PATCH", `/Users/${id}`, patch, { "if-match": first });
    assert.equal(second.status, 200, second.text);
    assertScimError(await scim("PATCH", `/Users/${id}`, patch, { "if-match": first }), 412);
    assertScimError(await scim("PUT", `/Users/${id}`, OKTA_CREATE, { "if-match": first }), 412);
    assertScimError(await scim("DELETE", `/Users/${id}`, undefined, { "if-match": first }), 412);
    assertScimError(await scim("DELETE", `/Users/${id}`, undefined, { "if-match": "not a version" }), 412);
    assert.equal((await scim("DELETE", `/Users/${id}`, undefined, { "if-match": second.body.meta.version })).status, 204);
  });

  test("a PATCH that is not a PatchOp, or has an unknown op, is invalidSyntax; a body that is not JSON is a SCIM error too", async (t) => {
    const { scim } = await organisation(t);
    const { body } = await scim<ScimUserBody>("POST", "/Users", OKTA_CREATE);
    assertScimError(await scim("PATCH", `/Users/${body.id}`, { Operations: [] }), 400, "invalidSyntax");
    assertScimError(await scim("PATCH", `/Users/${body.id}`, { Operations: [{ op: "move", path: "active" }] }), 400, "invalidSyntax");
    assertScimError(await scim("POST", "/Users", "{not json"), 400, "invalidSyntax");
  });
});

describe("SCIM discovery (RFC 7644 §4)", () => {
  test("ServiceProviderConfig, ResourceTypes and Schemas say what is supported; they need the token too", async (t) => {
    const { service, orgId, made, scim } = await organisation(t);
    const config = await scim<Record<string, { supported: boolean; maxResults?: number }>>("GET", "/ServiceProviderConfig");
    assert.equal(config.status, 200, config.text);
    assert.deepEqual(
      ["patch", "bulk", "filter", "sort", "etag", "changePassword"].map((k) => config.body[k]?.supported),
      [true, false, true, false, true, false],
    );
    assert.equal(config.body.filter?.maxResults, 200);
    const types = await scim<{ totalResults: number; Resources: { id: string; endpoint: string; meta: { location: string } }[] }>(
      "GET",
      "/ResourceTypes",
    );
    assert.deepEqual(
      types.body.Resources.map((r) => [r.id, r.endpoint, r.meta.location]),
      [
        ["User", "/Users", `${made.baseUrl}/ResourceTypes/User`],
        ["Group", "/Groups", `${made.baseUrl}/ResourceTypes/Group`],
      ],
    );
    const schemas = await scim<{ Resources: { id: string; attributes: { name: string }[] }[] }>("GET", "/Schemas");
    const user = schemas.body.Resources.find((s) => s.id === "urn:ietf:params:scim:schemas:core:2.0:User");
    assert.deepEqual(
      user?.attributes.map((a) => a.name),
      ["userName", "externalId", "name", "displayName", "active", "emails"],
    );
    assertScimError(await service.request("GET", `/scim/v2/${orgId}/ServiceProviderConfig`), 401);
  });
});
