import { isoNow } from "../domain/ids.ts";
import type { IdentityLinkRepository } from "../domain/ports/repositories.ts";
import { type Db, isUniqueViolation } from "./database.ts";
import { newUserRow, toUser } from "./users.ts";

/** Identity links over SQL: unique per (provider, subject) and per (provider, user), so a race is a conflict, never an overwrite. */
export function identityLinkRepository(db: Db): IdentityLinkRepository {
  return {
    async userFor(providerId, subject) {
      const row = await db
        .selectFrom("identity_links")
        .innerJoin("users", "users.id", "identity_links.user_id")
        .selectAll("users")
        .where("identity_links.provider_id", "=", providerId)
        .where("identity_links.subject", "=", subject)
        .executeTakeFirst();
      return row ? toUser(row) : undefined;
    },
    async subjectOf(providerId, userId) {
      const row = await db.selectFrom("identity_links").select("subject").where("provider_id", "=", providerId).where("user_id", "=", userId).executeTakeFirst();
      return row?.subject;
    },
    async link(orgId, providerId, subject, user) {
      try {
        await db.insertInto("identity_links").values({ org_id: orgId, provider_id: providerId, subject, user_id: user.id, created_at: isoNow() }).execute();
        return { kind: "linked", user };
      } catch (error) {
        if (isUniqueViolation(error)) return { kind: "conflict" };
        throw error;
      }
    },
    /** The user and its link in one transaction. */
    async provisionAndLink(orgId, providerId, subject, email, fullName) {
      const row = newUserRow(orgId, email, fullName);
      try {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto("users").values(row).execute();
          await trx.insertInto("identity_links").values({ org_id: orgId, provider_id: providerId, subject, user_id: row.id, created_at: isoNow() }).execute();
        });
        return { kind: "linked", user: toUser(row) };
      } catch (error) {
        if (isUniqueViolation(error)) return { kind: "conflict" };
        throw error;
      }
    },
  };
}
