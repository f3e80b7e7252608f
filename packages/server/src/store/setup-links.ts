import { isoNow, newId } from "../domain/ids.ts";
import type { SetupLinkRepository } from "../domain/ports/repositories.ts";
import type { SetupLink } from "../domain/setup-link.ts";
import type { Db } from "./database.ts";
import type { SetupLinksTable } from "./schema.ts";

const toLink = (r: SetupLinksTable): SetupLink => ({
  id: r.id,
  orgId: r.org_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  revokedAt: r.revoked_at,
});

/** Setup links over SQL. */
export function setupLinkRepository(db: Db): SetupLinkRepository {
  return {
    async create(orgId, tokenHash, expiresAt) {
      const row: SetupLinksTable = {
        id: newId(),
        org_id: orgId,
        token_hash: tokenHash,
        session_hash: null,
        created_at: isoNow(),
        expires_at: expiresAt,
        used_at: null,
        revoked_at: null,
      };
      await db.insertInto("setup_links").values(row).execute();
      return toLink(row);
    },
    async list(orgId) {
      const rows = await db.selectFrom("setup_links").selectAll().where("org_id", "=", orgId).orderBy("id", "desc").execute();
      return rows.map(toLink);
    },
    async revoke(orgId, id) {
      const result = await db
        .updateTable("setup_links")
        .set({ revoked_at: isoNow() })
        .where("org_id", "=", orgId)
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) return true;
      return (
        (await db.selectFrom("setup_links").select("id").where("org_id", "=", orgId).where("id", "=", id).executeTakeFirst()) !== undefined
      );
    },
    async redeem(tokenHash, sessionHash, now) {
      // One UPDATE with every condition: two concurrent redemptions cannot both succeed.
      const row = await db
        .updateTable("setup_links")
        .set({ used_at: now, session_hash: sessionHash })
        .where("token_hash", "=", tokenHash)
        .where("used_at", "is", null)
        .where("revoked_at", "is", null)
        .where("expires_at", ">", now)
        .returningAll()
        .executeTakeFirst();
      return row && toLink(row);
    },
    async bySession(sessionHash) {
      const row = await db.selectFrom("setup_links").selectAll().where("session_hash", "=", sessionHash).executeTakeFirst();
      return row && toLink(row);
    },
    async activeSessions(now) {
      const rows = await db
        .selectFrom("setup_links")
        .selectAll()
        .where("used_at", "is not", null)
        .where("revoked_at", "is", null)
        .where("expires_at", ">", now)
        .orderBy("id")
        .execute();
      return rows.map(toLink);
    },
  };
}
