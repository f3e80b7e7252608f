import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RunningService } from "../support/service.ts";
import { alice, signInFixture } from "../support/sign-in-fixture.ts";

const CAP = 5;

async function initAuth(service: RunningService): Promise<string> {
  const response = await service.request("POST", "/userAccount/initAuth", { email: alice.email });
  assert.equal(response.status, 200, response.text);
  return response.headers.get("x-session-token")!;
}

/** authenticate with the provider's access token alone: its identity then comes from userinfo. */
function authenticateWithAccessToken(service: RunningService, session: string, accessToken: string) {
  return service.request(
    "POST",
    "/userAccount/authenticate",
    { method: "oauth", provider: "acme-idp", credentials: { accessToken } },
    { "x-session-token": session },
  );
}

describe("redeemed-token marks (in memory)", () => {
  test("are bounded on their own: a run of exchanges drops the oldest marks, never a sign-in in progress", async (t) => {
    const f = await signInFixture(t, { config: { memoryStateMaxEntries: CAP } });
    const pending = await initAuth(f.service);
    const tokens: string[] = [];
    for (let i = 0; i <= CAP; i++) {
      const exchanged = await f.exchange({ code: await f.code(alice.sub), email: alice.email });
      assert.equal(exchanged.status, 200, exchanged.text);
      tokens.push((exchanged.body as { access_token: string }).access_token);
    }
    // More exchanges than the cap: the sign-in started before them is still there, and the
    // newest access token is still known as one this service redeemed.
    const latest = await authenticateWithAccessToken(f.service, pending, tokens.at(-1)!);
    assert.equal(latest.status, 200, latest.text);
    // The oldest mark made room: its access token no longer passes for one redeemed here.
    const oldest = await authenticateWithAccessToken(f.service, await initAuth(f.service), tokens[0]!);
    assert.equal((oldest.body as { error: string }).error, "INVALID_TOKEN", oldest.text);
  });
});
