import { type SelectQueryBuilder, sql } from "kysely";
import { isoNow, newId } from "../domain/ids.ts";
import type { ScimGroup, ScimRepository, ScimToken, ScimUser, ScimUserAttributes, ScimUserWrite } from "../domain/scim.ts";
import { VERSION_MISMATCH } from "../domain/scim.ts";
import { type Db, uniquely } from "./database.ts";
import type { Database, ScimGroupsTable, ScimTokensTable, UsersTable } from "./schema.ts";
import { revokeFamiliesOfDisabled } from "./refresh-tokens.ts";
import { newUserRow, toUser } from "./users.ts";

const toToken = (r: ScimTokensTable): ScimToken => ({ id: r.id, orgId: r.org_id, createdAt: r.created_at, revokedAt: r.revoked_at });

function toScimUser(row: UsersTable): ScimUser {
  const attributes = JSON.parse(row.scim_attributes ?? "{}") as ScimUserAttributes;
  return { user: toUser(row), externalId: row.external_id ?? null, attributes, version: row.version ?? 1 };
}

/** The columns a SCIM write sets on a user. */
const userColumns = (write: ScimUserWrite) => ({
  email: write.email,
  email_lower: write.email.toLowerCase(),
  full_name: write.fullName,
  external_id: write.externalId,
  scim_user_name: write.attributes.userName.toLowerCase(),
  scim_attributes: JSON.stringify(write.attributes),
  status: write.active ? "active" : "disabled",
});

/** SCIM's storage over SQL: only users with `provisioned_by` set are ever SCIM's. */
export function scimRepository(db: Db): ScimRepository {
  const provisioned = (orgId: string) =>
    db.selectFrom("users").selectAll().where("org_id", "=", orgId).where("provisioned_by", "is not", null);

  async function groupMembers(groupIds: readonly string[]): Promise<Map<string, string[]>> {
    const members = new Map<string, string[]>();
    if (groupIds.length === 0) return members;
    const rows = await db.selectFrom("scim_group_members").selectAll().where("group_id", "in", groupIds).orderBy("user_id").execute();
    for (const r of rows) members.set(r.group_id, [...(members.get(r.group_id) ?? []), r.user_id]);
    return members;
  }
  const toGroup = (r: ScimGroupsTable, members: readonly string[]): ScimGroup => ({
    id: r.id,
    orgId: r.org_id,
    displayName: r.display_name,
    externalId: r.external_id,
    members,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
  /** Of `userIds`, those SCIM provisioned in the organisation: a group holds no one else. */
  async function provisionedAmong(orgId: string, userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await provisioned(orgId).clearSelect().select("id").where("id", "in", userIds).execute();
    return rows.map((r) => r.id);
  }

  return {
    async createToken(orgId, tokenHash) {
      const row: ScimTokensTable = { id: newId(), org_id: orgId, token_hash: tokenHash, created_at: isoNow(), revoked_at: null };
      await db.insertInto("scim_tokens").values(row).execute();
      return toToken(row);
    },
    async listTokens(orgId) {
      return (await db.selectFrom("scim_tokens").selectAll().where("org_id", "=", orgId).orderBy("id", "desc").execute()).map(toToken);
    },
    async revokeToken(orgId, id) {
      const result = await db
        .updateTable("scim_tokens")
        .set({ revoked_at: isoNow() })
        .where("org_id", "=", orgId)
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async activeToken(tokenHash) {
      const row = await db
        .selectFrom("scim_tokens")
        .selectAll()
        .where("token_hash", "=", tokenHash)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      return row && toToken(row);
    },

    async createUser(orgId, provisionedBy, write) {
      const row: UsersTable = {
        ...newUserRow(orgId, write.email, write.fullName),
        ...userColumns(write),
        provisioned_by: provisionedBy,
        version: 1,
      };
      await uniquely("a user with this email or userName", () => db.insertInto("users").values(row).execute());
      return toScimUser(row);
    },
    async getUser(orgId, id) {
      const row = await provisioned(orgId).where("id", "=", id).executeTakeFirst();
      return row && toScimUser(row);
    },
    async findUsers(orgId, filter, startIndex, count) {
      let query = provisioned(orgId);
      if (filter?.attribute === "userName") query = query.where("scim_user_name", "=", filter.value.toLowerCase());
      if (filter?.attribute === "email") query = query.where("email_lower", "=", filter.value.toLowerCase());
      if (filter?.attribute === "externalId") query = query.where("external_id", "=", filter.value);
      const { total, rows } = await pageOf(query, startIndex, count);
      return { total, users: rows.map(toScimUser) };
    },
    async replaceUser(orgId, id, write, ifVersion) {
      return uniquely("a user with this email or userName", () =>
        db.transaction().execute(async (trx) => {
          const row = await provisionedRow(trx, orgId, id);
          if (!row) return undefined;
          if (ifVersion !== undefined && (row.version ?? 1) !== ifVersion) return VERSION_MISMATCH;
          const updated = await trx
            .updateTable("users")
            .set({ ...userColumns(write), version: (row.version ?? 1) + 1 })
            .where("id", "=", id)
            .returningAll()
            .executeTakeFirstOrThrow();
          // Deactivation ends every session of theirs in the same transaction: no refresh can slip between.
          if (!write.active) await revokeFamiliesOfDisabled(trx, id);
          return { before: toScimUser(row), after: toScimUser(updated) };
        }),
      );
    },
    async deleteUser(orgId, id, ifVersion) {
      return db.transaction().execute(async (trx) => {
        const row = await provisionedRow(trx, orgId, id);
        if (!row) return undefined;
        if (ifVersion !== undefined && (row.version ?? 1) !== ifVersion) return VERSION_MISMATCH;
        await revokeFamiliesOfDisabled(trx, id);
        await trx.deleteFrom("console_sessions").where("user_id", "=", id).execute();
        await trx.deleteFrom("scim_group_members").where("user_id", "=", id).execute();
        await trx.deleteFrom("identity_links").where("user_id", "=", id).execute();
        await trx.deleteFrom("users").where("id", "=", id).execute();
        return toScimUser(row);
      });
    },

    async createGroup(orgId, displayName, externalId, members) {
      const at = isoNow();
      const row: ScimGroupsTable = {
        id: newId(),
        org_id: orgId,
        display_name: displayName,
        external_id: externalId,
        version: 1,
        created_at: at,
        updated_at: at,
      };
      const kept = await provisionedAmong(orgId, members);
      await uniquely("a group with this displayName", () =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto("scim_groups").values(row).execute();
          if (kept.length > 0)
            await trx
              .insertInto("scim_group_members")
              .values(kept.map((user_id) => ({ group_id: row.id, user_id })))
              .execute();
        }),
      );
      return toGroup(row, [...kept].sort());
    },
    async getGroup(orgId, id) {
      const row = await db.selectFrom("scim_groups").selectAll().where("org_id", "=", orgId).where("id", "=", id).executeTakeFirst();
      return row && toGroup(row, (await groupMembers([row.id])).get(row.id) ?? []);
    },
    async findGroups(orgId, displayName, startIndex, count) {
      let query = db.selectFrom("scim_groups").selectAll().where("org_id", "=", orgId);
      if (displayName !== undefined) query = query.where("display_name", "=", displayName);
      const { total, rows } = await pageOf(query, startIndex, count);
      const members = await groupMembers(rows.map((r) => r.id));
      return { total, groups: rows.map((r) => toGroup(r, members.get(r.id) ?? [])) };
    },
    async replaceGroup(orgId, id, displayName, externalId, members) {
      const kept = await provisionedAmong(orgId, members);
      const row = await uniquely("a group with this displayName", () =>
        db.transaction().execute(async (trx) => {
          const updated = await trx
            .updateTable("scim_groups")
            .set((eb) => ({ display_name: displayName, external_id: externalId, version: eb("version", "+", 1), updated_at: isoNow() }))
            .where("org_id", "=", orgId)
            .where("id", "=", id)
            .returningAll()
            .executeTakeFirst();
          if (!updated) return undefined;
          await trx.deleteFrom("scim_group_members").where("group_id", "=", id).execute();
          if (kept.length > 0)
            await trx
              .insertInto("scim_group_members")
              .values(kept.map((user_id) => ({ group_id: id, user_id })))
              .execute();
          return updated;
        }),
      );
      return row && toGroup(row, [...kept].sort());
    },
    async deleteGroup(orgId, id) {
      return db.transaction().execute(async (trx) => {
        const removed = await trx.deleteFrom("scim_groups").where("org_id", "=", orgId).where("id", "=", id).executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0) return false;
        await trx.deleteFrom("scim_group_members").where("group_id", "=", id).execute();
        return true;
      });
    },
    async setRoles(orgId, userIds, role) {
      if (userIds.length === 0) return;
      await provisionedUpdate(db, orgId, userIds).set({ role }).execute();
    },

    async adminGroup(orgId) {
      const row = await db.selectFrom("organisations").select("scim_admin_group").where("id", "=", orgId).executeTakeFirst();
      return row?.scim_admin_group ?? null;
    },
    async setAdminGroup(orgId, displayName) {
      const result = await db
        .updateTable("organisations")
        .set({ scim_admin_group: displayName })
        .where("id", "=", orgId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

/** An update of the organisation's provisioned users among `userIds`: never a user SCIM did not make. */
const provisionedUpdate = (db: Db, orgId: string, userIds: readonly string[]) =>
  db.updateTable("users").where("org_id", "=", orgId).where("provisioned_by", "is not", null).where("id", "in", userIds);

/** The organisation's user `id`, when SCIM provisioned it (read inside the write's transaction). */
const provisionedRow = (trx: Db, orgId: string, id: string) =>
  trx
    .selectFrom("users")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("provisioned_by", "is not", null)
    .executeTakeFirst();

/** A page of a query, by id, from the 1-based `startIndex`, at most `count` rows, and how many rows match in all. */
async function pageOf<TB extends "users" | "scim_groups", T>(
  query: SelectQueryBuilder<Database, TB, T>,
  startIndex: number,
  count: number,
): Promise<{ total: number; rows: T[] }> {
  const counted = await query
    .clearSelect()
    .select(sql<string | number>`count(*)`.as("total"))
    .executeTakeFirstOrThrow();
  const rows =
    count === 0
      ? []
      : await query
          .orderBy(sql.ref("id"))
          .offset(startIndex - 1)
          .limit(count)
          .execute();
  return { total: Number(counted.total), rows };
}
