import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { describe, test } from "node:test";
import { freshDatabase } from "../support/fresh-database.ts";
import { assertAuthError, type JsonResponse, requestAs } from "../support/service.ts";
import { alice, bob, CLIENT_SECRET, REDIRECT_URI, type SignInFixture, signIn, signInFixture } from "../support/sign-in-fixture.ts";
import { startTestProvider, type TestProvider, type TestUser } from "../support/test-provider.ts";

/** Dave, a member who signs in through the organisation's real provider. */
const dave: TestUser = { sub: "dave-sub", email: "dave@acme.test", email_verified: true, name: "Dave Acme" };
/** Carol, a member the operator added, who never signed in (no identity). */
const carol = { email: "carol@acme.test" };

/** What the attacker's provider asserts: anyone's email, verified. */
const evilUsers: TestUser[] = [
  { sub: "x-dave", email: dave.email, email_verified: true },
  { sub: "x-alice", email: alice.email, email_verified: true },
  { sub: "x-carol", email: carol.email, email_verified: true },
  { sub: "x-newbie", email: "newbie@acme.test", email_verified: true },
];
const EVIL_CLIENT = "evil-app";

type ProviderBody = { identitySettingsSavedBy: string; linkExistingUsers: boolean; identityLinksDropped?: number };
type AuditRow = {
  event: string;
  outcome: string;
  error: string | null;
  userId: string | null;
  email: string | null;
  provider: string | null;
  actor: string | null;
  changes: unknown;
};

interface Takeover {
  readonly f: SignInFixture;
  readonly evil: TestProvider;
  /** Alice's access token: she is the organisation's admin (a delegated caller). */
  readonly adminToken: string;
  readonly ids: { alice: string; dave: string; carol: string };
}

/**
 * Acme: alice its admin and dave a member, both signed in through acme-idp (the operator's
 * provider), carol a member with no identity; and a second OpenID provider, `evil`, run by
 * whoever adds it, asserting others' emails.
 */
async function takeoverScene(t: TestContext, config: Parameters<typeof signInFixture>[1] = {}): Promise<Takeover> {
  const f = await signInFixture(t, { users: [alice, bob, dave], ...config });
  const made = async (email: string, role: string) => {
    const user = await f.service.admin<{ id: string }>("POST", `/api/v1/orgs/${f.orgId}/users`, { email, role });
    assert.equal(user.status, 201, user.text);
    return user.body.id;
  };
  const ids = { alice: await made(alice.email, "admin"), dave: await made(dave.email, "member"), carol: await made(carol.email, "member") };
  const { accessToken } = await signIn(f, alice);
  await signIn(f, dave);
  const evil = await startTestProvider({
    clients: [{ client_id: EVIL_CLIENT, client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }],
    users: evilUsers,
  });
  t.after(() => evil.close());
  return { f, evil, adminToken: accessToken, ids };
}

const evilSettings = (s: Takeover) => ({
  clientId: EVIL_CLIENT,
  clientSecret: CLIENT_SECRET,
  issuer: s.evil.issuer,
  redirectUris: [REDIRECT_URI],
  enableJit: true,
});
const providerPath = (s: Takeover, name = "evil") => `/api/v1/orgs/${s.f.orgId}/oauth-providers/${name}`;

/** Saves a provider as the organisation's admin (alice's access token). */
const putAsOrgAdmin = (s: Takeover, body: unknown, name = "evil") =>
  requestAs(s.f.service, s.adminToken, "PUT", providerPath(s, name), body) as Promise<JsonResponse<ProviderBody>>;
/** Saves a provider as the operator (the admin token). */
const putAsOperator = (s: Takeover, body: unknown, name = "evil") => s.f.service.admin<ProviderBody>("PUT", providerPath(s, name), body);

/** A whole exchange through `evil` as its user `sub`, naming `email`. */
async function exchangeThroughEvil(s: Takeover, sub: string, email: string) {
  const callback = await s.evil.authorize({ clientId: EVIL_CLIENT, redirectUri: REDIRECT_URI, login: sub });
  assert.ok("code" in callback, JSON.stringify(callback));
  return s.f.service.request<{ access_token: string }>("POST", "/userAccount/oauth/exchange", {
    provider: "evil",
    redirectUri: REDIRECT_URI,
    code: callback.code,
    email,
  });
}

/** The user's identity links as the operator reads them. */
async function identitiesOf(s: Takeover, userId: string) {
  const answer = await s.f.service.admin<{ provider: string; subject: string; linkedAt: string }[]>(
    "GET",
    `/api/v1/orgs/${s.f.orgId}/users/${userId}/identities`,
  );
  assert.equal(answer.status, 200, answer.text);
  return answer.body;
}

async function audit(s: Takeover, event: string): Promise<AuditRow[]> {
  const page = await s.f.service.admin<{ records: AuditRow[] }>("GET", `/api/v1/orgs/${s.f.orgId}/audit?limit=200&event=${event}`);
  assert.equal(page.status, 200, page.text);
  return page.body.records.filter((r) => r.event === event).reverse();
}

for (const engine of ["SQLite", "PostgreSQL"] as const) {
  const skip = engine === "PostgreSQL" && !process.env.TEST_DATABASE_URL ? "TEST_DATABASE_URL is not set (CI sets it)" : false;
  const database = async (t: TestContext) => (engine === "PostgreSQL" ? { config: { database: await freshDatabase(t, "postgres") } } : {});

  describe(`a provider a delegated admin saved cannot take over accounts (${engine})`, { skip }, () => {
    test("an organisation admin's provider asserting a linked user's email: 401 LINK_NOT_ALLOWED, audited, no link; an admin's email likewise", async (t) => {
      const s = await takeoverScene(t, await database(t));
      const saved = await putAsOrgAdmin(s, evilSettings(s));
      assert.equal(saved.status, 201, saved.text);
      assert.equal(saved.body.identitySettingsSavedBy, "delegated");
      assert.equal(saved.body.linkExistingUsers, false);

      const refused = assertAuthError(await exchangeThroughEvil(s, "x-dave", dave.email), 401, "LINK_NOT_ALLOWED");
      assert.doesNotMatch(refused.message, /\badmin\b|identity|linked/i, "the person is told only to contact their administrator");
      assert.deepEqual(
        (await identitiesOf(s, s.ids.dave)).map((i) => i.provider),
        ["acme-idp"],
      );
      const adminRefused = assertAuthError(await exchangeThroughEvil(s, "x-alice", alice.email), 401, "LINK_NOT_ALLOWED");
      assert.equal(adminRefused.message, refused.message, "the answer does not tell an admin's account from a member's");
      assert.deepEqual(
        (await identitiesOf(s, s.ids.alice)).map((i) => i.provider),
        ["acme-idp"],
      );
      const exchanges = (await audit(s, "oauth.exchange")).filter((r) => r.provider === "evil");
      assert.deepEqual(
        exchanges.map((r) => [r.email, r.outcome, r.error]),
        [
          [dave.email, "failure", "LINK_NOT_ALLOWED"],
          [alice.email, "failure", "LINK_NOT_ALLOWED"],
        ],
      );
      assert.equal((await audit(s, "identity.linked")).filter((r) => r.provider === "evil").length, 0);
    });

    test("through that provider a brand-new user still signs up just in time, and a member with no identity links; both recorded as identity.linked", async (t) => {
      const s = await takeoverScene(t, await database(t));
      assert.equal((await putAsOrgAdmin(s, evilSettings(s))).status, 201);

      const newbie = await exchangeThroughEvil(s, "x-newbie", "newbie@acme.test");
      assert.equal(newbie.status, 200, newbie.text);
      const carolSignIn = await exchangeThroughEvil(s, "x-carol", carol.email);
      assert.equal(carolSignIn.status, 200, carolSignIn.text);
      assert.deepEqual(
        (await identitiesOf(s, s.ids.carol)).map((i) => [i.provider, i.subject]),
        [["evil", "x-carol"]],
      );

      const linked = (await audit(s, "identity.linked")).filter((r) => r.provider === "evil");
      const newbieId = (await s.f.service.admin<{ id: string }[]>("GET", `/api/v1/orgs/${s.f.orgId}/users?email=newbie@acme.test`)).body[0]!
        .id;
      assert.deepEqual(
        linked.map((r) => [r.email, r.userId, r.actor, r.changes]),
        [
          [
            "newbie@acme.test",
            newbieId,
            `user:${newbieId}`,
            [
              { field: "subject", before: null, after: "x-newbie" },
              { field: "user", before: null, after: newbieId },
            ],
          ],
          [carol.email, s.ids.carol, `user:${s.ids.carol}`, [{ field: "subject", before: null, after: "x-carol" }]],
        ],
      );
    });

    test("with linkExistingUsers set by the operator a member with an identity elsewhere links; an admin with one still does not", async (t) => {
      const s = await takeoverScene(t, await database(t));
      assert.equal((await putAsOrgAdmin(s, evilSettings(s))).status, 201);
      const trusted = await putAsOperator(s, { ...evilSettings(s), linkExistingUsers: true });
      assert.equal(trusted.status, 200, trusted.text);
      assert.equal(trusted.body.identitySettingsSavedBy, "operator");
      assert.equal(trusted.body.linkExistingUsers, true);

      const moved = await exchangeThroughEvil(s, "x-dave", dave.email);
      assert.equal(moved.status, 200, moved.text);
      assert.deepEqual(
        (await identitiesOf(s, s.ids.dave)).map((i) => i.provider),
        ["acme-idp", "evil"],
      );
      assertAuthError(await exchangeThroughEvil(s, "x-alice", alice.email), 401, "LINK_NOT_ALLOWED");
      assert.deepEqual(
        (await identitiesOf(s, s.ids.alice)).map((i) => i.provider),
        ["acme-idp"],
      );
    });
  });
}

describe("linkExistingUsers and who saved the identity settings", () => {
  test("an organisation admin or a setup session sending linkExistingUsers (true or false) is 403 FORBIDDEN, and nothing is saved", async (t) => {
    const s = await takeoverScene(t);
    for (const linkExistingUsers of [true, false]) {
      const refused = assertAuthError(await putAsOrgAdmin(s, { ...evilSettings(s), linkExistingUsers }), 403, "FORBIDDEN");
      assert.match(refused.message, /Only the operator .* may set linkExistingUsers/);
    }
    const link = await s.f.service.admin<{ token: string }>("POST", `/api/v1/orgs/${s.f.orgId}/setup-links`, {});
    const session = await s.f.service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
    assert.equal(session.status, 201, session.text);
    const asSetup = (body: unknown) => requestAs(s.f.service, session.body.sessionToken, "PUT", providerPath(s), body);
    assertAuthError(await asSetup({ ...evilSettings(s), linkExistingUsers: true }), 403, "FORBIDDEN");
    assert.equal((await s.f.service.admin("GET", providerPath(s))).status, 404);
    // Without it, the setup session saves the provider, as the delegated admin it is.
    const saved = await asSetup(evilSettings(s));
    assert.equal(saved.status, 201, saved.text);
    assert.equal((saved.body as ProviderBody).identitySettingsSavedBy, "delegated");
    assertAuthError(await exchangeThroughEvil(s, "x-dave", dave.email), 401, "LINK_NOT_ALLOWED");
  });

  test("a delegated save of identity settings makes them the delegated admin's and turns linkExistingUsers off; of other settings (scope) keeps the operator's", async (t) => {
    const s = await takeoverScene(t);
    assert.equal((await putAsOperator(s, { ...evilSettings(s), linkExistingUsers: true })).status, 201);

    const scope = await putAsOrgAdmin(s, { ...evilSettings(s), scope: "openid email" });
    assert.equal(scope.status, 200, scope.text);
    assert.deepEqual([scope.body.identitySettingsSavedBy, scope.body.linkExistingUsers], ["operator", true]);
    // The operator's later save without the field keeps it too.
    const again = await putAsOperator(s, evilSettings(s));
    assert.deepEqual([again.body.identitySettingsSavedBy, again.body.linkExistingUsers], ["operator", true]);

    const identity = await putAsOrgAdmin(s, { ...evilSettings(s), trustEmail: true });
    assert.equal(identity.status, 200, identity.text);
    assert.deepEqual([identity.body.identitySettingsSavedBy, identity.body.linkExistingUsers], ["delegated", false]);
    const read = await s.f.service.admin<ProviderBody>("GET", providerPath(s));
    assert.deepEqual([read.body.identitySettingsSavedBy, read.body.linkExistingUsers], ["delegated", false]);
    assertAuthError(await exchangeThroughEvil(s, "x-dave", dave.email), 401, "LINK_NOT_ALLOWED");
  });

  test("a provider the operator saved links a member who has an identity elsewhere, as before, but never an admin who has one", async (t) => {
    const s = await takeoverScene(t);
    assert.equal((await putAsOperator(s, evilSettings(s))).status, 201);
    assert.equal((await exchangeThroughEvil(s, "x-dave", dave.email)).status, 200);
    assertAuthError(await exchangeThroughEvil(s, "x-alice", alice.email), 401, "LINK_NOT_ALLOWED");
  });

  test("providers stored before who saved them was recorded count as a delegated admin's", async (t) => {
    const s = await takeoverScene(t);
    const db = s.f.service.app.store.db;
    // A row as it was written before migration 0012: without the new columns, which then take their defaults.
    const acme = await db.selectFrom("providers").selectAll().where("name", "=", "acme-idp").executeTakeFirstOrThrow();
    const { identity_settings_saved_by: _by, link_existing_users: _link, ...older } = acme;
    await db
      .insertInto("providers")
      .values({ ...older, id: "older-provider", name: "older" } as typeof acme)
      .execute();
    const older_ = await s.f.service.admin<ProviderBody>("GET", providerPath(s, "older"));
    assert.deepEqual([older_.body.identitySettingsSavedBy, older_.body.linkExistingUsers], ["delegated", false]);
  });
});

describe("the operator's view of a user's identities", () => {
  test("GET lists a user's links; DELETE removes one (identity.unlinked, by the operator) and the next sign-in links again", async (t) => {
    const s = await takeoverScene(t);
    const identities = await identitiesOf(s, s.ids.alice);
    assert.deepEqual(
      identities.map((i) => [i.provider, i.subject]),
      [["acme-idp", alice.sub]],
    );
    assert.ok(!Number.isNaN(Date.parse(identities[0]!.linkedAt)));
    // The operator's alone: the organisation's own admin may not read or remove links.
    const path = `/api/v1/orgs/${s.f.orgId}/users/${s.ids.alice}/identities`;
    assertAuthError(await requestAs(s.f.service, s.adminToken, "GET", path), 403, "FORBIDDEN");
    assertAuthError(await requestAs(s.f.service, s.adminToken, "DELETE", `${path}/acme-idp`), 403, "FORBIDDEN");

    // The operator moves alice, an admin, to another provider: refused while she has an identity…
    assert.equal((await putAsOperator(s, { ...evilSettings(s), linkExistingUsers: true })).status, 201);
    assertAuthError(await exchangeThroughEvil(s, "x-alice", alice.email), 401, "LINK_NOT_ALLOWED");
    const removed = await s.f.service.admin("DELETE", `${path}/acme-idp`);
    assert.equal(removed.status, 204, removed.text);
    assert.deepEqual(await identitiesOf(s, s.ids.alice), []);
    assertAuthError(await s.f.service.admin("DELETE", `${path}/acme-idp`), 404, "NOT_FOUND");
    assertAuthError(await s.f.service.admin("GET", `/api/v1/orgs/${s.f.orgId}/users/no-such-user/identities`), 404, "NOT_FOUND");
    // …and linked at her next sign-in once it is removed.
    assert.equal((await exchangeThroughEvil(s, "x-alice", alice.email)).status, 200);
    assert.deepEqual(
      (await identitiesOf(s, s.ids.alice)).map((i) => [i.provider, i.subject]),
      [["evil", "x-alice"]],
    );

    const unlinked = await audit(s, "identity.unlinked");
    assert.deepEqual(
      unlinked.map((r) => [r.userId, r.email, r.provider, r.actor, r.changes]),
      [[s.ids.alice, alice.email, "acme-idp", "operator", [{ field: "subject", before: alice.sub, after: null }]]],
    );
  });

  test("a save that drops identity links says how many in its answer and in an identity.unlinked record; one that keeps them says 0", async (t) => {
    const s = await takeoverScene(t);
    const settings = {
      clientId: "pipeshub-app",
      issuer: s.f.provider.issuer,
      redirectUris: [REDIRECT_URI],
      enableJit: true,
    };
    const kept = await putAsOperator(s, { ...settings, scope: "openid email" }, "acme-idp");
    assert.equal(kept.status, 200, kept.text);
    assert.equal(kept.body.identityLinksDropped, 0);
    const dropped = await putAsOperator(s, { ...settings, subjectClaim: "oid" }, "acme-idp");
    assert.equal(dropped.status, 200, dropped.text);
    assert.equal(dropped.body.identityLinksDropped, 2, "alice's and dave's");
    assert.deepEqual(await identitiesOf(s, s.ids.dave), []);
    const created = await putAsOrgAdmin(s, evilSettings(s));
    assert.equal(created.body.identityLinksDropped, 0);

    const unlinked = await audit(s, "identity.unlinked");
    assert.deepEqual(
      unlinked.map((r) => [r.provider, r.userId, r.actor, r.changes]),
      [["acme-idp", null, "operator", [{ field: "identityLinks", before: 2, after: 0 }]]],
    );
  });
});
