import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { assertAuthError, type RunningService, startService } from "../support/service.ts";
import { postgresMissing, startThrowawayPostgres, type ThrowawayPostgres } from "../support/throwaway-backends.ts";
import { describeFigures, faultFigures, newTally, steadyLoad, throughOutage, timed, unavailableWithin3s, until } from "./outage.ts";

// A PostgreSQL this test owns: it terminates its connections and stops it.
describe("faults: PostgreSQL connections dropped, server stopped, server frozen", { skip: postgresMissing, timeout: 120_000 }, () => {
  let postgres: ThrowawayPostgres;
  before(async () => {
    postgres = await startThrowawayPostgres();
  });
  after(() => postgres?.destroy());

  async function serviceWithAnOrganisation(
    t: Parameters<typeof startService>[0],
  ): Promise<{ service: RunningService; read: () => ReturnType<RunningService["admin"]>; domain: string }> {
    const service = await startService(t, { database: { kind: "postgres", url: postgres.url } });
    const domain = `acme-${Date.now()}.com`;
    const created = await service.admin("POST", "/api/v1/orgs", { name: "Acme", domains: [domain] });
    assert.equal(created.status, 201, created.text);
    return { service, read: () => service.admin("GET", `/api/v1/orgs/${(created.body as { id: string }).id}`), domain };
  }

  async function terminateConnections(): Promise<number> {
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    try {
      const result = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and backend_type = 'client backend'",
      );
      return result.rowCount ?? 0;
    } finally {
      await admin.end();
    }
  }

  it("survives pg_terminate_backend of every connection, idle or busy, and answers the next requests", async (t) => {
    const { service, read } = await serviceWithAnOrganisation(t);
    const load = steadyLoad(t, read);
    const tally = newTally();
    let terminated = 0;
    const faultAt = Date.now();
    for (let round = 0; round < 5; round++) {
      // Fill the pool with connections, then kill them all while requests keep coming.
      const busy = Promise.all(Array.from({ length: 8 }, () => read()));
      terminated += await terminateConnections();
      for (const response of await busy) {
        if (response.status === 200) tally.answered++;
        else tally.other.push(`${response.status} ${response.text}`);
      }
      for (let i = 0; i < 5; i++) {
        const response = await read();
        if (response.status === 200) tally.answered++;
        else if (response.status === 503) tally.unavailable++;
        else tally.other.push(`${response.status} ${response.text}`);
      }
    }
    const restoredAt = Date.now();
    await until(read, 200, 10_000, newTally());
    const figures = faultFigures(await load.stopOnceRecovered(restoredAt), faultAt, restoredAt);
    t.diagnostic(describeFigures("PostgreSQL connections terminated (5 rounds)", figures));
    assert.deepEqual(figures.lost, []);
    t.diagnostic(
      `terminated ${terminated} connections in 5 rounds: ${tally.answered} answered, ${tally.unavailable} answered 503, ${tally.other.length} otherwise`,
    );
    assert.ok(terminated > 0);
    // Busy connections killed mid-statement may answer 503 (never 500); the next requests succeed.
    assert.deepEqual(
      tally.other.filter((line) => !line.startsWith("503")),
      [],
    );
    assert.equal((await read()).status, 200);
    assert.match(service.logs(), /database connection lost/);
  });

  it("answers 503 within 3 s while PostgreSQL is stopped, /readyz too, and recovers when it is back", async (t) => {
    const { service, read } = await serviceWithAnOrganisation(t);
    assert.equal((await read()).status, 200);
    await throughOutage(t, read, {
      name: "PostgreSQL stopped",
      fault: () => postgres.stop(),
      during: () => unavailableWithin3s(t, "PostgreSQL stopped", service, read, /ECONNREFUSED|127\.0\.0\.1|terminat/i),
      restore: () => postgres.start(),
      restored: "PostgreSQL started again",
    });
    assert.equal((await service.request("GET", "/readyz")).status, 200);
  });

  it("answers 503 within 3 s while PostgreSQL is frozen (SIGSTOP), /readyz too, nothing hangs, and recovers on SIGCONT", async (t) => {
    const { service, read } = await serviceWithAnOrganisation(t);
    // Connections in the pool first: some requests meet a frozen connection, others a frozen server that accepts and never answers.
    for (const response of await Promise.all(Array.from({ length: 6 }, () => read()))) assert.equal(response.status, 200);
    const figures = await throughOutage(t, read, {
      name: "PostgreSQL frozen (SIGSTOP)",
      load: { workers: 4 },
      fault: () => postgres.freeze(),
      async during() {
        await unavailableWithin3s(t, "PostgreSQL frozen", service, read, /timeout|127\.0\.0\.1/i);
        // Still frozen a while later: every request keeps answering 503 in time.
        const burst = await Promise.all(Array.from({ length: 8 }, () => timed(read)));
        for (const { response, ms } of burst) {
          assertAuthError(response, 503, "SERVICE_UNAVAILABLE");
          assert.ok(ms < 3000, `503 after ${ms} ms`);
        }
      },
      restore: () => postgres.thaw(),
      restored: "PostgreSQL thawed",
    });
    // Under load too, no request waits past one deadline (DATABASE_TIMEOUT_MS) + 500 ms.
    assert.ok(figures.slowestMs < service.app.config.databaseTimeoutMs + 500, `the slowest answer took ${figures.slowestMs} ms`);
    assert.equal((await service.request("GET", "/readyz")).status, 200);
  });

  it("answers 503 within DATABASE_TIMEOUT_MS + 500 ms while PostgreSQL is frozen, and the requests after it do not wait for the deadline at all", async (t) => {
    const { service, read, domain } = await serviceWithAnOrganisation(t);
    for (const response of await Promise.all(Array.from({ length: 4 }, () => read()))) assert.equal(response.status, 200);
    // The bound: one deadline per request, plus 0.5 s; and a request never waits for a server that just timed out.
    const deadline = service.app.config.databaseTimeoutMs;
    const bound = deadline + 500;
    const unavailableWithin = async (what: string, call: () => ReturnType<RunningService["request"]>, withinMs: number) => {
      const { response, ms } = await timed(call);
      assertAuthError(response, 503, "SERVICE_UNAVAILABLE");
      assert.ok(ms < withinMs, `${what} answered 503 after ${ms} ms, not within ${withinMs} ms`);
      return ms;
    };
    // A sign-in call: the exchange looks the user up, then records its failure.
    const exchange = () =>
      service.request("POST", "/userAccount/oauth/exchange", {
        code: "a-code",
        email: `jane@${domain}`,
        provider: "acme-idp",
        redirectUri: "http://127.0.0.1:5173/callback",
      });
    postgres.freeze();
    let figures: string;
    try {
      const exchanged = await unavailableWithin("the exchange", exchange, bound);
      // The breaker is open: the next requests are not sent to the frozen server and do not wait for its deadline.
      const next: number[] = [];
      for (let i = 0; i < 5; i++) next.push(await unavailableWithin(`admin read #${i + 1} after it`, read, deadline));
      // A second later one request probes the server again: it waits, once.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const probe = await unavailableWithin("the admin read a second later", read, bound);
      const ready = await unavailableWithin("/readyz", () => service.request("GET", "/readyz"), bound);
      figures =
        `PostgreSQL frozen, DATABASE_TIMEOUT_MS ${deadline}: exchange 503 after ${exchanged} ms, ` +
        `the next 5 admin reads 503 after ${next.join(", ")} ms, a second later ${probe} ms, /readyz ${ready} ms`;
    } finally {
      postgres.thaw();
    }
    const recoveredMs = await until(read, 200, 20_000, newTally());
    t.diagnostic(figures);
    t.diagnostic(`PostgreSQL thawed: the admin read answered 200 after ${recoveredMs} ms`);
    assert.match(service.logs(), /PostgreSQL is not reachable or not answering/);
    assert.match(service.logs(), /PostgreSQL is reachable again/);
  });
});
