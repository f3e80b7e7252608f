import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { assertAuthError } from "../support/service.ts";
import { alice, REDIRECT_URI, signInFixture } from "../support/sign-in-fixture.ts";

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
        const session = async () =>
          (await f.service.request("POST", "/userAccount/initAuth", { email: alice.email })).headers.get("x-session-token")!;
        const victim = await session();
        const attacker = await session();
        const query = new URLSearchParams({ provider: "acme-idp", email: alice.email, redirectUri: REDIRECT_URI });
        const started = await f.service.request<{ authorizationUrl: string; state: string }>(
          "GET",
          `/userAccount/oauth/authorize?${query}`,
          undefined,
          { "x-session-token": victim },
        );
        assert.equal(started.status, 200, started.text);
        const callback = await f.provider.authorize({
          authorizationUrl: started.body.authorizationUrl,
          login: alice.sub,
          clientId: "",
          redirectUri: "",
        });
        assert.ok("code" in callback);
        const body = { code: callback.code, email: alice.email, state: started.body.state };
        assertAuthError(await f.exchange(body, attacker), 400, "INVALID_STATE");
        assertAuthError(await f.exchange(body), 400, "INVALID_STATE");
        assertAuthError(await f.exchange({ ...body, email: `mallory-${randomUUID()}@acme.test` }, victim), 400, "INVALID_STATE");
        assert.equal(f.provider.tokenRequests, 0, "nothing reached the provider");
        const rightful = await f.exchange(body, victim);
        assert.equal(rightful.status, 200, rightful.text);
        assertAuthError(await f.exchange(body, victim), 400, "INVALID_STATE");
      });
    },
  );
}
