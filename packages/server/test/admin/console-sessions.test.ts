import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { tokenHash } from "../../src/domain/ids.ts";
import type { AuditRecord } from "../../src/domain/audit.ts";
import { freshDatabase } from "../support/fresh-database.ts";
import { assertAuthError, requestAs, type RunningService, startService } from "../support/service.ts";
import { acmeAndInitech, alice, signIn } from "../support/sign-in-fixture.ts";

const redisUrl = process.env.TEST_REDIS_URL;
const postgresUrl = process.env.TEST_DATABASE_URL;

type SessionView = { id: string; kind: string; orgId: string | null; userId: string | null; createdAt: string; expiresAt: string };

/** The cookie (and the console's header) of a console session opened with `body` ({token} or {accessToken}). */
async function consoleSignIn(service: RunningService, body: { token: string } | { accessToken: string }) {
  const opened = await service.request("POST", "/admin/session", body);
  assert.equal(opened.status, 204, opened.text);
  const cookie = opened.headers.get("set-cookie")!.split(";")[0]!;
  return { cookie, value: cookie.split("=")[1]!, headers: { cookie, "x-pipeshub-console": "1" } };
}

/** What a console session's cookie may do now at `service`: the status of an admin API call with it. */
const statusWith = async (service: RunningService, headers: Record<string, string>, path = "/api/v1/orgs") =>
  (await service.request("GET", path, undefined, headers)).status;

const listed = async (service: RunningService) => {
  const list = await service.admin<{ sessions: SessionView[] }>("GET", "/api/v1/console-sessions");
  assert.equal(list.status, 200, list.text);
  return list;
};

/**
 * Acme with Alice as its admin, and one session of each kind: the operator's console, Alice's
 * console (opened with her access token), and a redeemed setup link's.
 */
async function oneSessionOfEachKind(t: TestContext) {
  const { f, aliceId } = await acmeAndInitech(t);
  const service = f.service;
  const operator = await consoleSignIn(service, { token: service.app.config.adminToken });
  const { accessToken } = await signIn(f, alice);
  const orgAdmin = await consoleSignIn(service, { accessToken });
  const link = await service.admin<{ id: string; token: string }>("POST", `/api/v1/orgs/${f.orgId}/setup-links`, {});
  const setup = await service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
  assert.equal(setup.status, 201, setup.text);
  return { service, orgId: f.orgId, aliceId, operator, accessToken, orgAdmin, linkId: link.body.id, setupToken: setup.body.sessionToken };
}

/** The `console_sessions.ended` records of an organisation's trail (null: outside any), newest first. */
const endedRecords = async (service: RunningService, orgId: string | null): Promise<AuditRecord[]> =>
  (await service.app.store.audit.page(orgId, 50, undefined, { event: "console_sessions.ended" })).records;

describe("console sessions: bound to the admin token, listed and ended by the operator", () => {
  const setups = [
    { name: "SQLite, state in memory", skip: false as const, database: "sqlite" as const, redis: undefined },
    {
      name: "PostgreSQL and Redis",
      skip: !postgresUrl || !redisUrl ? "TEST_DATABASE_URL and TEST_REDIS_URL are not set (CI sets them)" : (false as const),
      database: "postgres" as const,
      redis: redisUrl,
    },
  ];
  for (const setup of setups) {
    test(
      `a new ADMIN_TOKEN ends every operator console session on every instance at once (${setup.name})`,
      { skip: setup.skip },
      async (t) => {
        const database = await freshDatabase(t, setup.database);
        const shared = { database, ...(setup.redis && { redisUrl: setup.redis }) };
        const oldToken = "the-old-admin-token-0123456789";
        const a = await startService(t, { ...shared, adminToken: oldToken });
        const sameToken = await startService(t, { ...shared, adminToken: oldToken });
        const operator = await consoleSignIn(a, { token: oldToken });
        assert.deepEqual((await a.request("GET", "/admin/session", undefined, { cookie: operator.cookie })).body, { kind: "operator" });
        assert.equal(await statusWith(a, operator.headers), 200);
        assert.equal(await statusWith(sameToken, operator.headers), 200, "another instance with the same token accepts the session");

        // The service restarted with a new ADMIN_TOKEN (and an instance already running with it): the old cookie is refused.
        await a.app.close();
        const restarted = await startService(t, { ...shared, adminToken: "the-new-admin-token-0123456789" });
        assertAuthError(await restarted.request("GET", "/admin/session", undefined, { cookie: operator.cookie }), 401, "UNAUTHORIZED");
        assertAuthError(await restarted.request("GET", "/api/v1/orgs", undefined, operator.headers), 401, "UNAUTHORIZED");
        // Nothing stored under the session lets anyone check a guess of the token: the cookie's plain hash is not there either.
        const rows = await restarted.app.store.db.selectFrom("console_sessions").select(["key_hash", "kind"]).execute();
        assert.deepEqual(
          rows.map((r) => r.kind),
          ["operator"],
        );
        assert.notEqual(rows[0]!.key_hash, tokenHash(operator.value));
        // A session opened under the new token works under it, and not on the instance that still has the old one.
        const fresh = await consoleSignIn(restarted, { token: "the-new-admin-token-0123456789" });
        assert.equal(await statusWith(restarted, fresh.headers), 200);
        assertAuthError(await sameToken.request("GET", "/api/v1/orgs", undefined, fresh.headers), 401, "UNAUTHORIZED");
      },
    );
  }

  test("GET /api/v1/console-sessions lists operator, organisation-admin and setup-link sessions by id, never by credential", async (t) => {
    const { service, orgId, aliceId, operator, orgAdmin, linkId, setupToken } = await oneSessionOfEachKind(t);
    // A link not yet redeemed has no session.
    await service.admin("POST", `/api/v1/orgs/${orgId}/setup-links`, {});

    const list = await listed(service);
    assert.equal(list.headers.get("cache-control"), "no-store");
    const { sessions } = list.body;
    assert.deepEqual(
      sessions.map(({ kind, orgId, userId }) => ({ kind, orgId, userId })),
      [
        { kind: "operator", orgId: null, userId: null },
        { kind: "org-admin", orgId, userId: aliceId },
        { kind: "setup-link", orgId, userId: null },
      ],
    );
    assert.equal(sessions[2]!.id, linkId, "a setup session is named by its link");
    for (const session of sessions) assert.ok(Date.parse(session.createdAt) <= Date.now() && Date.parse(session.expiresAt) > Date.now());
    assert.ok(Date.parse(sessions[0]!.expiresAt) - Date.now() > 7.9 * 3600_000, "an operator's session lasts 8 h");
    for (const secret of [operator.value, orgAdmin.value, tokenHash(operator.value), tokenHash(orgAdmin.value), setupToken])
      assert.ok(!list.text.includes(secret), "the listing carries no cookie, token or hash of one");
  });

  test("DELETE /api/v1/console-sessions/{id} ends one session at once, DELETE /api/v1/console-sessions all; each is audited", async (t) => {
    const { service, orgId, operator, accessToken, orgAdmin, setupToken } = await oneSessionOfEachKind(t);
    const orgPath = `/api/v1/orgs/${orgId}`;
    const idOf = async (kind: string) => (await listed(service)).body.sessions.find((s) => s.kind === kind)!.id;

    const orgAdminId = await idOf("org-admin");
    assert.equal((await service.admin("DELETE", `/api/v1/console-sessions/${orgAdminId}`)).status, 204);
    assertAuthError(await service.request("GET", orgPath, undefined, orgAdmin.headers), 401, "UNAUTHORIZED");
    assertAuthError(await service.request("GET", "/admin/session", undefined, { cookie: orgAdmin.cookie }), 401, "UNAUTHORIZED");
    assert.equal(await statusWith(service, operator.headers), 200, "the other sessions go on");
    assert.equal((await requestAs(service, setupToken, "GET", orgPath)).status, 200);
    assertAuthError(await service.admin("DELETE", `/api/v1/console-sessions/${orgAdminId}`), 404, "NOT_FOUND");
    assertAuthError(await service.admin("DELETE", "/api/v1/console-sessions/no-such-session"), 404, "NOT_FOUND");

    const setupId = await idOf("setup-link");
    assert.equal((await service.admin("DELETE", `/api/v1/console-sessions/${setupId}`)).status, 204);
    assertAuthError(await requestAs(service, setupToken, "GET", orgPath), 401, "UNAUTHORIZED");

    const again = await consoleSignIn(service, { accessToken });
    const secondOperator = await consoleSignIn(service, { token: service.app.config.adminToken });
    const all = await service.admin<{ ended: number }>("DELETE", "/api/v1/console-sessions");
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.body, { ended: 3 });
    for (const ended of [operator, again, secondOperator])
      assertAuthError(await service.request("GET", orgPath, undefined, ended.headers), 401, "UNAUTHORIZED");
    assert.deepEqual((await listed(service)).body.sessions, []);
    assert.deepEqual((await service.admin<{ ended: number }>("DELETE", "/api/v1/console-sessions")).body, { ended: 0 });

    const inOrg = await endedRecords(service, orgId);
    assert.deepEqual(
      inOrg.map((r) => [r.actor, r.outcome, r.changes]),
      [
        ["operator", "success", [{ field: "id", before: setupId, after: null }]],
        ["operator", "success", [{ field: "id", before: orgAdminId, after: null }]],
      ],
    );
    assert.deepEqual(
      (await endedRecords(service, null)).map((r) => [r.actor, r.changes, r.ip]),
      [
        ["operator", [{ field: "sessions", before: 0, after: 0 }], "127.0.0.1"],
        ["operator", [{ field: "sessions", before: 3, after: 0 }], "127.0.0.1"],
      ],
    );
  });

  test("console sessions are the operator's: an organisation admin or a setup link gets 403, and ends nothing", async (t) => {
    const { service, operator, accessToken, orgAdmin, setupToken } = await oneSessionOfEachKind(t);
    const operatorId = (await listed(service)).body.sessions.find((s) => s.kind === "operator")!.id;

    const delegated = [
      (method: string, path: string) => requestAs(service, accessToken, method, path),
      (method: string, path: string) => requestAs(service, setupToken, method, path),
      (method: string, path: string) => service.request(method, path, undefined, orgAdmin.headers),
    ];
    for (const as of delegated) {
      assertAuthError(await as("GET", "/api/v1/console-sessions"), 403, "FORBIDDEN");
      assertAuthError(await as("DELETE", `/api/v1/console-sessions/${operatorId}`), 403, "FORBIDDEN");
      assertAuthError(await as("DELETE", "/api/v1/console-sessions"), 403, "FORBIDDEN");
    }
    assert.equal(await statusWith(service, operator.headers), 200);
    assert.equal((await listed(service)).body.sessions.length, 3);
    // Through the operator's own console session, the routes work.
    assert.equal(await statusWith(service, operator.headers, "/api/v1/console-sessions"), 200);
  });
});
