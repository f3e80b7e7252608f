import { sql } from "kysely";
import type { LinkedIdentity } from "../domain/identity.ts";
import type { UserDirectory } from "../domain/ports/user-directory.ts";
import type { Db } from "./database.ts";
import { toUser } from "./users.ts";

/** `text` as a LIKE pattern matching any value containing it: its own `%`, `_` and `\` match only themselves. */
const containing = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The user directory over SQL: a page is three statements whatever its size: the users, their
 * identity links, and their latest sign-ins (the newest refresh-token family of each: one is
 * made at every sign-in that reaches the service's tokens).
 */
export function userDirectory(db: Db): UserDirectory {
  return {
    async page(orgId, { email, q, limit, cursor }) {
      let query = db
        .selectFrom("users")
        .selectAll()
        .where("org_id", "=", orgId)
        .orderBy("id")
        .limit(limit + 1);
      if (email !== undefined) query = query.where("email_lower", "=", email.toLowerCase());
      if (q) {
        const pattern = containing(q);
        query = query.where(sql<boolean>`(email_lower like ${pattern} escape '\\' or lower(full_name) like ${pattern} escape '\\')`);
      }
      if (cursor !== undefined) query = query.where("id", ">", cursor);
      const rows = await query.execute();
      const page = rows.slice(0, limit);
      if (page.length === 0) return { users: [], nextCursor: null };
      const ids = page.map((r) => r.id);
      const [links, signIns] = await Promise.all([
        db
          .selectFrom("identity_links")
          .innerJoin("providers", "providers.id", "identity_links.provider_id")
          .select([
            "identity_links.user_id",
            "providers.name as provider",
            "identity_links.subject",
            "identity_links.created_at as linkedAt",
          ])
          .where("identity_links.user_id", "in", ids)
          .orderBy("providers.name")
          .execute(),
        db
          .selectFrom("refresh_token_families")
          .select((eb) => ["user_id", eb.fn.max("created_at").as("last")])
          .where("user_id", "in", ids)
          .groupBy("user_id")
          .execute(),
      ]);
      const identities = new Map<string, LinkedIdentity[]>();
      for (const { user_id, ...link } of links) identities.set(user_id, [...(identities.get(user_id) ?? []), link]);
      const lastSignIn = new Map(signIns.map((s) => [s.user_id, s.last]));
      return {
        users: page.map((row) => ({
          ...toUser(row),
          identities: identities.get(row.id) ?? [],
          lastSignInAt: lastSignIn.get(row.id) ?? null,
        })),
        nextCursor: rows.length > limit ? page.at(-1)!.id : null,
      };
    },
  };
}
