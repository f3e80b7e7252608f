import { isoNow } from "../domain/ids.ts";
import type { IdentityLinkRepository, LinkOutcome } from "../domain/ports/repositories.ts";
import type { User } from "../domain/user.ts";
import { compiledOnce } from "./compiled.ts";
import type { Db } from "./database.ts";
import { toUser, userRepository } from "./users.ts";

/**
 * Identity links over SQL: unique per (provider, subject) and per (provider, user). Writes are
 * insert-or-get on those constraints, so a race ends in the one stored link, never an overwrite
 * and never a unique violation.
 */
export function identityLinkRepository(db: Db): IdentityLinkRepository {
  const users = userRepository(db);
  // A returning user's one read: the link and its user together, compiled once.
  const linkedUser = compiledOnce((providerId: string, subject: string) =>
    db
      .selectFrom("identity_links")
      .innerJoin("users", "users.id", "identity_links.user_id")
      .selectAll("users")
      .where("identity_links.provider_id", "=", providerId)
      .where("identity_links.subject", "=", subject),
  );

  async function userFor(providerId: string, subject: string): Promise<User | undefined> {
    const [row] = (await db.executeQuery(linkedUser(providerId, subject))).rows;
    return row ? toUser(row) : undefined;
  }

  async function link(orgId: string, providerId: string, subject: string, user: User): Promise<LinkOutcome> {
    // ON CONFLICT DO NOTHING covers both constraints; what is stored then decides.
    const inserted = await db
      .insertInto("identity_links")
      .values({ org_id: orgId, provider_id: providerId, subject, user_id: user.id, created_at: isoNow() })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    const holder = await userFor(providerId, subject);
    const made = Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
    return holder?.id === user.id ? { kind: "linked", user: holder, made } : { kind: "conflict" };
  }

  return {
    userFor,
    async subjectOf(providerId, userId) {
      const row = await db
        .selectFrom("identity_links")
        .select("subject")
        .where("provider_id", "=", providerId)
        .where("user_id", "=", userId)
        .executeTakeFirst();
      return row?.subject;
    },
    async hasIdentity(userId) {
      const row = await db.selectFrom("identity_links").select("user_id").where("user_id", "=", userId).limit(1).executeTakeFirst();
      return row !== undefined;
    },
    async identitiesOf(userId) {
      const rows = await db
        .selectFrom("identity_links")
        .innerJoin("providers", "providers.id", "identity_links.provider_id")
        .select(["providers.name as provider", "identity_links.subject", "identity_links.created_at as linkedAt"])
        .where("identity_links.user_id", "=", userId)
        .orderBy("providers.name")
        .execute();
      return rows;
    },
    async unlink(orgId, userId, providerName) {
      return db.transaction().execute(async (trx) => {
        const found = await trx
          .selectFrom("identity_links")
          .innerJoin("providers", "providers.id", "identity_links.provider_id")
          .select(["identity_links.provider_id", "identity_links.subject"])
          .where("providers.org_id", "=", orgId)
          .where("providers.name", "=", providerName)
          .where("identity_links.user_id", "=", userId)
          .executeTakeFirst();
        if (!found) return undefined;
        await trx.deleteFrom("identity_links").where("provider_id", "=", found.provider_id).where("user_id", "=", userId).execute();
        return found.subject;
      });
    },
    link,
    async provisionAndLink(orgId, providerId, subject, email, fullName) {
      return link(orgId, providerId, subject, await users.createOrGet(orgId, email, fullName));
    },
  };
}
