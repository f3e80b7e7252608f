import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSecretBox } from "../../src/keys/secret-box.ts";
import { createSigningKeys } from "../../src/keys/signing-keys.ts";
import { startService } from "../support/service.ts";

describe("the service's signing keys", () => {
  test("signing keys: instances share keys through the database and converge within the cache window; retired keys expire from the JWKS", async (t) => {
    const service = await startService(t);
    const { config, store } = service.app;
    let clock = Date.parse("2030-01-01T00:00:00Z");
    const make = () =>
      createSigningKeys({
        repository: store.signingKeys,
        secrets: createSecretBox(config.encryptionKey),
        refreshTokenTtlSeconds: 3600,
        now: () => clock,
      });
    const a = make();
    const b = make();
    const firstUse = await Promise.all([a.signingKey(), a.signingKey(), a.signingKey()]);
    assert.equal(new Set(firstUse.map((k) => k.kid)).size, 1, "concurrent first uses create one key");
    assert.equal((await store.db.selectFrom("signing_keys").select("kid").execute()).length, 1);
    const first = firstUse[0]!;
    clock += 60_000;
    assert.equal((await b.signingKey()).kid, first.kid, "the second instance uses the key the first created");
    const { kid: second } = await a.rotate();
    assert.equal((await a.signingKey()).kid, second);
    assert.equal((await b.signingKey()).kid, first.kid, "b trusts its copy for up to 30 s");
    clock += 1_000;
    assert.ok(await b.verificationKey(second), "an unknown kid re-reads the database");
    clock += 30_000;
    assert.equal((await b.signingKey()).kid, second, "b converged");
    assert.deepEqual(
      (await b.jwks()).keys.map((k) => k.kid),
      [second, first.kid],
    );
    assert.equal(await b.verificationKey("x".repeat(43)), undefined);

    // Published for the refresh lifetime plus the cache window after its retirement, then gone,
    // even from a copy read moments before.
    const retiredAt = Date.parse(
      (await store.db.selectFrom("signing_keys").select("retired_at").where("kid", "=", first.kid).executeTakeFirstOrThrow()).retired_at!,
    );
    clock = retiredAt + 3600_000 + 30_000 - 5_000;
    await b.reload();
    assert.deepEqual(
      (await b.jwks()).keys.map((k) => k.kid),
      [second, first.kid],
    );
    clock += 5_000;
    assert.deepEqual(
      (await b.jwks()).keys.map((k) => k.kid),
      [second],
      "the retired key is gone after the refresh lifetime",
    );
    assert.equal(await b.verificationKey(first.kid), undefined);
    clock += 60_000;
    assert.deepEqual(
      (await b.jwks()).keys.map((k) => k.kid),
      [second],
    );
  });
});
