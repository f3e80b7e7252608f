import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AuditEvent } from "../../src/domain/audit.ts";
import { failure, success } from "../../src/domain/failures.ts";
import { audited } from "../../src/signin/audited.ts";

function trail() {
  const records: AuditEvent[] = [];
  return { records, record: async (event: AuditEvent) => void records.push(event) };
}

const attempt = { event: "oauth.exchange", email: "a@b.test", provider: "idp", ip: "127.0.0.1" };

describe("signin/audited: every sign-in step leaves exactly one audit record", () => {
  test("a success is recorded with what the step learnt", async () => {
    const audit = trail();
    const result = await audited(audit, attempt, async (subject) => {
      subject.organisation("org-1");
      subject.user("user-1");
      return success("done");
    });
    assert.deepEqual(result, { ok: true, value: "done" });
    assert.deepEqual(audit.records, [
      {
        orgId: "org-1",
        userId: "user-1",
        email: "a@b.test",
        provider: "idp",
        event: "oauth.exchange",
        outcome: "success",
        error: null,
        ip: "127.0.0.1",
      },
    ]);
  });

  test("a failure is recorded with its identifier and whatever was learnt before it", async () => {
    const audit = trail();
    const result = await audited(audit, { ...attempt, orgId: "org-1", provider: null }, async (subject) => {
      subject.provider("the-one-used");
      return failure("INVALID_GRANT", "refused");
    });
    assert.equal(result.ok, false);
    assert.deepEqual(audit.records, [
      {
        orgId: "org-1",
        userId: null,
        email: "a@b.test",
        provider: "the-one-used",
        event: "oauth.exchange",
        outcome: "failure",
        error: "INVALID_GRANT",
        ip: "127.0.0.1",
      },
    ]);
  });

  test("nothing learnt: the attempt as it was known", async () => {
    const audit = trail();
    await audited(audit, attempt, async () => failure("ORG_NOT_FOUND", "none"));
    assert.deepEqual(
      audit.records.map((r) => [r.orgId, r.userId, r.provider, r.error]),
      [[null, null, "idp", "ORG_NOT_FOUND"]],
    );
  });

  test("an unexpected error is not an outcome: it propagates to the error handler and is not recorded", async () => {
    const audit = trail();
    await assert.rejects(
      audited(audit, attempt, async () => {
        throw new Error("database down");
      }),
      /database down/,
    );
    assert.deepEqual(audit.records, []);
  });
});
