import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { newId } from "../../src/domain/ids.ts";
import { ownPostgresSchema } from "../support/postgres-schema.ts";
import { assertAuthError } from "../support/service.ts";
import { alice, signInFixture } from "../support/sign-in-fixture.ts";

const postgresUrl = process.env.TEST_DATABASE_URL;
const bob = { sub: "bob-sub", email: "bob@acme.test", email_verified: false, name: "Bob Acme" };

interface Health {
  window: string;
  since: string;
  attempts: number;
  successes: number;
  failures: Record<string, number>;
  lastSuccessAt: string | null;
  lastFailure: { reason: string; at: string; fix?: string } | null;
}

describe("a provider's health: how sign-ins through it went, failures by reason, with what to do", () => {
  test("each reason a real failure produced is counted, and the last one is explained", async (t) => {
    const f = await signInFixture(t, { users: [alice, bob] });
    const health = (window = "1h") =>
      f.service.admin<Health>("GET", `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp/health?window=${window}`);

    const quiet = await health();
    assert.equal(quiet.status, 200, quiet.text);
    assert.deepEqual(
      { attempts: quiet.body.attempts, failures: quiet.body.failures, lastFailure: quiet.body.lastFailure },
      { attempts: 0, failures: {}, lastFailure: null },
    );

    assert.equal((await f.exchange({ code: await f.code(alice.sub), email: alice.email })).status, 200);
    assertAuthError(await f.exchange({ code: "not-a-code-the-provider-issued", email: alice.email }), 400, "INVALID_GRANT");
    assertAuthError(await f.exchange({ code: await f.code(alice.sub), email: "carol@acme.test" }), 401, "EMAIL_MISMATCH");
    assertAuthError(await f.exchange({ code: await f.code(bob.sub), email: bob.email }), 401, "EMAIL_NOT_VERIFIED");
    const code = await f.code(alice.sub);
    await f.provider.close();
    assertAuthError(await f.exchange({ code, email: alice.email }), 502, "PROVIDER_UNAVAILABLE");

    const after = await health();
    assert.equal(after.status, 200, after.text);
    assert.equal(after.body.window, "1h");
    assert.equal(after.body.attempts, 5);
    assert.equal(after.body.successes, 1);
    assert.deepEqual(after.body.failures, { INVALID_GRANT: 1, EMAIL_MISMATCH: 1, EMAIL_NOT_VERIFIED: 1, PROVIDER_UNAVAILABLE: 1 });
    assert.ok(after.body.lastSuccessAt && Date.parse(after.body.lastSuccessAt) <= Date.now());
    assert.equal(after.body.lastFailure?.reason, "PROVIDER_UNAVAILABLE");
    assert.match(after.body.lastFailure?.fix ?? "", /could not be reached/);
  });

  test("the audit trail gives every failure its reason and a fix sentence; successes carry neither", async (t) => {
    const f = await signInFixture(t, { users: [alice, bob] });
    assert.equal((await f.exchange({ code: await f.code(alice.sub), email: alice.email })).status, 200);
    assertAuthError(await f.exchange({ code: await f.code(bob.sub), email: bob.email }), 401, "EMAIL_NOT_VERIFIED");
    const audit = await f.service.admin<{ records: Record<string, unknown>[] }>("GET", `/api/v1/orgs/${f.orgId}/audit`);
    assert.equal(audit.status, 200, audit.text);
    const [failed, succeeded] = audit.body.records;
    assert.equal(failed?.reason, "EMAIL_NOT_VERIFIED");
    assert.match(String(failed?.fix), /verify it at the provider.*emailVerifiedClaim.*trustEmail/);
    assert.equal(succeeded?.outcome, "success");
    assert.equal("reason" in (succeeded ?? {}) || "fix" in (succeeded ?? {}), false);
  });

  for (const engine of ["SQLite", "PostgreSQL"] as const) {
    const skip = engine === "PostgreSQL" && !postgresUrl ? "TEST_DATABASE_URL is not set (CI sets it)" : false;
    test(`the window decides what is counted: an attempt two hours ago is in the day, not in the hour (${engine})`, { skip }, async (t) => {
      const config =
        engine === "PostgreSQL" ? { database: { kind: "postgres" as const, url: await ownPostgresSchema(t, postgresUrl!) } } : {};
      const f = await signInFixture(t, { config });
      const twoHoursAgo = Date.now() - 2 * 3600_000;
      await f.service.app.store.db
        .insertInto("audit_events")
        .values({
          id: newId(twoHoursAgo),
          created_at: new Date(twoHoursAgo).toISOString(),
          org_id: f.orgId,
          user_id: null,
          email: alice.email,
          provider: "acme-idp",
          event: "oauth.exchange",
          outcome: "failure",
          error: "INVALID_ID_TOKEN",
          ip: null,
        })
        .execute();
      const read = async (window: string) =>
        (await f.service.admin<Health>("GET", `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp/health?window=${window}`)).body;
      assert.equal((await read("1h")).attempts, 0);
      const day = await read("24h");
      assert.deepEqual(day.failures, { INVALID_ID_TOKEN: 1 });
      assert.match(day.lastFailure?.fix ?? "", /provider doctor/);
      assert.equal((await read("7d")).attempts, 1);
      assert.equal((await f.exchange({ code: await f.code(alice.sub), email: alice.email })).status, 200);
      assert.deepEqual(await read("1h").then((h) => [h.attempts, h.successes]), [1, 1]);
    });
  }

  test("the audit trail narrows to an outcome, a provider, an event or an email (case-insensitively)", async (t) => {
    const f = await signInFixture(t, { users: [alice, bob] });
    assert.equal((await f.exchange({ code: await f.code(alice.sub), email: alice.email })).status, 200);
    assertAuthError(await f.exchange({ code: await f.code(bob.sub), email: bob.email }), 401, "EMAIL_NOT_VERIFIED");
    const read = async (query: string) =>
      (
        await f.service.admin<{ records: { email: string; outcome: string }[] }>("GET", `/api/v1/orgs/${f.orgId}/audit?${query}`)
      ).body.records.map((r) => `${r.email} ${r.outcome}`);
    assert.deepEqual(await read("outcome=failure"), [`${bob.email} failure`]);
    assert.deepEqual(await read(`email=${encodeURIComponent(alice.email.toUpperCase())}`), [`${alice.email} success`]);
    assert.deepEqual(await read("provider=acme-idp&event=oauth.exchange&outcome=success"), [`${alice.email} success`]);
    assert.deepEqual(await read("provider=someone-else"), []);
    assertAuthError(await f.service.admin("GET", `/api/v1/orgs/${f.orgId}/audit?outcome=maybe`), 400, "VALIDATION_ERROR");
  });

  test("asks for a window it knows and a provider that exists", async (t) => {
    const f = await signInFixture(t);
    const base = `/api/v1/orgs/${f.orgId}/oauth-providers`;
    assertAuthError(await f.service.admin("GET", `${base}/acme-idp/health?window=2d`), 400, "VALIDATION_ERROR");
    assertAuthError(await f.service.admin("GET", `${base}/nobody/health`), 404, "NOT_FOUND");
    assertAuthError(await f.service.admin("GET", `/api/v1/orgs/${newId()}/oauth-providers/acme-idp/health`), 404, "ORG_NOT_FOUND");
    assertAuthError(await f.service.request("GET", `${base}/acme-idp/health`), 401, "UNAUTHORIZED");
    assert.equal((await f.service.admin<Health>("GET", `${base}/acme-idp/health`)).body.window, "24h", "a day by default");
  });
});
