import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ProviderHealth } from "../../src/admin/provider-health.ts";
import { freshDatabase } from "../support/fresh-database.ts";
import { signInRecords } from "../support/service.ts";
import { alice, bob, REDIRECT_URI, type SignInFixture, signIn, signInFixture, startSignIn } from "../support/sign-in-fixture.ts";
import type { TestUser } from "../support/test-provider.ts";

const postgresUrl = process.env.TEST_DATABASE_URL;
const carol: TestUser = { sub: "carol-sub", email: "carol@acme.test", email_verified: true, name: "Carol Acme" };

async function health(f: SignInFixture): Promise<ProviderHealth> {
  const answer = await f.service.admin<ProviderHealth>("GET", `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp/health?window=1h`);
  assert.equal(answer.status, 200, answer.text);
  return answer.body;
}

/** A sign-in whose exchange succeeds and whose authenticate presents an ID token with a broken signature. */
async function signInWithBrokenIdToken(f: SignInFixture, user: TestUser): Promise<string> {
  const { session, code, state } = await startSignIn(f, user);
  const exchanged = await f.exchange({ code, email: user.email, state }, session);
  assert.equal(exchanged.status, 200, exchanged.text);
  const { access_token, id_token } = exchanged.body as { access_token: string; id_token: string };
  const broken = `${id_token.slice(0, -6)}${id_token.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA"}`;
  const refused = await f.service.request<{ code: string }>(
    "POST",
    "/userAccount/authenticate",
    { method: "oauth", credentials: { accessToken: access_token, idToken: broken } },
    { "x-session-token": session },
  );
  assert.equal(refused.status, 401, refused.text);
  return (refused.body as unknown as { error: string }).error;
}

describe("a provider's health counts sign-ins, not their steps", () => {
  for (const engine of ["SQLite", "PostgreSQL"] as const) {
    const skip = engine === "PostgreSQL" && !postgresUrl ? "TEST_DATABASE_URL is not set (CI sets it)" : false;
    test(
      `an exchange and the authenticate of one sign-in are one attempt, its outcome the later step's (${engine})`,
      { skip },
      async (t) => {
        const config = engine === "PostgreSQL" ? { database: await freshDatabase(t, "postgres") } : {};
        const f = await signInFixture(t, { users: [alice, bob, carol], config });

        await signIn(f, alice);
        const whole = await health(f);
        assert.deepEqual([whole.attempts, whole.successes, whole.failures], [1, 1, {}], "a whole sign-in is one successful attempt");

        const reason = await signInWithBrokenIdToken(f, bob);
        const failed = await health(f);
        assert.deepEqual(
          [failed.attempts, failed.successes, failed.failures],
          [2, 1, { [reason]: 1 }],
          "a sign-in whose exchange succeeded and whose authenticate failed is one failure",
        );
        assert.equal(failed.lastFailure?.reason, reason);

        const { session, code, state } = await startSignIn(f, carol);
        assert.equal((await f.exchange({ code, email: carol.email, state }, session)).status, 200);
        const exchangeOnly = await health(f);
        assert.deepEqual([exchangeOnly.attempts, exchangeOnly.successes], [3, 2], "an exchange alone is one attempt");

        // The steps are all on the record; the series adds up to the totals it counted.
        assert.equal((await signInRecords(f.service, f.orgId)).filter((r) => r.provider === "acme-idp").length, 5);
        assert.equal(
          exchangeOnly.series.reduce((n, b) => n + b.attempts, 0),
          3,
        );
        assert.equal(
          exchangeOnly.series.reduce((n, b) => n + b.failures, 0),
          1,
        );
      },
    );
  }

  test("an exchange with no sign-in session counts alone, as does each of two sessions' exchanges", async (t) => {
    const f = await signInFixture(t, { users: [alice] });
    const plain = await f.exchange({ code: await f.code(alice.sub), email: alice.email, redirectUri: REDIRECT_URI });
    assert.equal(plain.status, 200, plain.text);
    const first = await startSignIn(f, alice);
    const second = await startSignIn(f, alice);
    assert.equal((await f.exchange({ code: first.code, email: alice.email, state: first.state }, first.session)).status, 200);
    assert.equal((await f.exchange({ code: second.code, email: alice.email, state: second.state }, second.session)).status, 200);
    const counted = await health(f);
    assert.deepEqual([counted.attempts, counted.successes], [3, 3]);
  });
});
