// The SDK pointed at PipesHub's base URL, `…/api/v1` (the default server of PipesHub's own SDK),
// against the real service and a real OpenID Provider on loopback.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { alice, REDIRECT_URI, signInFixture } from "../../server/test/support/sign-in-fixture.ts";
import { AuthError, Pipeshub } from "../src/index.ts";

describe("the SDK with serverURL …/api/v1", () => {
  test("the seed's exchangeCode works, and a refusal is the same AuthError as at the root", async (t) => {
    const f = await signInFixture(t);
    const client = new Pipeshub({ serverURL: `${f.service.url}/api/v1`, retryConfig: { strategy: "none" } });
    const tokens = await client.oauth.exchangeCode({
      code: await f.code(alice.sub),
      email: alice.email,
      provider: "acme-idp",
      redirectUri: REDIRECT_URI,
    });
    assert.equal(tokens.tokenType, "Bearer");
    assert.equal(tokens.idToken?.split(".").length, 3, "the ID token is a JWS");

    const refusals = await Promise.all(
      [`${f.service.url}/api/v1`, f.service.url].map((serverURL) =>
        new Pipeshub({ serverURL, retryConfig: { strategy: "none" } }).oauth
          .exchangeCode({ code: "c", email: alice.email, provider: "nobody", redirectUri: REDIRECT_URI })
          .then(
            () => assert.fail("the exchange succeeded"),
            (error: unknown) => error,
          ),
      ),
    );
    for (const error of refusals) assert.ok(error instanceof AuthError, String(error));
    const [mounted, root] = refusals as AuthError[];
    assert.deepEqual([mounted!.statusCode, mounted!.error, mounted!.serviceMessage], [400, "PROVIDER_NOT_FOUND", root!.serviceMessage]);
  });
});
