import { type Kysely, type Migration, PostgresAdapter, sql } from "kysely";

/** The tables the sign-in's lookup caches remember rows of (signin/cached-lookups.ts), users aside. */
const REMEMBERED_TABLES = ["organisations", "organisation_domains", "providers", "organisation_auth_steps"];

/**
 * A count of changes to what the lookup caches remember, which instances on PostgreSQL read
 * every LOOKUP_CACHE_MS and keep their entries while it stays the same (store/lookup-changes.ts).
 * On PostgreSQL a trigger on each remembered table bumps it in the writing statement's own
 * transaction, so no write, by any instance or by hand, can leave it behind. SQLite needs no
 * trigger (its `data_version` tells every commit); the table is made there too, empty of use.
 */
export const lookupChanges: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("lookup_changes")
      .addColumn("id", "integer", (c) => c.primaryKey())
      .addColumn("version", "bigint", (c) => c.notNull())
      .execute();
    await sql`insert into lookup_changes (id, version) values (1, 0)`.execute(db);
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    await sql`create function bump_lookup_changes() returns trigger language plpgsql as $$
      begin
        update lookup_changes set version = version + 1 where id = 1;
        return null;
      end $$`.execute(db);
    for (const table of REMEMBERED_TABLES)
      await sql`create trigger ${sql.raw(`${table}_lookup_changes`)} after insert or update or delete or truncate on ${sql.table(
        table,
      )} for each statement execute function bump_lookup_changes()`.execute(db);
  },
};
