import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { signInFixture } from "../support/sign-in-fixture.ts";
import { rotateProviderKeys } from "../support/test-provider.ts";

describe("a provider that rotates its signing keys", () => {
  test("the sign-in right after the rotation succeeds: its ID token's new kid refetches the keys at once", async (t) => {
    const f = await signInFixture(t);
    const before = await f.exchange({ code: await f.code("alice-sub"), email: "alice@acme.test" });
    assert.equal(before.status, 200, before.text);
    await rotateProviderKeys(f.provider, { keepPrevious: false });
    const after = await f.exchange({ code: await f.code("alice-sub"), email: "alice@acme.test" });
    assert.equal(after.status, 200, after.text);
  });
});
