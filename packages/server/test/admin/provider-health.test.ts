import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { HealthBucket, ProviderHealth } from "../../src/admin/provider-health.ts";
import { newId } from "../../src/domain/ids.ts";
import { freshDatabase } from "../support/fresh-database.ts";
import { assertAuthError, signInRecords } from "../support/service.ts";
import { alice, signInFixture } from "../support/sign-in-fixture.ts";

const postgresUrl = process.env.TEST_DATABASE_URL;
const bob = { sub: "bob-sub", email: "bob@acme.test", email_verified: false, name: "Bob Acme" };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const WINDOWS: Record<string, { ms: number; bucketSeconds: number; buckets: number }> = {
  "1h": { ms: HOUR, bucketSeconds: 300, buckets: 13 },
  "24h": { ms: 24 * HOUR, bucketSeconds: 3600, buckets: 25 },
  "7d": { ms: 7 * 24 * HOUR, bucketSeconds: 21_600, buckets: 29 },
};
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The series' own rules: its window's bucket size, every bucket from the one holding `since` to
 * the one holding the end of the window (the service's now), aligned to UTC multiples of the
 * size, failures the attempts that did not succeed, adding up to the totals.
 */
function assertSeriesShape(health: ProviderHealth): void {
  const window = WINDOWS[health.window]!;
  const size = window.bucketSeconds * 1000;
  assert.equal(health.bucketSeconds, window.bucketSeconds);
  assert.equal(health.series.length, window.buckets, `every bucket of ${health.window} is present`);
  const since = Date.parse(health.since);
  const starts = health.series.map((b) => Date.parse(b.start));
  assert.ok(starts[0]! <= since && since < starts[0]! + size, "the first bucket holds since");
  const end = since + window.ms;
  assert.ok(starts.at(-1)! <= end && end < starts.at(-1)! + size, "the last bucket holds now");
  starts.forEach((start, i) => {
    assert.equal(start % size, 0, `${health.series[i]!.start} is a UTC multiple of ${window.bucketSeconds} s`);
    if (i > 0) assert.equal(start - starts[i - 1]!, size, "oldest first, none missing");
  });
  for (const b of health.series) assert.equal(b.failures, b.attempts - b.successes, b.start);
  assert.equal(
    health.series.reduce((n, b) => n + b.attempts, 0),
    health.attempts,
  );
  assert.equal(
    health.series.reduce((n, b) => n + b.successes, 0),
    health.successes,
  );
}

/** The series `health` must carry given the attempts at these times: each in the bucket holding it (one stamped after now in the last). */
function expectedSeries(health: ProviderHealth, attempts: readonly { at: number; success: boolean }[]): HealthBucket[] {
  const { ms, bucketSeconds, buckets } = WINDOWS[health.window]!;
  const size = bucketSeconds * 1000;
  const since = Date.parse(health.since);
  const first = Math.floor(since / size);
  const series = Array.from({ length: buckets }, (_, i) => ({ start: iso((first + i) * size), attempts: 0, successes: 0, failures: 0 }));
  for (const { at, success } of attempts) {
    if (at < since) continue;
    const bucket = series[Math.min(Math.floor(at / size), Math.floor((since + ms) / size)) - first]!;
    bucket.attempts += 1;
    if (success) bucket.successes += 1;
    else bucket.failures += 1;
  }
  return series;
}

describe("a provider's health: how sign-ins through it went, failures by reason, with what to do", () => {
  test("each reason a real failure produced is counted, and the last one is explained", async (t) => {
    const f = await signInFixture(t, { users: [alice, bob] });
    const health = (window = "1h") =>
      f.service.admin<ProviderHealth>("GET", `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp/health?window=${window}`);

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

    assertSeriesShape(quiet.body);
    assert.ok(
      quiet.body.series.every((b) => b.attempts === 0),
      "zeros before any sign-in",
    );
    assertSeriesShape(after.body);
    const attempts = (await signInRecords(f.service, f.orgId)).map((r) => ({
      at: Date.parse(r.createdAt),
      success: r.outcome === "success",
    }));
    assert.equal(attempts.length, 5);
    assert.deepEqual(after.body.series, expectedSeries(after.body, attempts));
    const recent = after.body.series.slice(-2);
    assert.deepEqual(
      [recent.reduce((n, b) => n + b.attempts, 0), recent.reduce((n, b) => n + b.failures, 0)],
      [5, 4],
      "the attempts just made are in the current bucket (or the one before, had a 5-minute mark passed meanwhile)",
    );
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
      const config = engine === "PostgreSQL" ? { database: await freshDatabase(t, "postgres") } : {};
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
        (await f.service.admin<ProviderHealth>("GET", `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp/health?window=${window}`)).body;
      assert.equal((await read("1h")).attempts, 0);
      const day = await read("24h");
      assert.deepEqual(day.failures, { INVALID_ID_TOKEN: 1 });
      assert.match(day.lastFailure?.fix ?? "", /provider doctor/);
      assert.equal((await read("7d")).attempts, 1);
      assert.equal((await f.exchange({ code: await f.code(alice.sub), email: alice.email })).status, 200);
      assert.deepEqual(await read("1h").then((h) => [h.attempts, h.successes]), [1, 1]);
    });
  }

  for (const engine of ["SQLite", "PostgreSQL"] as const) {
    const skip = engine === "PostgreSQL" && !postgresUrl ? "TEST_DATABASE_URL is not set (CI sets it)" : false;
    test(`the series: UTC-aligned buckets, every one present, each attempt in the bucket of its time (${engine})`, { skip }, async (t) => {
      const config = engine === "PostgreSQL" ? { database: await freshDatabase(t, "postgres") } : {};
      const f = await signInFixture(t, { config });
      const now = Date.now();
      const ceil = (ms: number, size: number) => Math.ceil(ms / size) * size;
      // A 5-minute, an hour and a 6-hour boundary inside the windows, each with an attempt just before and one on it.
      const fiveMinutes = ceil(now - 40 * MINUTE, 5 * MINUTE);
      const hour = ceil(now - 5 * HOUR, HOUR);
      const sixHours = ceil(now - 3 * 24 * HOUR, 6 * HOUR);
      const attempts = [
        { at: now - 2 * HOUR, success: false },
        { at: fiveMinutes - 1, success: false },
        { at: fiveMinutes, success: true },
        { at: hour - 1, success: false },
        { at: hour, success: true },
        { at: sixHours - 1, success: false },
        { at: sixHours, success: true },
        { at: now - 8 * 24 * HOUR, success: false },
        // Stamped by an instance whose clock runs ahead: counted, in the last bucket.
        { at: now + 2 * MINUTE, success: false },
      ];
      await f.service.app.store.db
        .insertInto("audit_events")
        .values(
          attempts.map(({ at, success }) => ({
            id: newId(at),
            created_at: iso(at),
            org_id: f.orgId,
            user_id: null,
            email: alice.email,
            provider: "acme-idp",
            event: "oauth.exchange",
            outcome: success ? "success" : "failure",
            error: success ? null : "INVALID_GRANT",
            ip: null,
          })),
        )
        .execute();
      const read = async (window: string) => {
        const health = await f.service.admin<ProviderHealth>(
          "GET",
          `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp/health?window=${window}`,
        );
        assert.equal(health.status, 200, health.text);
        assertSeriesShape(health.body);
        assert.deepEqual(health.body.series, expectedSeries(health.body, attempts));
        return Object.assign(new Map(health.body.series.map((b) => [b.start, [b.attempts, b.successes, b.failures]])), {
          health: health.body,
        });
      };

      const hourly = await read("1h");
      assert.deepEqual(hourly.get(iso(fiveMinutes - 5 * MINUTE)), [1, 0, 1], "a millisecond before the mark: the bucket before");
      assert.deepEqual(hourly.get(iso(fiveMinutes)), [1, 1, 0], "on the mark: the bucket it starts");
      assert.deepEqual([...hourly.values()].at(-1), [1, 0, 1], "the attempt stamped ahead");
      assert.equal([...hourly.values()].filter(([n]) => n! > 0).length, 3, "nothing else in the hour");

      const daily = await read("24h");
      assert.deepEqual(daily.get(iso(hour - HOUR)), [1, 0, 1]);
      assert.deepEqual(daily.get(iso(hour)), [1, 1, 0]);
      assert.deepEqual(daily.get(iso(Math.floor((now - 2 * HOUR) / HOUR) * HOUR)), [1, 0, 1], "two hours ago");

      const weekly = await read("7d");
      assert.equal(new Date(sixHours).getUTCHours() % 6, 0, "6-hour buckets start at 00, 06, 12 and 18 UTC");
      assert.deepEqual(weekly.get(iso(sixHours - 6 * HOUR)), [1, 0, 1]);
      assert.deepEqual(weekly.get(iso(sixHours)), [1, 1, 0]);
      assert.equal(
        [...weekly.values()].reduce((n, [a]) => n + a!, 0),
        8,
        "all but the one eight days ago",
      );
      assert.equal(weekly.health.lastSuccessAt, iso(fiveMinutes), "the latest of successes counted in different hours");
      assert.deepEqual(weekly.health.lastFailure?.at, iso(now + 2 * MINUTE));
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
    // Alice's: her exchange, and the identity link her first sign-in made.
    assert.deepEqual(await read(`email=${encodeURIComponent(alice.email.toUpperCase())}`), [
      `${alice.email} success`,
      `${alice.email} success`,
    ]);
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
    assert.equal((await f.service.admin<ProviderHealth>("GET", `${base}/acme-idp/health`)).body.window, "24h", "a day by default");
  });
});
