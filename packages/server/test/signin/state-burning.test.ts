import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { assertAuthError } from "../support/service.ts";
import { alice, signInFixture, startSignIn } from "../support/sign-in-fixture.ts";

const redisUrl = process.env.TEST_REDIS_URL;

/**
 * A state presented with the wrong session (or for another email) must be refused without
 * being consumed: otherwise anyone who saw the callback URL could burn the rightful user's
 * sign-in. Over HTTP, on both state engines.
 */
for (const [engine, redis] of [
  ["memory", undefined],
  ["Redis", redisUrl],
] as const) {
  describe(
    `a state cannot be burnt by someone else (${engine} state)`,
    { skip: engine === "Redis" && !redis ? "TEST_REDIS_URL is not set (CI sets it)" : false },
    () => {
      test("the wrong session and the wrong email are refused, and the rightful session's exchange still succeeds", async (t) => {
        const f = await signInFixture(t, { config: redis ? { redisUrl: redis } : {}, providerOptions: { requirePkce: true } });
        // The victim's sign-in reaches the provider's answer; the attacker has a session of their own.
        const victim = await startSignIn(f, alice);
        const attacker = (await f.service.request("POST", "/userAccount/initAuth", { email: alice.email })).headers.get("x-session-token")!;
        const body = { code: victim.code, email: alice.email, state: victim.state };
        assertAuthError(await f.exchange(body, attacker), 400, "INVALID_STATE");
        assertAuthError(await f.exchange(body), 400, "INVALID_STATE");
        assertAuthError(await f.exchange({ ...body, email: `mallory-${randomUUID()}@acme.test` }, victim.session), 400, "INVALID_STATE");
        assert.equal(f.provider.tokenRequests, 0, "nothing reached the provider");
        const rightful = await f.exchange(body, victim.session);
        assert.equal(rightful.status, 200, rightful.text);
        assertAuthError(await f.exchange(body, victim.session), 400, "INVALID_STATE");
      });
    },
  );
}
