import type { User } from "../signin/model.ts";
import { type Db, isUniqueViolation } from "./database.ts";
import { isoNow } from "./ids.ts";
import { newUserRow, toUser } from "./users.ts";

export type LinkOutcome = { kind: "linked"; user: User } | { kind: "conflict" };

export function identityLinkRepository(db: Db) {
  return {
    async userFor(providerId: string, subject: string): Promise<User | undefined> {
      const row = await db
        .selectFrom("identity_links")
        .innerJoin("users", "users.id", "identity_links.user_id")
        .selectAll("users")
        .where("identity_links.provider_id", "=", providerId)
        .where("identity_links.subject", "=", subject)
        .executeTakeFirst();
      return row ? toUser(row) : undefined;
    },
    async subjectOf(providerId: string, userId: string): Promise<string | undefined> {
      const row = await db.selectFrom("identity_links").select("subject").where("provider_id", "=", providerId).where("user_id", "=", userId).executeTakeFirst();
      return row?.subject;
    },
    /** Links an existing user; a race that linked either side first is a conflict, never an overwrite. */
    async link(orgId: string, providerId: string, subject: string, user: User): Promise<LinkOutcome> {
      try {
        await db.insertInto("identity_links").values({ org_id: orgId, provider_id: providerId, subject, user_id: user.id, created_at: isoNow() }).execute();
        return { kind: "linked", user };
      } catch (error) {
        if (isUniqueViolation(error)) return { kind: "conflict" };
        throw error;
      }
    },
    /** Creates the user and its link in one transaction (just-in-time provisioning). */
    async provisionAndLink(orgId: string, providerId: string, subject: string, email: string, fullName: string | null): Promise<LinkOutcome> {
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

export type IdentityLinkRepository = ReturnType<typeof identityLinkRepository>;
