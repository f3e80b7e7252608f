/**
 * The operator's changes to an organisation after its creation (rename, domains, delete), over
 * real HTTP on SQLite and PostgreSQL, with the sign-in's lookup cache on (LOOKUP_CACHE_MS's
 * default): each change is seen by the next sign-in on this instance at once.
 */
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { assertAuthError, type AuditEntry, auditEvents, bearer, refreshWith, type RunningService } from "../support/service.ts";
import { acmeAndInitech, alice, bob, signIn } from "../support/sign-in-fixture.ts";
import { ownPostgresSchema } from "../support/postgres-schema.ts";

type OrgBody = { id: string; name: string; domains: string[]; createdAt: string };

const postgresUrl = process.env.TEST_DATABASE_URL;
const databases = [
  { name: "SQLite", skip: false as const, config: async () => ({}) },
  {
    name: "PostgreSQL",
    skip: postgresUrl ? (false as const) : "TEST_DATABASE_URL is not set (CI sets it)",
    config: async (t: TestContext) => ({ database: { kind: "postgres" as const, url: await ownPostgresSchema(t, postgresUrl!) } }),
  },
];

const initAuth = (service: RunningService, email: string) =>
  service.request<{ orgName?: string }>("POST", "/userAccount/initAuth", { email });

/** The service's own trail (records of no organisation) whose event starts with `prefix`, oldest first. */
async function serviceEvents(service: RunningService, prefix: string): Promise<AuditEntry[]> {
  const page = await service.admin<{ records: AuditEntry[] }>("GET", "/api/v1/audit?limit=200");
  assert.equal(page.status, 200, page.text);
  return page.body.records.filter((r) => r.event.startsWith(prefix)).reverse();
}

for (const database of databases) {
  describe(`the operator changes an organisation (${database.name})`, { skip: database.skip }, () => {
    test("PATCH renames it: the next initAuth names the new name at once; audited as org.updated with the name before and after", async (t) => {
      const { f } = await acmeAndInitech(t, await database.config(t));
      const { service } = f;
      assert.equal((await initAuth(service, alice.email)).body.orgName, "Acme", "the lookup is now cached");

      const renamed = await service.admin<OrgBody>("PATCH", `/api/v1/orgs/${f.orgId}`, { name: "  Acme Corp " });
      assert.equal(renamed.status, 200, renamed.text);
      assert.deepEqual([renamed.body.id, renamed.body.name, renamed.body.domains], [f.orgId, "Acme Corp", ["acme.test"]]);
      assert.equal((await initAuth(service, alice.email)).body.orgName, "Acme Corp");
      assert.equal((await initAuth(service, "carol@acme.test")).body.orgName, "Acme Corp");
      assert.equal((await service.admin<OrgBody>("GET", `/api/v1/orgs/${f.orgId}`)).body.name, "Acme Corp");

      const [record, ...more] = await auditEvents(service, f.orgId, "org.updated");
      assert.deepEqual(more, []);
      assert.deepEqual(
        [record?.event, record?.outcome, record?.actor, record?.ip, record?.changes],
        ["org.updated", "success", "operator", "127.0.0.1", [{ field: "name", before: "Acme", after: "Acme Corp" }]],
      );
      for (const body of [{}, { name: "" }, { name: "x".repeat(201) }, { name: "Acme", domains: [] }])
        assertAuthError(await service.admin("PATCH", `/api/v1/orgs/${f.orgId}`, body), 400, "VALIDATION_ERROR");
      assertAuthError(await service.admin("PATCH", "/api/v1/orgs/no-such-org", { name: "Nobody" }), 404, "ORG_NOT_FOUND");
      assert.equal((await auditEvents(service, f.orgId, "org.updated")).length, 1, "a refused rename is no record");
    });

    test("a domain added routes new sign-ins to it; removed, it no longer does while existing users keep theirs; audited", async (t) => {
      const { f, otherId } = await acmeAndInitech(t, await database.config(t));
      const { service } = f;
      const domains = `/api/v1/orgs/${f.orgId}/domains`;
      assertAuthError(await initAuth(service, "dan@acme.example"), 404, "ORG_NOT_FOUND");

      const added = await service.admin<OrgBody>("POST", domains, { domain: "ACME.example" });
      assert.equal(added.status, 201, added.text);
      assert.deepEqual(added.body.domains, ["acme.example", "acme.test"], "lower-cased, as at creation");
      assert.equal((await initAuth(service, "dan@acme.example")).body.orgName, "Acme", "seen at once, though the refusal was cached");

      // A domain belongs to one organisation: another's, or one this one has, is a conflict.
      assertAuthError(await service.admin("POST", domains, { domain: "initech.test" }), 409, "CONFLICT");
      assertAuthError(await service.admin("POST", domains, { domain: "acme.example" }), 409, "CONFLICT");
      assertAuthError(await service.admin("POST", `/api/v1/orgs/${otherId}/domains`, { domain: "Acme.Test" }), 409, "CONFLICT");
      for (const body of [{}, { domain: "" }, { domain: "not a domain" }, { domain: "a@b.test" }, { domain: "x.test", name: "y" }])
        assertAuthError(await service.admin("POST", domains, body), 400, "VALIDATION_ERROR");
      assertAuthError(await service.admin("POST", "/api/v1/orgs/no-such-org/domains", { domain: "free.test" }), 404, "ORG_NOT_FOUND");

      // Alice signs in once through acme.test; then the domain is removed.
      const before = await signIn(f, alice);
      assert.equal((await initAuth(service, "carol@acme.test")).body.orgName, "Acme");
      const removed = await service.admin("DELETE", `${domains}/acme.test`);
      assert.equal(removed.status, 204, removed.text);
      assertAuthError(await initAuth(service, "carol@acme.test"), 404, "ORG_NOT_FOUND");
      assert.equal((await initAuth(service, alice.email)).body.orgName, "Acme", "an existing user still signs in to her organisation");
      assert.equal((await refreshWith(service, before.refreshToken)).status, 200, "and her session goes on");
      assert.deepEqual((await service.admin<OrgBody>("GET", `/api/v1/orgs/${f.orgId}`)).body.domains, ["acme.example"]);

      assertAuthError(await service.admin("DELETE", `${domains}/acme.test`), 404, "NOT_FOUND");
      assertAuthError(await service.admin("DELETE", `${domains}/initech.test`), 404, "NOT_FOUND");
      assertAuthError(await service.admin("DELETE", `${domains}/not%20a%20domain`), 400, "VALIDATION_ERROR");
      assertAuthError(await service.admin("DELETE", "/api/v1/orgs/no-such-org/domains/acme.example"), 404, "ORG_NOT_FOUND");
      assert.deepEqual((await service.admin<OrgBody>("GET", `/api/v1/orgs/${otherId}`)).body.domains, ["initech.test"]);

      // A domain another organisation gave up may be claimed.
      const moved = await service.admin<OrgBody>("POST", `/api/v1/orgs/${otherId}/domains`, { domain: "acme.test" });
      assert.equal(moved.status, 201, moved.text);
      assert.equal((await initAuth(service, "carol@acme.test")).body.orgName, "Initech");

      assert.deepEqual(
        (await auditEvents(service, f.orgId, "org.domain_")).map((r) => [r.event, r.actor, r.changes]),
        [
          ["org.domain_added", "operator", [{ field: "domain", before: null, after: "acme.example" }]],
          ["org.domain_removed", "operator", [{ field: "domain", before: "acme.test", after: null }]],
        ],
      );
    });

    test("DELETE removes the organisation and everything of it in one go: its users can no longer refresh; audited in the service's trail", async (t) => {
      const { f, otherId } = await acmeAndInitech(t, await database.config(t));
      const { service } = f;
      const db = service.app.store.db;
      const admin = await signIn(f, alice);
      const member = await signIn(f, bob);
      const opened = await service.request("POST", "/admin/session", { accessToken: admin.accessToken });
      assert.equal(opened.status, 204, opened.text);
      const link = await service.admin<{ token: string }>("POST", `/api/v1/orgs/${f.orgId}/setup-links`, {});
      assert.equal(link.status, 201, link.text);
      const initech = await service.admin<{ id: string }>("POST", `/api/v1/orgs/${otherId}/users`, { email: "peter@initech.test" });
      assert.equal(initech.status, 201, initech.text);

      const withOrgId = [
        "organisation_domains",
        "users",
        "providers",
        "identity_links",
        "setup_links",
        "console_sessions",
        "refresh_token_families",
        "organisation_auth_steps",
        "provider_snapshots",
        "provider_events",
      ] as const;
      const usersOf = async (orgId: string) =>
        (await db.selectFrom("users").select("id").where("org_id", "=", orgId).execute()).map((u) => u.id);
      const acmeUsers = await usersOf(f.orgId);
      const initechUsers = await usersOf(otherId);
      /** Every row that names the organisation, by table; refresh tokens by their users' ids. */
      const rowsOf = async (orgId: string, userIds: string[]) => {
        const counts: Record<string, number> = {};
        for (const table of withOrgId)
          counts[table] = (await db.selectFrom(table).select("org_id").where("org_id", "=", orgId).execute()).length;
        counts.refresh_tokens = (await db.selectFrom("refresh_tokens").select("jti").where("user_id", "in", userIds).execute()).length;
        counts.organisations = (await db.selectFrom("organisations").select("id").where("id", "=", orgId).execute()).length;
        return counts;
      };
      const had = await rowsOf(f.orgId, acmeUsers);
      for (const table of ["organisations", "organisation_domains", "providers", "setup_links", "console_sessions", "refresh_tokens"])
        assert.ok(had[table]! >= 1, `${table} has rows before: ${JSON.stringify(had)}`);
      assert.deepEqual([had.users, had.identity_links, had.refresh_token_families], [2, 2, 2]);
      const initechBefore = await rowsOf(otherId, initechUsers);

      const deleted = await service.admin("DELETE", `/api/v1/orgs/${f.orgId}`);
      assert.equal(deleted.status, 204, deleted.text);
      assert.deepEqual(
        Object.entries(await rowsOf(f.orgId, acmeUsers)).filter(([, count]) => count > 0),
        [],
        "no row names the organisation any more",
      );
      assert.deepEqual(await rowsOf(otherId, initechUsers), initechBefore, "the other organisation is untouched");

      for (const session of [admin, member]) assert.equal((await refreshWith(service, session.refreshToken)).status, 401);
      assertAuthError(await service.request("GET", `/api/v1/orgs/${otherId}`, undefined, bearer(admin.accessToken)), 401, "UNAUTHORIZED");
      assertAuthError(await service.admin("GET", `/api/v1/orgs/${f.orgId}`), 404, "ORG_NOT_FOUND");
      assertAuthError(await service.request("POST", "/api/v1/setup-sessions", { token: link.body.token }), 401, "INVALID_TOKEN");
      assertAuthError(await service.admin("DELETE", `/api/v1/orgs/${f.orgId}`), 404, "ORG_NOT_FOUND");
      // acme.test routes nowhere now: with one organisation left, an address of it signs in to that one.
      assert.equal((await initAuth(service, "carol@acme.test")).body.orgName, "Initech");

      const [record, ...more] = await serviceEvents(service, "org.deleted");
      assert.deepEqual(more, []);
      assert.deepEqual(
        [record?.orgId, record?.actor, record?.changes],
        [
          null,
          "operator",
          [
            { field: "id", before: f.orgId, after: null },
            { field: "name", before: "Acme", after: null },
            { field: "domains", before: ["acme.test"], after: null },
          ],
        ],
      );
    });
  });
}

describe("only the operator changes organisations", () => {
  test("an organisation admin's token, a console session of one and a setup session get 403 on every change, and nothing changes", async (t) => {
    const { f } = await acmeAndInitech(t);
    const { service } = f;
    const admin = await signIn(f, alice);
    const link = await service.admin<{ token: string }>("POST", `/api/v1/orgs/${f.orgId}/setup-links`, {});
    const setup = await service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
    assert.equal(setup.status, 201, setup.text);
    const opened = await service.request("POST", "/admin/session", { accessToken: admin.accessToken });
    const console = { cookie: opened.headers.get("set-cookie")!.split(";")[0]!, "x-pipeshub-console": "1" };
    const org = `/api/v1/orgs/${f.orgId}`;
    const writes: [string, string, unknown?][] = [
      ["PATCH", org, { name: "Taken over" }],
      // Adding a domain is theirs now, as a pending claim that routes nothing until DNS proves it
      // (test/admin/domain-verification.test.ts); removing a verified one stays the operator's.
      ["DELETE", `${org}/domains/acme.test`],
      ["DELETE", org],
      ["GET", "/api/v1/keys"],
      ["GET", "/api/v1/settings"],
    ];
    for (const headers of [bearer(admin.accessToken), bearer(setup.body.sessionToken), console])
      for (const [method, path, body] of writes) assertAuthError(await service.request(method, path, body, headers), 403, "FORBIDDEN");
    const after = await service.admin<OrgBody>("GET", org);
    assert.deepEqual([after.body.name, after.body.domains], ["Acme", ["acme.test"]]);
    assert.deepEqual(await auditEvents(service, f.orgId, "org.updated"), []);
    assert.deepEqual(await auditEvents(service, f.orgId, "org.domain_"), []);
  });
});
