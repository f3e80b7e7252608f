import { join } from "node:path";
import type { TestContext } from "node:test";
import type { DatabaseLocation } from "../../src/store/database.ts";
import { ownPostgresSchema } from "./postgres-schema.ts";
import { temporaryDataDir } from "./spawned-service.ts";

/** A database of its own (the check value is one per database): a SQLite file, or a fresh PostgreSQL database dropped at the end. */
export async function freshDatabase(t: TestContext, kind: "sqlite" | "postgres"): Promise<DatabaseLocation> {
  if (kind === "sqlite") return { kind: "sqlite", path: join(temporaryDataDir(t), "auth.sqlite") };
  return { kind: "postgres", url: await ownPostgresSchema(t, process.env.TEST_DATABASE_URL!, "pipeshub_test_ops_") };
}
