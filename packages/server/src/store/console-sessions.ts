import { isoNow, newId } from "../domain/ids.ts";
import type { StoredConsoleSession } from "../domain/console-session.ts";
import type { ConsoleSessionRepository } from "../domain/ports/console-sessions.ts";
import type { Db } from "./database.ts";
import type { ConsoleSessionsTable } from "./schema.ts";

const toSession = (r: ConsoleSessionsTable): StoredConsoleSession => ({
  id: r.id,
  kind: r.kind === "operator" ? "operator" : "org-admin",
  orgId: r.org_id,
  userId: r.user_id,
  signInSession: r.sign_in_session,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

/** Console sessions over SQL. */
export function consoleSessionRepository(db: Db): ConsoleSessionRepository {
  return {
    async open(keyHash, session) {
      const row: ConsoleSessionsTable = {
        id: newId(),
        key_hash: keyHash,
        kind: session.kind,
        org_id: session.orgId,
        user_id: session.userId,
        sign_in_session: session.signInSession,
        created_at: isoNow(),
        expires_at: session.expiresAt,
      };
      // Expired sessions go when a new one comes: the table holds about as many rows as live sessions.
      await db.deleteFrom("console_sessions").where("expires_at", "<=", row.created_at).execute();
      await db.insertInto("console_sessions").values(row).execute();
      return toSession(row);
    },
    async find(keyHashes, now) {
      if (keyHashes.length === 0) return undefined;
      const row = await db
        .selectFrom("console_sessions")
        .selectAll()
        .where("key_hash", "in", [...keyHashes])
        .where("expires_at", ">", now)
        .executeTakeFirst();
      return row && { session: toSession(row), keyHash: row.key_hash };
    },
    async list(now) {
      const rows = await db.selectFrom("console_sessions").selectAll().where("expires_at", ">", now).orderBy("id").execute();
      return rows.map(toSession);
    },
    async end(id) {
      const row = await db.deleteFrom("console_sessions").where("id", "=", id).returningAll().executeTakeFirst();
      return row && toSession(row);
    },
    async endByKey(keyHashes) {
      if (keyHashes.length > 0)
        await db
          .deleteFrom("console_sessions")
          .where("key_hash", "in", [...keyHashes])
          .execute();
    },
    async endForUser(userId, now) {
      const rows = await db.deleteFrom("console_sessions").where("user_id", "=", userId).returning("expires_at").execute();
      return rows.filter((r) => r.expires_at > now).length;
    },
    async endAll(now) {
      const rows = await db.deleteFrom("console_sessions").returning("expires_at").execute();
      return rows.filter((r) => r.expires_at > now).length;
    },
  };
}
