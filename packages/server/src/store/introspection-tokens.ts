import { isoNow, newId } from "../domain/ids.ts";
import type { IntrospectionToken, IntrospectionTokenRepository } from "../domain/introspection.ts";
import type { Db } from "./database.ts";
import type { IntrospectionTokensTable } from "./schema.ts";

const toToken = (r: IntrospectionTokensTable): IntrospectionToken => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

/** Resource servers' introspection tokens over SQL, by the hash of each. */
export function introspectionTokenRepository(db: Db): IntrospectionTokenRepository {
  return {
    async create(name, tokenHash) {
      const row: IntrospectionTokensTable = { id: newId(), name, token_hash: tokenHash, created_at: isoNow(), revoked_at: null };
      await db.insertInto("introspection_tokens").values(row).execute();
      return toToken(row);
    },
    async list() {
      return (await db.selectFrom("introspection_tokens").selectAll().orderBy("id", "desc").execute()).map(toToken);
    },
    async revoke(id) {
      const result = await db
        .updateTable("introspection_tokens")
        .set({ revoked_at: isoNow() })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async active(tokenHash) {
      const row = await db
        .selectFrom("introspection_tokens")
        .selectAll()
        .where("token_hash", "=", tokenHash)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      return row && toToken(row);
    },
  };
}
