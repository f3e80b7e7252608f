import type { RefreshTokenRecord, RefreshTokenRepository, RefreshTokenState, RevocationReason } from "../domain/ports/repositories.ts";
import { isoNow } from "../domain/ids.ts";
import type { Db } from "./database.ts";

/** Refresh-token families and their rotated tokens, for `signin/session-tokens.ts`. */
export function refreshTokenRepository(db: Db): RefreshTokenRepository {
  return {
    async createFamily(family, first) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto("refresh_token_families")
          .values({
            id: family.id,
            user_id: family.userId,
            org_id: family.orgId,
            created_at: family.createdAt,
            revoked_at: null,
            revoked_reason: null,
          })
          .execute();
        await trx.insertInto("refresh_tokens").values(tokenRow(first)).execute();
      });
    },

    async find(jti): Promise<RefreshTokenState | undefined> {
      const row = await db
        .selectFrom("refresh_tokens")
        .innerJoin("refresh_token_families", "refresh_token_families.id", "refresh_tokens.family_id")
        .select([
          "refresh_tokens.jti",
          "refresh_tokens.family_id",
          "refresh_tokens.user_id",
          "refresh_tokens.expires_at",
          "refresh_tokens.used_at",
          "refresh_token_families.revoked_at",
        ])
        .where("refresh_tokens.jti", "=", jti)
        .executeTakeFirst();
      return (
        row && {
          jti: row.jti,
          familyId: row.family_id,
          userId: row.user_id,
          expiresAt: row.expires_at,
          usedAt: row.used_at,
          familyRevokedAt: row.revoked_at,
        }
      );
    },

    async rotate(usedJti, usedAt, next) {
      return db.transaction().execute(async (trx) => {
        // The compare-and-set that makes a refresh token single-use even under concurrent refreshes.
        const marked = await trx
          .updateTable("refresh_tokens")
          .set({ used_at: usedAt })
          .where("jti", "=", usedJti)
          .where("used_at", "is", null)
          .executeTakeFirst();
        if (Number(marked.numUpdatedRows) !== 1) return false;
        await trx.insertInto("refresh_tokens").values(tokenRow(next)).execute();
        return true;
      });
    },

    async revokeFamily(familyId, reason, at) {
      await db
        .updateTable("refresh_token_families")
        .set({ revoked_at: at, revoked_reason: reason })
        .where("id", "=", familyId)
        .where("revoked_at", "is", null)
        .execute();
    },

    revokeUserFamilies: (userId, reason, at) => revokeFamiliesOfUser(db, userId, reason, at),

    async isFamilyActive(familyId) {
      const row = await db.selectFrom("refresh_token_families").select("revoked_at").where("id", "=", familyId).executeTakeFirst();
      return row !== undefined && row.revoked_at === null;
    },
  };
}

function tokenRow(record: RefreshTokenRecord) {
  return {
    jti: record.jti,
    family_id: record.familyId,
    user_id: record.userId,
    expires_at: record.expiresAt,
    used_at: null,
    created_at: record.createdAt,
  };
}

/** Revokes every family of the user not already revoked (their earlier reasons kept), on `db` or a transaction; answers how many. */
async function revokeFamiliesOfUser(db: Db, userId: string, reason: RevocationReason, at: string): Promise<number> {
  const revoked = await db
    .updateTable("refresh_token_families")
    .set({ revoked_at: at, revoked_reason: reason })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(revoked.numUpdatedRows);
}

/**
 * Revokes every family of the user, as disabling does (reason `disabled`), within the caller's
 * transaction: the user's status change and the end of their sessions are one write.
 */
export async function revokeFamiliesOfDisabled(trx: Db, userId: string): Promise<void> {
  await revokeFamiliesOfUser(trx, userId, "disabled", isoNow());
}
