import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { AlreadyExistsError } from "../../src/domain/ports/repositories.ts";
import type { ProviderSettings } from "../../src/domain/provider-settings.ts";
import { createSecretBox } from "../../src/keys/secret-box.ts";
import { openDatabase } from "../../src/store/database.ts";
import { createStore } from "../../src/store/store.ts";
import { freshDatabase } from "../support/fresh-database.ts";

async function store(t: TestContext) {
  const db = await openDatabase({ kind: "sqlite", path: ":memory:" });
  t.after(() => db.destroy());
  return createStore(db, createSecretBox(Buffer.alloc(32, 3)));
}

const settings: ProviderSettings = {
  providerName: "corp",
  clientId: "app",
  issuer: "https://idp.example",
  scope: "openid email profile",
  tokenEndpointAuthMethod: "client_secret_basic",
  redirectUris: ["https://app.example/callback"],
  enableJit: true,
  trustEmail: false,
  requirePkce: false,
};

describe("store: the repositories behind the domain's ports (SQLite)", () => {
  test("a claimed domain or a taken email is the domain's AlreadyExistsError, not an engine error", async (t) => {
    const s = await store(t);
    const org = await s.organisations.create("Acme", ["Acme.test"]);
    assert.deepEqual(org.domains, ["acme.test"]);
    await assert.rejects(s.organisations.create("Other", ["ACME.test"]), AlreadyExistsError);
    await s.users.create(org.id, "Jane@acme.test", null);
    await assert.rejects(s.users.create(org.id, "jane@ACME.test", "Jane"), AlreadyExistsError);
  });

  test("a provider's secret is stored sealed and opened for sign-in only; a replace without one keeps it", async (t) => {
    const s = await store(t);
    const org = await s.organisations.create("Acme", []);
    const keep = { identityLinksSurvive: () => true };
    const created = await s.providers.put(org.id, settings, "the-secret", keep);
    assert.equal(created.ok && created.value.created, true, JSON.stringify(created));
    const row = await s.db.selectFrom("providers").selectAll().executeTakeFirstOrThrow();
    assert.ok(!row.client_secret_sealed?.includes("the-secret"));
    assert.equal((await s.providers.view(org.id, "corp"))?.clientSecretSet, true);
    assert.ok(!("clientSecret" in ((await s.providers.view(org.id, "corp")) ?? {})));
    const replaced = await s.providers.put(org.id, { ...settings, scope: "openid email" }, undefined, keep);
    assert.equal(replaced.ok && replaced.value.created, false, JSON.stringify(replaced));
    assert.equal((await s.providers.configured(org.id, "corp"))?.clientSecret, "the-secret");
  });

  test("a replace drops the provider's identity links exactly when the administration says they do not survive, given the settings replaced", async (t) => {
    const s = await store(t);
    const org = await s.organisations.create("Acme", []);
    await s.providers.put(org.id, settings, "secret", { identityLinksSurvive: () => true });
    const provider = (await s.providers.configured(org.id, "corp"))!;
    await s.links.provisionAndLink(org.id, provider.id, "subject-1", "jane@acme.test", null);
    const seen: ProviderSettings[] = [];
    await s.providers.put(org.id, { ...settings, scope: "openid" }, undefined, { identityLinksSurvive: (before) => seen.push(before) > 0 });
    assert.equal(seen[0]?.scope, "openid email profile", "asked with the settings being replaced");
    assert.ok(await s.links.userFor(provider.id, "subject-1"));
    await s.providers.put(org.id, { ...settings, subjectClaim: "oid" }, undefined, { identityLinksSurvive: () => false });
    assert.equal(await s.links.userFor(provider.id, "subject-1"), undefined);
  });

  test("an organisation's auth steps: none stored is undefined (the default is the domain's to apply)", async (t) => {
    const s = await store(t);
    const org = await s.organisations.create("Acme", []);
    assert.equal(await s.authSteps.get(org.id), undefined);
    const steps = [
      { order: 1, allowedMethods: [{ type: "oauth" as const }] },
      { order: 2, allowedMethods: [{ type: "otp" as const }] },
    ];
    await s.authSteps.put(org.id, steps);
    assert.deepEqual(await s.authSteps.get(org.id), steps);
  });

  test("signing keys: newest first; a rotation retires every other key at its creation time, atomically", async (t) => {
    const s = await store(t);
    const key = (kid: string, createdAt: string) => ({
      kid,
      publicJwk: { kty: "EC", kid },
      privateJwkSealed: `sealed-${kid}`,
      createdAt,
      retiredAt: null,
    });
    await s.signingKeys.add(key("a", "2030-01-01T00:00:00.000Z"));
    await s.signingKeys.rotateTo(key("b", "2030-01-02T00:00:00.000Z"));
    assert.deepEqual(
      (await s.signingKeys.published("2029-12-31T00:00:00.000Z")).map((k) => [k.kid, k.retiredAt]),
      [
        ["b", null],
        ["a", "2030-01-02T00:00:00.000Z"],
      ],
    );
    assert.deepEqual(
      (await s.signingKeys.published("2030-01-02T00:00:00.000Z")).map((k) => k.kid),
      ["b"],
      "retired at or before the cut-off: not published",
    );
    assert.deepEqual((await s.signingKeys.published("2029-12-31T00:00:00.000Z"))[0]?.publicJwk, { kty: "EC", kid: "b" });
  });
});

describe("store: the audit trail writes the records of one tick together", () => {
  const engines = process.env.TEST_DATABASE_URL ? (["sqlite", "postgres"] as const) : (["sqlite"] as const);
  const event = (email: string) =>
    ({ orgId: null, userId: null, email, provider: "corp", event: "oauth.exchange", outcome: "success", error: null, ip: null }) as const;

  for (const engine of engines) {
    test(`each record answers once its row is committed; one bad row fails every record written with it (${engine})`, async (t) => {
      const db = await openDatabase(await freshDatabase(t, engine));
      t.after(() => db.destroy());
      const s = createStore(db, createSecretBox(Buffer.alloc(32, 3)));
      const emails = Array.from({ length: 20 }, (_, i) => `u${i}@acme.test`);
      await Promise.all(emails.map((email) => s.audit.record(event(email))));
      const page = await s.audit.page(null, 50);
      assert.deepEqual(
        page.records.map((r) => r.email),
        emails.toReversed(),
        "every row, newest first",
      );

      // A row the table refuses (no event) makes the whole write fail: no partial batch.
      const refused = { ...event("bad@acme.test"), event: null as unknown as string };
      const results = await Promise.allSettled([
        s.audit.record(event("a@acme.test")),
        s.audit.record(refused),
        s.audit.record(event("b@acme.test")),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ["rejected", "rejected", "rejected"],
      );
      assert.equal((await s.audit.page(null, 50)).records.length, 20);
      await s.audit.record(event("after@acme.test"));
      assert.equal((await s.audit.page(null, 1)).records[0]!.email, "after@acme.test", "the next tick writes again");
    });
  }
});

describe("store: users and their sign-in sessions", () => {
  const engines = process.env.TEST_DATABASE_URL ? (["sqlite", "postgres"] as const) : (["sqlite"] as const);
  const at = (minute: number) => `2030-01-01T00:${String(minute).padStart(2, "0")}:00.000Z`;

  for (const engine of engines) {
    test(`a user's update sets only what it is given, within its organisation (${engine})`, async (t) => {
      const db = await openDatabase(await freshDatabase(t, engine));
      t.after(() => db.destroy());
      const s = createStore(db, createSecretBox(Buffer.alloc(32, 3)));
      const org = await s.organisations.create("Acme", []);
      const jane = await s.users.create(org.id, "jane@acme.test", "Jane");
      const disabled = await s.users.update(org.id, jane.id, { status: "disabled" });
      assert.deepEqual([disabled?.status, disabled?.role], ["disabled", "member"]);
      const both = await s.users.update(org.id, jane.id, { role: "admin", status: "active" });
      assert.deepEqual([both?.status, both?.role], ["active", "admin"]);
      assert.deepEqual(await s.users.update(org.id, jane.id, {}), both, "nothing to set: the user as stored");
      assert.equal(await s.users.update("another-org", jane.id, { status: "disabled" }), undefined, "only within its organisation");
      assert.equal(await s.users.update(org.id, "nobody", { status: "disabled" }), undefined);
      assert.equal((await s.users.get(jane.id))?.status, "active");
    });

    test(`revoking a user's refresh-token families ends each of theirs still active, keeps earlier reasons, touches no one else's (${engine})`, async (t) => {
      const db = await openDatabase(await freshDatabase(t, engine));
      t.after(() => db.destroy());
      const s = createStore(db, createSecretBox(Buffer.alloc(32, 3)));
      const family = async (id: string, userId: string) =>
        s.refreshTokens.createFamily(
          { id, userId, orgId: "org", createdAt: at(0) },
          { jti: `${id}-jti`, familyId: id, userId, expiresAt: at(59), createdAt: at(0) },
        );
      await family("jane-1", "jane");
      await family("jane-2", "jane");
      await family("jane-3", "jane");
      await family("john-1", "john");
      await s.refreshTokens.revokeFamily("jane-3", "logout", at(1));

      assert.equal(await s.refreshTokens.revokeUserFamilies("jane", "disabled", at(2)), 2);
      const rows = await db.selectFrom("refresh_token_families").select(["id", "revoked_at", "revoked_reason"]).orderBy("id").execute();
      assert.deepEqual(
        rows.map((row) => ({ ...row })),
        [
          { id: "jane-1", revoked_at: at(2), revoked_reason: "disabled" },
          { id: "jane-2", revoked_at: at(2), revoked_reason: "disabled" },
          { id: "jane-3", revoked_at: at(1), revoked_reason: "logout" },
          { id: "john-1", revoked_at: null, revoked_reason: null },
        ],
      );
      assert.equal(await s.refreshTokens.isFamilyActive("jane-1"), false);
      assert.equal((await s.refreshTokens.find("jane-2-jti"))?.familyRevokedAt, at(2));
      assert.equal(await s.refreshTokens.isFamilyActive("john-1"), true);
      assert.equal(await s.refreshTokens.revokeUserFamilies("jane", "disabled", at(3)), 0, "again: nothing left to revoke");
      assert.equal(await s.refreshTokens.revokeUserFamilies("nobody", "disabled", at(3)), 0);
    });
  }
});
