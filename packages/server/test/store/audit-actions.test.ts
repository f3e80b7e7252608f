import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AuditEvent } from "../../src/domain/audit.ts";
import { createSecretBox } from "../../src/keys/secret-box.ts";
import { openDatabase } from "../../src/store/database.ts";
import { createStore } from "../../src/store/store.ts";
import { freshDatabase } from "../support/fresh-database.ts";

const engines = process.env.TEST_DATABASE_URL ? (["sqlite", "postgres"] as const) : (["sqlite"] as const);

const action = (event: string, actor: string, orgId: string | null, changes: AuditEvent["changes"]): AuditEvent => ({
  orgId,
  userId: null,
  email: null,
  provider: "corp",
  event,
  outcome: "success",
  error: null,
  ip: "127.0.0.1",
  actor,
  changes,
});

describe("store: the audit trail keeps who acted and what changed", () => {
  for (const engine of engines) {
    test(`actor and changes are read back as written, alone or in a batch, and narrow a page (${engine})`, async (t) => {
      const db = await openDatabase(await freshDatabase(t, engine));
      t.after(() => db.destroy());
      const s = createStore(db, createSecretBox(Buffer.alloc(32, 3)));
      const updated = [
        { field: "scope", before: "openid", after: "openid email" },
        { field: "redirectUris", before: ["https://a.example/cb"], after: [] },
        { field: "clientSecret", changed: true },
      ] as const;
      // One alone (its own statement), then three in one tick (one statement for all).
      await s.audit.record(action("provider.updated", "org-admin:u1", "org1", updated));
      await Promise.all([
        s.audit.record(action("provider.created", "setup-link:l1", "org1", [])),
        s.audit.record({ ...action("oauth.exchange", "x", "org1", null), actor: null }),
        s.audit.record(action("keys.rotated", "operator", null, [{ field: "kid", before: null, after: "k2" }])),
      ]);

      const page = await s.audit.page("org1", 10);
      assert.deepEqual(
        page.records.map((r) => [r.event, r.actor, r.changes]),
        [
          ["oauth.exchange", null, null],
          ["provider.created", "setup-link:l1", []],
          ["provider.updated", "org-admin:u1", updated],
        ],
      );
      assert.deepEqual(
        (await s.audit.page("org1", 10, undefined, { actor: "org-admin:u1" })).records.map((r) => r.event),
        ["provider.updated"],
      );
      assert.deepEqual(
        (await s.audit.page("org1", 10, undefined, { event: "provider.created", actor: "org-admin:u1" })).records,
        [],
        "every filter given must match",
      );
      const outside = await s.audit.page(null, 10);
      assert.deepEqual(
        outside.records.map((r) => [r.event, r.orgId, r.actor, r.changes]),
        [["keys.rotated", null, "operator", [{ field: "kid", before: null, after: "k2" }]]],
      );
    });
  }
});
