import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sql } from "kysely";
import { openDatabase } from "../../src/store/database.ts";
import { pollLookupChanges } from "../../src/store/lookup-changes.ts";
import { eventually } from "../support/eventually.ts";
import { freshDatabase } from "../support/fresh-database.ts";

describe("PostgreSQL's change count for the lookup caches (migration 0020)", { skip: !process.env.TEST_DATABASE_URL }, () => {
  test("a write to each remembered table by another connection moves the count; a sign-in's own records do not", async (t) => {
    const location = await freshDatabase(t, "postgres");
    const db = await openDatabase(location);
    const other = await openDatabase(location, { migrate: false });
    t.after(async () => {
      await other.destroy();
      await db.destroy();
    });
    const changes = pollLookupChanges(db, 50);
    t.after(() => changes.stop());
    await eventually(() => changes.version() === 1, 2_000, "the first read of the count");

    await sql`insert into audit_events (id, created_at, event, outcome) values ('a1', '2026-01-01T00:00:00.000Z', 'oauth.exchange', 'success')`.execute(
      other,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(changes.version(), 1, "an audit record is no change to what the caches remember");

    await sql`insert into organisations (id, name, created_at) values ('org-x', 'X', '2026-01-01T00:00:00.000Z')`.execute(other);
    await eventually(() => changes.version() === 2, 2_000, "a new organisation did not move the count");
    await sql`update providers set name = name where false`.execute(other);
    await eventually(() => changes.version() === 3, 2_000, "a statement on providers did not move the count");
    await sql`insert into organisation_domains (org_id, domain, status, txt_token, created_at) values ('org-x', 'x.test', 'pending', 't', '2026-01-01T00:00:00.000Z')`.execute(
      other,
    );
    await eventually(() => changes.version() === 4, 2_000, "a domain claimed did not move the count");
    await sql`insert into organisation_auth_steps (org_id, steps, updated_at) values ('org-x', '[]', '2026-01-01T00:00:00.000Z')`.execute(
      other,
    );
    await eventually(() => changes.version() === 5, 2_000, "sign-in steps saved did not move the count");
  });
});
