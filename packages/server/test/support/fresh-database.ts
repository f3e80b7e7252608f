import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { TestContext } from "node:test";
import pg from "pg";
import type { DatabaseLocation } from "../../src/store/database.ts";
import { temporaryDataDir } from "./spawned-service.ts";

/** A database of its own (the check value is one per database): a SQLite file, or a fresh PostgreSQL database dropped at the end. */
export async function freshDatabase(t: TestContext, kind: "sqlite" | "postgres"): Promise<DatabaseLocation> {
  if (kind === "sqlite") return { kind: "sqlite", path: join(temporaryDataDir(t), "auth.sqlite") };
  const name = `pipeshub_test_ops_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  t.after(async () => {
    const cleanup = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await cleanup.connect();
    try {
      // An autovacuum worker on the new database belongs to the superuser, whom FORCE may not end
      // (42501): it is gone a moment later, so the drop is tried again.
      for (let attempt = 1; ; attempt++) {
        try {
          await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          break;
        } catch (error) {
          if ((error as { code?: string }).code !== "42501" || attempt === 10) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    } finally {
      await cleanup.end();
    }
  });
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return { kind: "postgres", url: url.toString() };
}
