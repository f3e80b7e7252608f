import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { freshDatabase } from "../support/fresh-database.ts";
import { alice, REDIRECT_URI, signIn, signInFixture } from "../support/sign-in-fixture.ts";

const postgresUrl = process.env.TEST_DATABASE_URL;

type Page = { records: { event: string; outcome: string; error: string | null; ip: string | null; redirectUri?: string | null }[] };

describe("the audit trail shows the redirect URI a sign-in tried and the client's address", () => {
  for (const engine of ["SQLite", "PostgreSQL"] as const) {
    const skip = engine === "PostgreSQL" && !postgresUrl ? "TEST_DATABASE_URL is not set (CI sets it)" : false;
    test(`an exchange's record carries the redirect URI it named, a mismatch's included (${engine})`, { skip }, async (t) => {
      const config = engine === "PostgreSQL" ? { database: await freshDatabase(t, "postgres") } : {};
      const f = await signInFixture(t, { users: [alice], config });
      const tried = "http://127.0.0.1:5173/not-registered";
      assert.equal((await f.exchange({ code: "any-code", email: alice.email, redirectUri: tried })).status, 400);
      await signIn(f, alice);

      const page = await f.service.admin<Page>("GET", `/api/v1/orgs/${f.orgId}/audit?event=oauth.exchange`);
      assert.equal(page.status, 200, page.text);
      const [succeeded, mismatched] = page.body.records;
      assert.deepEqual(
        [mismatched?.error, mismatched?.redirectUri, mismatched?.ip],
        ["REDIRECT_URI_MISMATCH", tried, "127.0.0.1"],
        "the failure names the URI it tried, and where the request came from",
      );
      assert.deepEqual([succeeded?.outcome, succeeded?.redirectUri], ["success", REDIRECT_URI]);
      const admin = await f.service.admin<Page>("GET", `/api/v1/orgs/${f.orgId}/audit?event=provider.created`);
      assert.equal(admin.body.records[0]?.redirectUri, null, "an admin action names no redirect URI");
    });
  }
});
