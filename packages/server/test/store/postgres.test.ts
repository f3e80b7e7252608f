import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { startService } from "../support/service.ts";
import { concurrentFirstSignIns, concurrentProviderPuts } from "../support/concurrent-sign-ins.ts";
import { signInFixture } from "../support/sign-in-fixture.ts";

const url = process.env.TEST_DATABASE_URL;

/** The same sign-in on PostgreSQL (CI starts one and sets TEST_DATABASE_URL). */
describe("PostgreSQL storage", { skip: url ? false : "TEST_DATABASE_URL is not set (CI sets it)" }, () => {
  test("migrates a fresh database, signs a user in, links them, and refuses a second subject for them", async (t) => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
    await admin.end();
    const service = await startService(t, { database: { kind: "postgres", url: url! } });
    const f = await signInFixture(t, {
      service,
      users: [
        { sub: "a", email: "a@acme.test", email_verified: true },
        { sub: "b", email: "a@acme.test", email_verified: true },
      ],
    });
    const first = await f.exchange({ code: await f.code("a"), email: "a@acme.test" });
    assert.equal(first.status, 200, first.text);
    const second = await f.exchange({ code: await f.code("b"), email: "a@acme.test" });
    assert.equal((second.body as { error: string }).error, "IDENTITY_CONFLICT");
    const audit = await service.admin<{ records: { outcome: string }[] }>("GET", `/api/v1/orgs/${f.orgId}/audit?limit=1`);
    assert.deepEqual(
      audit.body.records.map((r) => r.outcome),
      ["failure"],
    );
  });

  test("20 new users × 20 concurrent exchanges each: all 200, one user and one link each", { timeout: 600_000 }, async (t) => {
    const service = await startService(t, { database: { kind: "postgres", url: url! }, outboundTimeoutMs: 60_000 });
    await concurrentFirstSignIns(t, service, { users: 20, each: 20 });
  });

  test("20 concurrent PUTs of one new provider: all 200/201, one row", async (t) => {
    await concurrentProviderPuts(await startService(t, { database: { kind: "postgres", url: url! } }), 20);
  });
});
