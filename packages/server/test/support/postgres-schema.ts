import { randomBytes } from "node:crypto";
import type { TestContext } from "node:test";
import pg from "pg";

/**
 * A fresh PostgreSQL database of its own for one test (dropped after it), as a database URL:
 * tests sharing TEST_DATABASE_URL run concurrently without touching each other's tables. (A
 * schema of its own was not enough: Kysely's migrator looks for its tables in every schema of
 * the database, so another test's tables made it skip creating its own.)
 */
export async function ownPostgresSchema(t: TestContext, url: string, prefix = "pipeshub_t_"): Promise<string> {
  const name = `${prefix}${randomBytes(8).toString("hex")}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  t.after(() => dropDatabase(url, name));
  const scoped = new URL(url);
  scoped.pathname = `/${name}`;
  return scoped.href;
}

async function dropDatabase(url: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // An autovacuum worker on the new database (its tables were just made) belongs to the
    // superuser, whom FORCE may not end (42501): it is gone a moment later, so the drop is tried
    // again. Left alone, that refusal failed a test that had passed.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== "42501" || attempt === 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    await client.end();
  }
}
