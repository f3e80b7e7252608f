import type { StoredChanges } from "../domain/ports/stored-changes.ts";
import type { Db } from "./database.ts";

/**
 * PostgreSQL's change count for the lookup caches (migration 0020: every write to a remembered
 * table bumps it, in its own transaction), read every `intervalMs`: `version()` moves on when it
 * has changed, so other instances' changes are seen within about `intervalMs` and a remembered
 * read is otherwise kept however long. A failed read changes nothing (what is remembered was read
 * from the database; sign-ins that need it answer 503 meanwhile anyway).
 */
export function pollLookupChanges(db: Db, intervalMs: number): StoredChanges & { stop(): void } {
  let seen: string | undefined;
  let count = 0;
  let reading = false;
  const read = async () => {
    if (reading) return;
    reading = true;
    try {
      const row = await db.selectFrom("lookup_changes").select("version").where("id", "=", 1).executeTakeFirst();
      const now = String(row?.version);
      if (now !== seen) {
        seen = now;
        count += 1;
      }
    } catch {
      // Kept as it was: read again at the next interval.
    } finally {
      reading = false;
    }
  };
  void read();
  const timer = setInterval(() => void read(), intervalMs);
  timer.unref();
  return { exact: false, version: () => count, stop: () => clearInterval(timer) };
}
