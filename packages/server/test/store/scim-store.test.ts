/** SCIM's storage on both engines, and disabling a user ending their sessions in the same write (SCIM's deactivation and the operator's alike). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isoNow } from "../../src/domain/ids.ts";
import { createSecretBox } from "../../src/keys/secret-box.ts";
import { openDatabase } from "../../src/store/database.ts";
import { createStore } from "../../src/store/store.ts";
import { freshDatabase } from "../support/fresh-database.ts";

const engines = process.env.TEST_DATABASE_URL ? (["sqlite", "postgres"] as const) : (["sqlite"] as const);
const scimWrite = (email: string, active: boolean) => ({
  email,
  fullName: null,
  externalId: "x-1",
  active,
  attributes: { userName: email },
});

describe("disabling a user revokes their refresh-token families in the same write", () => {
  for (const engine of engines) {
    test(`users.update {status: disabled} and a SCIM replace {active: false}: every family revoked, nobody else's (${engine})`, async (t) => {
      const db = await openDatabase(await freshDatabase(t, engine));
      t.after(() => db.destroy());
      const s = createStore(db, createSecretBox(Buffer.alloc(32, 3)));
      const org = await s.organisations.create("Acme", ["acme.test"]);
      const operators = await s.users.create(org.id, "op@acme.test", null);
      const provisioned = await s.scim.createUser(org.id, "scim:t1", scimWrite("dir@acme.test", true));
      const other = await s.users.create(org.id, "other@acme.test", null);
      const family = async (userId: string, n: number) => {
        const id = `fam-${userId}-${n}`;
        const at = isoNow();
        await s.refreshTokens.createFamily(
          { id, userId, orgId: org.id, createdAt: at },
          { jti: `${id}-jti`, familyId: id, userId, expiresAt: at, createdAt: at },
        );
        return id;
      };
      const [op1, op2, dir1, oth] = [
        await family(operators.id, 1),
        await family(operators.id, 2),
        await family(provisioned.user.id, 1),
        await family(other.id, 1),
      ];

      await s.users.update(org.id, operators.id, { status: "disabled" });
      assert.deepEqual([await s.refreshTokens.isFamilyActive(op1), await s.refreshTokens.isFamilyActive(op2)], [false, false]);
      await s.users.update(org.id, other.id, { role: "admin" });
      assert.equal(await s.refreshTokens.isFamilyActive(oth), true, "a role change ends nothing");

      const change = await s.scim.replaceUser(org.id, provisioned.user.id, scimWrite("dir@acme.test", false));
      assert.ok(change && change !== "version-mismatch");
      assert.equal(change.after.user.status, "disabled");
      assert.equal(await s.refreshTokens.isFamilyActive(dir1), false);
      assert.equal(await s.refreshTokens.isFamilyActive(oth), true, "nobody else's session ended");
    });
  }

  for (const engine of engines) {
    test(`SCIM's storage: users paged and filtered, groups keep only provisioned members, deleting a user leaves no membership (${engine})`, async (t) => {
      const db = await openDatabase(await freshDatabase(t, engine));
      t.after(() => db.destroy());
      const s = createStore(db, createSecretBox(Buffer.alloc(32, 3)));
      const org = await s.organisations.create("Acme", ["acme.test"]);
      const operators = await s.users.create(org.id, "op@acme.test", null);
      const made = [];
      for (const n of [1, 2, 3]) made.push((await s.scim.createUser(org.id, "scim:t1", scimWrite(`u${n}@acme.test`, true))).user.id);
      const page = await s.scim.findUsers(org.id, undefined, 2, 1);
      assert.deepEqual([page.total, page.users.map((u) => u.user.id)], [3, [made[1]]]);
      assert.equal((await s.scim.findUsers(org.id, { attribute: "userName", value: "U1@ACME.TEST" }, 1, 10)).total, 1);
      assert.equal((await s.scim.findUsers(org.id, { attribute: "email", value: "op@acme.test" }, 1, 10)).total, 0, "not the operator's");
      const group = await s.scim.createGroup(org.id, "Admins", null, [made[0]!, operators.id]);
      assert.deepEqual(group.members, [made[0]]);
      const replaced = await s.scim.replaceGroup(org.id, group.id, "Admins", "ext", [made[1]!, made[2]!]);
      assert.deepEqual([replaced?.members, replaced?.version], [[made[1], made[2]].sort(), 2]);
      assert.equal((await s.scim.findGroups(org.id, "Admins", 1, 10)).total, 1);
      await s.scim.deleteUser(org.id, made[1]!);
      assert.deepEqual((await s.scim.getGroup(org.id, group.id))?.members, [made[2]]);
      assert.equal(await s.scim.deleteGroup(org.id, group.id), true);
      assert.equal(await s.scim.getGroup(org.id, group.id), undefined);
    });
  }
});
