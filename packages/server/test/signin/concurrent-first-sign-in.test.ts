import { describe, test } from "node:test";
import { concurrentFirstSignIns, concurrentProviderPuts } from "../support/concurrent-sign-ins.ts";
import { startService } from "../support/service.ts";

// The same on PostgreSQL: test/store/postgres.test.ts (one file, so nothing resets its schema meanwhile).
// SQLite runs one transaction at a time, so a read-then-insert would pass here too: the PostgreSQL
// ones and test/multi-instance are what catch it.
describe("concurrency without conflicts (SQLite)", () => {
  test("20 new users × 20 concurrent exchanges each: all 200, one user and one link each", { timeout: 600_000 }, async (t) => {
    const service = await startService(t, { outboundTimeoutMs: 60_000 });
    await concurrentFirstSignIns(t, service, { users: 20, each: 20 });
  });

  test("20 concurrent PUTs of one new provider: all 200/201, one row", async (t) => {
    await concurrentProviderPuts(await startService(t), 20);
  });
});
