import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { changesBetween, MAX_RECORDED_VALUE, STORED_SECRET } from "../../src/admin/admin-actions.ts";
import { type AuditEntry, auditEvents, requestAs, type RunningService } from "../support/service.ts";
import { acmeAndInitech, alice, CLIENT_SECRET, REDIRECT_URI, signIn, signInFixture } from "../support/sign-in-fixture.ts";

const NEW_SECRET = "n3w-Client-Secret-Value-7c1d0";
const NEXT_SECRET = "n3xt-Client-Secret-Value-90ab2";
const COMPAT_SECRET = "c0mpat-Client-Secret-Value-11ef";

/** An admin write's record, in short: `event actor provider`, and its changes as `field: before → after` or `field changed`. */
const brief = (r: AuditEntry): [string, string[]] => [
  `${r.event} ${r.actor} ${r.provider ?? "-"}`,
  (r.changes ?? []).map((c) =>
    "changed" in c ? `${c.field} changed` : `${c.field}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`,
  ),
];

/** The organisation's records of admin writes (they name an actor and succeeded), oldest first. */
async function actions(service: RunningService, orgId: string): Promise<AuditEntry[]> {
  return (await auditEvents(service, orgId, "")).filter((r) => r.actor !== null && r.outcome === "success");
}

/** Every record the service answers, in its organisation's trail and outside any, as the text an admin would receive. */
async function everyAnswer(service: RunningService, orgId: string): Promise<string> {
  const inOrg = await service.admin("GET", `/api/v1/orgs/${orgId}/audit?limit=200`);
  const outside = await service.admin("GET", "/api/v1/audit?limit=200");
  assert.equal(outside.status, 200, outside.text);
  return inOrg.text + outside.text;
}

describe("admin writes: one audit record each, saying who did what", () => {
  test("the operator's writes: each is one record with its event, actor, organisation and changes; secrets only as changed", async (t) => {
    const f = await signInFixture(t);
    const { service, orgId } = f;
    const org = `/api/v1/orgs/${orgId}`;
    const provider = `${org}/oauth-providers/acme-idp`;
    const view = (await service.admin<Record<string, unknown>>("GET", provider)).body;
    // What the view adds to what a PUT takes: the secrets' presence, times, and who saved the identity settings.
    const { clientSecretSet: _s, nextClientSecretSet: _n, createdAt: _c, updatedAt: _u, identitySettingsSavedBy: _b, ...settings } = view;

    const ok = async (method: string, path: string, body?: unknown) => {
      const answer = await service.admin<Record<string, unknown>>(method, path, body);
      assert.ok(answer.status < 300, `${method} ${path}: ${answer.text}`);
      return answer.body;
    };
    await ok("PUT", provider, { ...settings, scope: "openid email", clientSecret: NEW_SECRET, nextClientSecret: NEXT_SECRET });
    await ok("PUT", provider, settings);
    await ok("POST", `${provider}/promote-secret`);
    await ok("POST", `/configurationManager/authConfig/oauth?orgId=${orgId}`, {
      providerName: "compat-idp",
      clientId: "compat",
      clientSecret: COMPAT_SECRET,
      issuer: f.provider.issuer,
      redirectUri: REDIRECT_URI,
    });
    await ok("DELETE", `${org}/oauth-providers/compat-idp`);
    const bob = await ok("POST", `${org}/users`, { email: "bob@acme.test", fullName: "Bob" });
    await ok("PATCH", `${org}/users/${String(bob.id)}`, { role: "admin" });
    await ok("PATCH", `${org}/users/${String(bob.id)}`, { role: "member", status: "disabled" });
    await ok("PATCH", `${org}/users/${String(bob.id)}`, { status: "active" });
    const link = await ok("POST", `${org}/setup-links`, { expiresInHours: 2 });
    await ok("DELETE", `${org}/setup-links/${String(link.id)}`);
    const steps = [{ order: 1, allowedMethods: [{ type: "oauth" }] }];
    await ok("PUT", `${org}/auth-methods`, { authMethod: [{ order: 1, allowedMethods: [{ type: "oauth" }, { type: "password" }] }] });
    await ok("POST", `/orgAuthConfig/updateAuthMethod?orgId=${orgId}`, { authMethod: steps });

    const records = await actions(service, orgId);
    assert.ok(
      records.every((r) => r.actor === "operator" && r.orgId === orgId && r.ip === "127.0.0.1"),
      JSON.stringify(records, null, 1),
    );
    const compat = { clientId: "compat", issuer: f.provider.issuer, scope: "openid email profile" };
    const created = (values: Record<string, unknown>) => Object.entries(values).map(([k, v]) => `${k}: null → ${JSON.stringify(v)}`);
    const removed = (values: Record<string, unknown>) => Object.entries(values).map(([k, v]) => `${k}: ${JSON.stringify(v)} → null`);
    const briefs = records.map(brief);
    // Creations and removals list every setting; what matters here is which are there and that secrets are only "changed".
    const [orgCreated, providerCreated, ...rest] = briefs;
    assert.deepEqual(orgCreated, ["org.created operator -", created({ name: "Acme", domains: ["acme.test"] })]);
    assert.equal(providerCreated?.[0], "provider.created operator acme-idp");
    assert.ok(providerCreated?.[1]?.includes("clientSecret changed"));
    assert.ok(providerCreated?.[1]?.includes(`issuer: null → ${JSON.stringify(f.provider.issuer)}`));
    assert.ok(!providerCreated?.[1]?.some((c) => c.startsWith("nextClientSecret")), "no next secret was given");
    const compatCreated = rest[3]!;
    const compatDeleted = rest[4]!;
    assert.equal(compatCreated[0], "provider.created operator compat-idp");
    assert.ok(created(compat).every((c) => compatCreated[1]!.includes(c)) && compatCreated[1]!.includes("clientSecret changed"));
    assert.equal(compatDeleted[0], "provider.deleted operator compat-idp");
    assert.ok(removed(compat).every((c) => compatDeleted[1]!.includes(c)) && compatDeleted[1]!.includes("clientSecret changed"));
    assert.deepEqual(
      [...rest.slice(0, 3), ...rest.slice(5)],
      [
        [
          "provider.updated operator acme-idp",
          ['scope: "openid email profile" → "openid email"', "clientSecret changed", "nextClientSecret changed"],
        ],
        ["provider.updated operator acme-idp", ['scope: "openid email" → "openid email profile"']],
        ["provider.secret_promoted operator acme-idp", ["clientSecret changed", "nextClientSecret changed"]],
        ["user.created operator -", created({ email: "bob@acme.test", fullName: "Bob", role: "member", status: "active" })],
        ["user.made_admin operator -", ['role: "member" → "admin"']],
        ["user.updated operator -", ['role: "admin" → "member"', 'status: "active" → "disabled"']],
        ["user.enabled operator -", ['status: "disabled" → "active"']],
        ["setup_link.created operator -", created({ id: link.id, expiresAt: link.expiresAt })],
        ["setup_link.revoked operator -", [`id: ${JSON.stringify(link.id)} → null`]],
        [
          "auth_methods.updated operator -",
          [
            `authMethods: ${JSON.stringify([{ order: 1, allowedMethods: [{ type: "oauth" }, { type: "samlSso" }] }])} → ${JSON.stringify([{ order: 1, allowedMethods: [{ type: "oauth" }, { type: "password" }] }])}`,
          ],
        ],
        [
          "auth_methods.updated operator -",
          [
            `authMethods: ${JSON.stringify([{ order: 1, allowedMethods: [{ type: "oauth" }, { type: "password" }] }])} → ${JSON.stringify(steps)}`,
          ],
        ],
      ],
    );
    const user = records.filter((r) => r.event.startsWith("user."));
    assert.ok(
      user.every((r) => r.userId === bob.id && r.email === "bob@acme.test"),
      "a user's record names the user written",
    );

    const answers = await everyAnswer(service, orgId);
    for (const secret of [CLIENT_SECRET, NEW_SECRET, NEXT_SECRET, COMPAT_SECRET, String(link.token)])
      assert.ok(!answers.includes(secret), "no secret or link token reaches the audit trail");
  });

  test("the service's keys: keys.rotated and keys.reencrypted are outside any organisation, in GET /api/v1/audit; org.created is in the new organisation's", async (t) => {
    const f = await signInFixture(t);
    const rotated = await f.service.admin<{ kid: string }>("POST", "/api/v1/keys/rotate");
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal((await f.service.admin("POST", "/api/v1/keys/reencrypt")).status, 200);

    const outside = await f.service.admin<{ records: AuditEntry[]; nextCursor: string | null }>("GET", "/api/v1/audit");
    assert.equal(outside.status, 200, outside.text);
    assert.deepEqual(
      outside.body.records.map((r) => [r.event, r.actor, r.orgId, r.outcome, r.changes]),
      [
        ["keys.reencrypted", "operator", null, "success", []],
        ["keys.rotated", "operator", null, "success", [{ field: "kid", before: null, after: rotated.body.kid }]],
      ],
    );
    assert.equal(outside.body.nextCursor, null);
    const inOrg = (await auditEvents(f.service, f.orgId, "")).map((r) => r.event);
    assert.deepEqual(inOrg, ["org.created", "provider.created"], "the organisation's trail holds its own writes, not the keys'");

    // Filters and paging work as they do in an organisation's trail.
    const narrowed = await f.service.admin<{ records: AuditEntry[]; nextCursor: string | null }>("GET", "/api/v1/audit?event=keys.rotated");
    assert.deepEqual(
      narrowed.body.records.map((r) => r.event),
      ["keys.rotated"],
    );
    const first = await f.service.admin<{ records: AuditEntry[]; nextCursor: string }>("GET", "/api/v1/audit?limit=1");
    assert.deepEqual(
      first.body.records.map((r) => r.event),
      ["keys.reencrypted"],
    );
    const second = await f.service.admin<{ records: AuditEntry[] }>("GET", `/api/v1/audit?limit=1&cursor=${first.body.nextCursor}`);
    assert.deepEqual(
      second.body.records.map((r) => r.event),
      ["keys.rotated"],
    );
    assert.deepEqual((await f.service.admin<{ records: unknown[] }>("GET", "/api/v1/audit?actor=someone")).body.records, []);
    assert.equal((await f.service.request("GET", "/api/v1/audit")).status, 401);
  });

  test("delegated callers: a setup session's and an organisation admin's writes name them; their reads leave nothing; a refusal is one record", async (t) => {
    const { f, aliceId } = await acmeAndInitech(t);
    const { service, orgId } = f;
    const org = `/api/v1/orgs/${orgId}`;
    const link = await service.admin<{ id: string; token: string }>("POST", `${org}/setup-links`, {});
    const session = await service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
    assert.equal(session.status, 201, session.text);
    const setup = session.body.sessionToken;
    const admin = (await signIn(f, alice)).accessToken;
    const before = (await auditEvents(service, orgId, "")).length;

    // What the console's provider page reads, as a setup session and as an organisation admin: no record.
    for (const token of [setup, admin])
      for (const path of [org, `${org}/oauth-providers`, "/api/v1/provider-presets", `${org}/oauth-providers/acme-idp`, `${org}/audit`])
        assert.equal((await requestAs(service, token, "GET", path)).status, 200, path);
    assert.equal((await auditEvents(service, orgId, "")).length, before, "successful reads are not audited");

    const second = { clientId: "second", issuer: f.provider.issuer, redirectUris: [REDIRECT_URI] };
    const put = (token: string, body: Record<string, unknown>) =>
      requestAs(service, token, "PUT", `${org}/oauth-providers/second-idp`, body);
    assert.equal((await put(setup, { ...second, clientSecret: NEW_SECRET })).status, 201);
    assert.equal((await put(admin, { ...second, scope: "openid email", nextClientSecret: NEXT_SECRET })).status, 200);
    assert.equal((await requestAs(service, setup, "POST", `${org}/oauth-providers/second-idp/promote-secret`)).status, 200);
    assert.equal((await requestAs(service, admin, "DELETE", `${org}/oauth-providers/second-idp`)).status, 204);
    const refused = await requestAs(service, setup, "PUT", `${org}/oauth-providers/second-idp`, { clientId: "x", issuer: "nonsense" });
    assert.equal(refused.status, 400);

    const setupActor = `setup-link:${link.body.id}`;
    const adminActor = `org-admin:${aliceId}`;
    const delegated = (await auditEvents(service, orgId, "")).slice(before);
    assert.deepEqual(
      delegated.map((r) => `${r.event} ${r.actor} ${r.outcome} ${r.error}`),
      [
        `provider.created ${setupActor} success null`,
        `provider.updated ${adminActor} success null`,
        `provider.secret_promoted ${setupActor} success null`,
        `provider.deleted ${adminActor} success null`,
        `setup-link PUT /api/v1/orgs/:orgId/oauth-providers/:name ${setupActor} failure HTTP_400`,
      ],
    );
    assert.deepEqual(brief(delegated[1]!)[1], ['scope: "openid email profile" → "openid email"', "nextClientSecret changed"]);
    assert.ok(delegated.every((r) => r.orgId === orgId && r.provider === "second-idp"));

    // The event and actor filters narrow the trail.
    const byActor = await service.admin<{ records: AuditEntry[] }>("GET", `${org}/audit?actor=${encodeURIComponent(adminActor)}`);
    assert.deepEqual(
      byActor.body.records.map((r) => r.event),
      ["provider.deleted", "provider.updated"],
    );
    const byEvent = await service.admin<{ records: AuditEntry[] }>("GET", `${org}/audit?event=provider.created`);
    assert.deepEqual(
      byEvent.body.records.map((r) => r.actor),
      [setupActor, "operator"],
    );
    // The trail outside any organisation is the operator's.
    for (const token of [setup, admin]) assert.equal((await requestAs(service, token, "GET", "/api/v1/audit")).status, 403);
    assert.ok(!(await everyAnswer(service, orgId)).includes(NEW_SECRET) && !(await everyAnswer(service, orgId)).includes(NEXT_SECRET));
  });

  test("a write that fails leaves no action record: the operator's refused writes change nothing and record nothing", async (t) => {
    const f = await signInFixture(t);
    const org = `/api/v1/orgs/${f.orgId}`;
    const before = (await auditEvents(f.service, f.orgId, "")).length;
    assert.equal((await f.service.admin("POST", "/api/v1/orgs", { name: "Again", domains: ["acme.test"] })).status, 409);
    assert.equal((await f.service.admin("DELETE", `${org}/oauth-providers/nope`)).status, 404);
    assert.equal((await f.service.admin("POST", `${org}/oauth-providers/acme-idp/promote-secret`)).status, 409);
    assert.equal((await f.service.admin("PUT", `${org}/oauth-providers/acme-idp`, { clientId: "x", issuer: "nonsense" })).status, 400);
    assert.equal((await f.service.admin("POST", `${org}/users`, { email: alice.email })).status, 201);
    assert.equal((await f.service.admin("POST", `${org}/users`, { email: alice.email })).status, 409);
    assert.deepEqual(
      (await auditEvents(f.service, f.orgId, "")).slice(before).map((r) => r.event),
      ["user.created"],
    );
  });
});

describe("changesBetween: what a write changed, field by field", () => {
  test("values before and after; missing as null; unchanged fields left out, whatever the order of keys", () => {
    assert.deepEqual(changesBetween({ a: 1, b: { x: 1, y: 2 }, c: "same" }, { a: 2, b: { y: 2, x: 1 }, c: "same", d: ["n"] }), [
      { field: "a", before: 1, after: 2 },
      { field: "d", before: null, after: ["n"] },
    ]);
    assert.deepEqual(changesBetween(undefined, { name: "Acme" }), [{ field: "name", before: null, after: "Acme" }]);
    assert.deepEqual(changesBetween({ name: "Acme" }, undefined), [{ field: "name", before: "Acme", after: null }]);
  });

  test("a secret is only changed, never its value; one kept is no change; a value too large to keep is only changed", () => {
    const secretFields = ["clientSecret"];
    assert.deepEqual(changesBetween({ clientSecret: STORED_SECRET }, { clientSecret: "given" }, { secretFields }), [
      { field: "clientSecret", changed: true },
    ]);
    assert.deepEqual(changesBetween({ clientSecret: STORED_SECRET }, { clientSecret: STORED_SECRET }, { secretFields }), []);
    assert.deepEqual(changesBetween({ clientSecret: STORED_SECRET }, {}, { secretFields }), [{ field: "clientSecret", changed: true }]);
    const large = "x".repeat(MAX_RECORDED_VALUE);
    assert.deepEqual(changesBetween({ note: "short" }, { note: large }), [{ field: "note", changed: true }]);
  });
});
