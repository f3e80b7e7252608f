/**
 * Account lockout (signin/lockout.ts) over the in-memory short-lived state and a clock the test
 * moves: blocked after `threshold` consecutive failures, for `blockSeconds`. No service is started.
 */
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { accountLockout, type JudgedAttempt } from "../../src/signin/lockout.ts";
import { createMemoryState } from "../../src/state/memory-state.ts";
import { manualClock } from "../support/fakes.ts";

function lockoutOf(t: TestContext) {
  const clock = manualClock();
  const state = createMemoryState(clock.now);
  t.after(() => state.close());
  return { clock, lockout: accountLockout(state, { threshold: 3, blockSeconds: 60 }) };
}

/** One attempt that fails on its credentials; true when it blocked the account. */
async function failedAttempt(lockout: ReturnType<typeof accountLockout>, orgId: string, email: string): Promise<boolean> {
  const attempt = await lockout.admit(orgId, email);
  assert.ok(attempt, "admitted");
  return lockout.failed(orgId, email, attempt);
}

describe("signin rules: account lockout", () => {
  test("the threshold-th consecutive failure blocks the account for blockSeconds, then it is judged again", async (t) => {
    const { clock, lockout } = lockoutOf(t);
    assert.equal(await failedAttempt(lockout, "org", "jane@acme.test"), false);
    assert.equal(await failedAttempt(lockout, "org", "jane@acme.test"), false);
    assert.equal(await failedAttempt(lockout, "org", "jane@acme.test"), true, "the third failure blocks");
    assert.equal(await lockout.admit("org", "jane@acme.test"), undefined);
    await clock.advance(59_999);
    assert.equal(await lockout.admit("org", "JANE@acme.test"), undefined, "still blocked, whatever the email's case");
    await clock.advance(1);
    assert.deepEqual(await lockout.admit("org", "jane@acme.test"), { place: 1 }, "the block and the count are over");
  });

  test("counted per organisation and email: others are not blocked", async (t) => {
    const { lockout } = lockoutOf(t);
    for (let i = 0; i < 3; i++) await failedAttempt(lockout, "org", "jane@acme.test");
    assert.ok(await lockout.admit("org", "joe@acme.test"));
    assert.ok(await lockout.admit("other-org", "jane@acme.test"));
  });

  test("a success starts the count again: failures must be consecutive", async (t) => {
    const { lockout } = lockoutOf(t);
    await failedAttempt(lockout, "org", "jane@acme.test");
    await failedAttempt(lockout, "org", "jane@acme.test");
    await lockout.reset("org", "jane@acme.test");
    assert.equal(await failedAttempt(lockout, "org", "jane@acme.test"), false);
    assert.equal(await failedAttempt(lockout, "org", "jane@acme.test"), false);
    assert.ok(await lockout.admit("org", "jane@acme.test"));
  });

  test("an attempt withdrawn without a verdict (a provider outage) gives its place back", async (t) => {
    const { lockout } = lockoutOf(t);
    await failedAttempt(lockout, "org", "jane@acme.test");
    for (let i = 0; i < 5; i++) {
      assert.ok(await lockout.admit("org", "jane@acme.test"));
      await lockout.withdrawn("org", "jane@acme.test");
    }
    assert.equal(await failedAttempt(lockout, "org", "jane@acme.test"), false, "the second failure");
    assert.equal(await failedAttempt(lockout, "org", "jane@acme.test"), true, "the third failure blocks");
  });

  test("attempts arriving at once: at most threshold are judged before the block", async (t) => {
    const { lockout } = lockoutOf(t);
    const admitted = await Promise.all(Array.from({ length: 10 }, () => lockout.admit("org", "jane@acme.test")));
    const judged = admitted.filter((a): a is JudgedAttempt => a !== undefined);
    assert.deepEqual(judged.map((a) => a.place).sort(), [1, 2, 3]);
    const blocked = await Promise.all(judged.map((a) => lockout.failed("org", "jane@acme.test", a)));
    assert.deepEqual(blocked.sort(), [false, false, true]);
  });
});
