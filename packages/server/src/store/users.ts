import type { User, UserStatus } from "../signin/model.ts";
import type { Db } from "./database.ts";
import { isoNow, newId } from "./ids.ts";
import type { UsersTable } from "./schema.ts";

export function toUser(row: UsersTable): User {
  return { id: row.id, orgId: row.org_id, email: row.email, fullName: row.full_name, status: row.status as UserStatus, createdAt: row.created_at };
}

export function newUserRow(orgId: string, email: string, fullName: string | null): UsersTable {
  return { id: newId(), org_id: orgId, email, email_lower: email.toLowerCase(), full_name: fullName, status: "active", created_at: isoNow() };
}

export function userRepository(db: Db) {
  return {
    /** Throws a unique violation when the email is taken in the organisation. */
    async create(orgId: string, email: string, fullName: string | null): Promise<User> {
      const row = newUserRow(orgId, email, fullName);
      await db.insertInto("users").values(row).execute();
      return toUser(row);
    },
    async get(id: string): Promise<User | undefined> {
      const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toUser(row) : undefined;
    },
    async findInOrganisation(orgId: string, email: string): Promise<User | undefined> {
      const row = await db.selectFrom("users").selectAll().where("org_id", "=", orgId).where("email_lower", "=", email.toLowerCase()).executeTakeFirst();
      return row ? toUser(row) : undefined;
    },
    /** Every user with this email, in any organisation, oldest first. */
    async findByEmail(email: string): Promise<User[]> {
      const rows = await db.selectFrom("users").selectAll().where("email_lower", "=", email.toLowerCase()).orderBy("id").limit(50).execute();
      return rows.map(toUser);
    },
    async list(orgId: string, limit = 100): Promise<User[]> {
      const rows = await db.selectFrom("users").selectAll().where("org_id", "=", orgId).orderBy("id").limit(limit).execute();
      return rows.map(toUser);
    },
  };
}

export type UserRepository = ReturnType<typeof userRepository>;
