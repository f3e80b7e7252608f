import { isoNow, newId } from "../domain/ids.ts";
import type { UserRepository } from "../domain/ports/repositories.ts";
import type { User, UserRole, UserStatus } from "../domain/user.ts";
import { compiledOnce } from "./compiled.ts";
import { type Db, uniquely } from "./database.ts";
import { revokeFamiliesOfDisabled } from "./refresh-tokens.ts";
import type { UsersTable } from "./schema.ts";

/** A users row as the domain's User. */
export function toUser(row: UsersTable): User {
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    fullName: row.full_name,
    status: row.status as UserStatus,
    role: row.role === "admin" ? "admin" : "member",
    createdAt: row.created_at,
    externalId: row.external_id ?? null,
    provisioned: row.provisioned_by != null,
  };
}

/** The row of a new, active user (time-ordered id); a member unless said otherwise. */
export function newUserRow(orgId: string, email: string, fullName: string | null, role: UserRole = "member"): UsersTable {
  return {
    id: newId(),
    org_id: orgId,
    email,
    email_lower: email.toLowerCase(),
    full_name: fullName,
    status: "active",
    role,
    created_at: isoNow(),
  };
}

/** Users over SQL; the email is matched through its lower-cased copy. */
export function userRepository(db: Db): UserRepository {
  // The sign-in's lookups, compiled once.
  const byId = compiledOnce((id: string) => db.selectFrom("users").selectAll().where("id", "=", id));
  const inOrganisation = compiledOnce((orgId: string, emailLower: string) =>
    db.selectFrom("users").selectAll().where("org_id", "=", orgId).where("email_lower", "=", emailLower),
  );
  const byEmail = compiledOnce((emailLower: string) =>
    db.selectFrom("users").selectAll().where("email_lower", "=", emailLower).orderBy("id").limit(50),
  );
  return {
    async create(orgId, email, fullName, role) {
      const row = newUserRow(orgId, email, fullName, role);
      await uniquely("a user with this email", () => db.insertInto("users").values(row).execute());
      return toUser(row);
    },
    async createOrGet(orgId, email, fullName) {
      // Insert-or-get on the (organisation, email) constraint: concurrent first sign-ins of one
      // person all end with the one row, whichever inserted it.
      await db
        .insertInto("users")
        .values(newUserRow(orgId, email, fullName))
        .onConflict((oc) => oc.columns(["org_id", "email_lower"]).doNothing())
        .execute();
      const row = await db
        .selectFrom("users")
        .selectAll()
        .where("org_id", "=", orgId)
        .where("email_lower", "=", email.toLowerCase())
        .executeTakeFirstOrThrow();
      return toUser(row);
    },
    async get(id) {
      const [row] = (await db.executeQuery(byId(id))).rows;
      return row ? toUser(row) : undefined;
    },
    async findInOrganisation(orgId, email) {
      const [row] = (await db.executeQuery(inOrganisation(orgId, email.toLowerCase()))).rows;
      return row ? toUser(row) : undefined;
    },
    async findByEmail(email) {
      return (await db.executeQuery(byEmail(email.toLowerCase()))).rows.map(toUser);
    },
    async update(orgId, id, changes) {
      const set = {
        ...(changes.role !== undefined && { role: changes.role }),
        ...(changes.status !== undefined && { status: changes.status }),
      };
      if (Object.keys(set).length === 0) {
        const row = await db.selectFrom("users").selectAll().where("org_id", "=", orgId).where("id", "=", id).executeTakeFirst();
        return row ? toUser(row) : undefined;
      }
      // Disabling revokes the user's refresh-token families in the same transaction: no refresh slips in between.
      const row = await db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable("users")
          .set(set)
          .where("org_id", "=", orgId)
          .where("id", "=", id)
          .returningAll()
          .executeTakeFirst();
        if (updated && changes.status === "disabled") await revokeFamiliesOfDisabled(trx, id);
        return updated;
      });
      return row ? toUser(row) : undefined;
    },
    async list(orgId, limit = 100) {
      const rows = await db.selectFrom("users").selectAll().where("org_id", "=", orgId).orderBy("id").limit(limit).execute();
      return rows.map(toUser);
    },
  };
}
