import { randomUUID } from "node:crypto";
import type { TestContext } from "node:test";
import pg from "pg";

/**
 * A fresh PostgreSQL schema of its own for one test (dropped after it), as a database URL whose
 * search_path points there: tests sharing TEST_DATABASE_URL run concurrently without touching
 * each other's tables.
 */
export async function ownPostgresSchema(t: TestContext, url: string): Promise<string> {
  const schema = `t_${randomUUID().replaceAll("-", "")}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  t.after(async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });
  const scoped = new URL(url);
  scoped.searchParams.set("options", `-c search_path=${schema}`);
  return scoped.href;
}
