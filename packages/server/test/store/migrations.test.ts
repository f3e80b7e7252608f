import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { type Kysely, sql } from "kysely";
import { buildApp } from "../../src/app.ts";
import { testConfig } from "../../src/config.ts";
import { connect, type DatabaseLocation } from "../../src/store/database.ts";
import { migrateTo } from "../../src/store/migrations.ts";
import { newUserRow } from "../../src/store/users.ts";
import { firstIdAt } from "../../src/domain/ids.ts";
import { freshDatabase } from "../support/fresh-database.ts";
import { repoRoot, spawnService, temporaryDataDir } from "../support/spawned-service.ts";

const run = promisify(execFile);
const MIGRATIONS = [
  "0001_initial",
  "0002_session_tokens",
  "0003_auth_steps",
  "0004_encryption_key_check",
  "0005_provider_watch",
  "0006_lookup_indexes",
  "0007_next_client_secret",
  "0008_setup_links",
  "0009_user_role",
  "0010_audit_provider_time",
  "0011_audit_actions",
  "0012_provider_linking",
  "0013_secret_binding",
  "0014_console_sessions",
  "0015_audit_sign_in",
  "0016_saml_providers",
  "0017_scim",
  "0018_domain_claims",
  "0019_audit_redirect_uri",
  "0020_lookup_changes",
  "0021_audit_one_org_index",
];
const urlOf = (database: DatabaseLocation) => (database.kind === "sqlite" ? `sqlite:${database.path}` : database.url);

/** `node packages/server/src/main.ts migrate` (what `npm run migrate` runs). */
function migrate(database: DatabaseLocation, dataDir: string) {
  return run(process.execPath, [join(repoRoot, "packages/server/src/main.ts"), "migrate"], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: urlOf(database), LOG_LEVEL: "warn" },
    timeout: 120_000,
  });
}

for (const kind of ["sqlite", "postgres"] as const) {
  const skip = kind === "postgres" && !process.env.TEST_DATABASE_URL ? "TEST_DATABASE_URL is not set (CI sets it)" : false;
  describe(`migrations for rolling deploys (${kind})`, { skip }, () => {
    test("4 processes migrating one fresh database together run each migration once, under the database lock", async (t) => {
      const database = await freshDatabase(t, kind);
      const dataDir = temporaryDataDir(t);
      const outputs = await Promise.all([1, 2, 3, 4].map(() => migrate(database, dataDir)));
      const applied = outputs.flatMap(({ stdout }) => /applied migrations (.*)/.exec(stdout)?.[1]?.split(", ") ?? []);
      assert.deepEqual(applied.sort(), MIGRATIONS, outputs.map((o) => o.stdout + o.stderr).join("\n"));
      for (const { stdout } of outputs) assert.match(stdout, /applied migrations|schema is up to date/);
      // And 4 app builds starting together on it all start.
      const apps = await Promise.all([1, 2, 3, 4].map(() => buildApp(testConfig({ database, migrateAtStart: false }))));
      const rows = await apps[0]!.store.db
        .selectFrom("schema_migrations" as never)
        .select("name" as never)
        .execute();
      assert.equal(rows.length, MIGRATIONS.length);
      await Promise.all(apps.map((app) => app.close()));
    });

    test("0021_audit_one_org_index: a provider's health reads its window through the organisation's index, as a range of ids; no index of its own is written", async (t) => {
      const app = await buildApp(testConfig({ database: await freshDatabase(t, kind) }));
      t.after(() => app.close());
      const since = "2026-01-01T00:00:00.000Z";
      const where = `org_id = 'o' and provider = 'p' and event in ('oauth.exchange', 'authenticate') and created_at >= '${since}' and id >= '${firstIdAt(Date.parse(since))}'`;
      if (kind === "sqlite") {
        const plan = await sql<{
          detail: string;
        }>`explain query plan select outcome, count(*) from audit_events where ${sql.raw(where)} group by outcome`.execute(app.store.db);
        assert.match(plan.rows.map((r) => r.detail).join("\n"), /USING INDEX audit_events_org_id \(org_id=\? AND id>\?\)/);
        const indexes = await sql<{
          name: string;
        }>`select name from sqlite_master where type = 'index' and tbl_name = 'audit_events'`.execute(app.store.db);
        assert.ok(!indexes.rows.some((r) => r.name === "audit_events_org_provider_time"));
      } else {
        const plan = await app.store.db.connection().execute(async (db) => {
          // An empty table is cheaper to scan than to look up: ask the planner what it would do with the index.
          await sql`set enable_seqscan = off`.execute(db);
          const answer = await sql<{
            "QUERY PLAN": string;
          }>`explain select outcome, count(*) from audit_events where ${sql.raw(where)} group by outcome`.execute(db);
          await sql`reset enable_seqscan`.execute(db);
          return answer;
        });
        const text = plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
        assert.match(text, /audit_events_org_id/);
        assert.match(text, /Index Cond: \(\(org_id = 'o'::text\) AND \(id >= '/);
        const indexes = await sql<{ indexname: string }>`select indexname from pg_indexes where tablename = 'audit_events'`.execute(
          app.store.db,
        );
        assert.ok(!indexes.rows.some((r) => r.indexname === "audit_events_org_provider_time"));
      }
    });

    test("0018_domain_claims: the domains stored before it are verified, each with its own token; a domain is verified by one organisation only", async (t) => {
      const location = await freshDatabase(t, kind);
      const before = connect(location) as unknown as Kysely<Record<string, Record<string, unknown>>>;
      await migrateTo(before as Kysely<unknown>, "0015_audit_sign_in");
      const at = "2026-01-01T00:00:00.000Z";
      await before
        .insertInto("organisations")
        .values([
          { id: "o1", name: "Acme", created_at: at },
          { id: "o2", name: "Initech", created_at: at },
        ])
        .execute();
      await before
        .insertInto("organisation_domains")
        .values([
          { domain: "acme.test", org_id: "o1" },
          { domain: "acme.example", org_id: "o1" },
        ])
        .execute();
      await before.destroy();

      const app = await buildApp(testConfig({ database: location }));
      t.after(() => app.close());
      assert.deepEqual((await app.store.organisations.get("o1"))?.domains, ["acme.example", "acme.test"]);
      assert.equal((await app.store.organisations.findByDomain("acme.test"))?.id, "o1");
      const claims = await app.store.domainClaims.list("o1");
      assert.deepEqual(
        claims.map((c) => [c.domain, c.status, c.verifiedAt !== null]),
        [
          ["acme.example", "verified", true],
          ["acme.test", "verified", true],
        ],
      );
      assert.notEqual(claims[0]!.txtToken, claims[1]!.txtToken);
      // Another organisation may claim it pending, never hold it verified too.
      await app.store.domainClaims.addPending("o2", "fresh.test");
      assert.equal(await app.store.organisations.verifyDomain("o2", "fresh.test", at), "verified");
      await app.store.domainClaims.addPending("o1", "race.test");
      await app.store.domainClaims.addPending("o2", "race.test");
      await app.store.db
        .updateTable("organisation_domains")
        .set({ status: "verified" })
        .where("domain", "=", "race.test")
        .where("org_id", "=", "o1")
        .execute();
      await assert.rejects(
        app.store.db
          .updateTable("organisation_domains")
          .set({ status: "verified" })
          .where("domain", "=", "race.test")
          .where("org_id", "=", "o2")
          .execute(),
        "the partial unique index refuses a second verified claim",
      );
    });

    test("0009_user_role: users stored without a role are members; a role is stored and read back", async (t) => {
      const app = await buildApp(testConfig({ database: await freshDatabase(t, kind) }));
      t.after(() => app.close());
      const org = await app.store.organisations.create("Acme", []);
      // A row as written before the column existed: the column's default makes it a member.
      const { role: _role, ...before } = newUserRow(org.id, "old@acme.test", null);
      await app.store.db
        .insertInto("users")
        .values(before as never)
        .execute();
      assert.equal((await app.store.users.get(before.id))?.role, "member");
      assert.equal((await app.store.users.update(org.id, before.id, { role: "admin" }))?.role, "admin");
      assert.equal((await app.store.users.get(before.id))?.role, "admin");
      assert.equal((await app.store.users.create(org.id, "new@acme.test", null, "admin")).role, "admin");
      assert.equal(await app.store.users.update("another-org", before.id, { role: "member" }), undefined, "only within its organisation");
    });
  });
}

describe("MIGRATE_AT_START=false", () => {
  test("a start against an un-migrated database refuses with one line; after `migrate` it starts", async (t) => {
    const dataDir = temporaryDataDir(t);
    const database: DatabaseLocation = { kind: "sqlite", path: join(dataDir, "auth.sqlite") };
    const env = { DATA_DIR: dataDir, PORT: "0", DEMO: "off", DATABASE_URL: urlOf(database), MIGRATE_AT_START: "false" };
    const refused = spawnService(t, env);
    await assert.rejects(refused.waitFor(/listening on/, 120_000), /exited/, "it must not serve");
    assert.equal(await refused.exited(), 1, refused.err());
    const lines = refused.err().trim().split("\n");
    assert.equal(lines.length, 1, refused.err());
    assert.match(lines[0]!, /^pipeshub-auth: .*pending migrations: 0001_initial, .*npm run migrate/);

    const { stdout } = await migrate(database, dataDir);
    assert.match(stdout, /applied migrations 0001_initial, /);
    const started = spawnService(t, env);
    await started.waitFor(/listening on/);
    assert.equal(await started.stop(), 0);
  });
});
