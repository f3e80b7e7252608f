import { randomUUID } from "node:crypto";
import type { TestContext } from "node:test";
import pg from "pg";

/**
 * A fresh PostgreSQL database of its own for one test (dropped after it), as a database URL:
 * tests sharing TEST_DATABASE_URL run concurrently without touching each other's tables. (A
 * schema of its own was not enough: Kysely's migrator looks for its tables in every schema of
 * the database, so another test's tables made it skip creating its own.)
 */
export async function ownPostgresSchema(t: TestContext, url: string): Promise<string> {
  const name = `pipeshub_t_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  t.after(async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const scoped = new URL(url);
  scoped.pathname = `/${name}`;
  return scoped.href;
}
