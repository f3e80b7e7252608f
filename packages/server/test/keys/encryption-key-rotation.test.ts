import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { buildApp } from "../../src/app.ts";
import { testConfig } from "../../src/config.ts";
import { createSecretBox } from "../../src/keys/secret-box.ts";
import type { DatabaseLocation } from "../../src/store/database.ts";
import { EncryptionKeyMismatchError } from "../../src/store/encryption-key-check.ts";
import { startService } from "../support/service.ts";
import { freshDatabase } from "../support/fresh-database.ts";
import { REDIRECT_URI } from "../support/sign-in-fixture.ts";
import { spawnService, temporaryDataDir } from "../support/spawned-service.ts";

const OLD = Buffer.alloc(32, 0x0a);
const NEW = Buffer.alloc(32, 0x0b);

/** Every sealed value in the database, with the context it is bound to. */
async function sealedValues(database: DatabaseLocation): Promise<{ sealed: string; context: string }[]> {
  const app = await buildApp(testConfig({ database, encryptionKey: NEW, previousEncryptionKeys: [OLD] }));
  try {
    const providers = await app.store.db.selectFrom("providers").select(["id", "client_secret_sealed"]).execute();
    const keys = await app.store.db.selectFrom("signing_keys").select(["kid", "private_jwk_sealed"]).execute();
    return [
      ...providers.map((p) => ({ sealed: p.client_secret_sealed!, context: p.id })),
      ...keys.map((k) => ({ sealed: k.private_jwk_sealed, context: k.kid })),
    ];
  } finally {
    await app.close();
  }
}

for (const kind of ["sqlite", "postgres"] as const) {
  const skip = kind === "postgres" && !process.env.TEST_DATABASE_URL ? "TEST_DATABASE_URL is not set (CI sets it)" : false;
  describe(`ENCRYPTION_KEY checked and rotated (${kind})`, { skip }, () => {
    test("another key is refused at start; a list old+new reads old secrets and writes new ones; reencrypt moves everything onto the new key", async (t) => {
      const database = await freshDatabase(t, kind);
      // Under the old key: a provider with a client secret and a signing key.
      const before = await startService(t, { database, encryptionKey: OLD });
      const org = await before.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme" });
      const okta = `/api/v1/orgs/${org.body.id}/oauth-providers/okta`;
      assert.equal(
        (
          await before.admin("PUT", okta, {
            clientId: "app",
            clientSecret: "old-secret",
            issuer: "https://idp.example.com",
            redirectUris: [REDIRECT_URI],
          })
        ).status,
        201,
      );
      assert.equal((await before.request("GET", "/.well-known/jwks.json")).status, 200);
      await before.app.close();

      await assert.rejects(
        buildApp(testConfig({ database, encryptionKey: NEW })),
        EncryptionKeyMismatchError,
        "the new key alone does not open the old secrets",
      );

      // Both keys, the new one first: old secrets open, new ones are sealed under the new key.
      const rotating = await startService(t, { database, encryptionKey: NEW, previousEncryptionKeys: [OLD] });
      assert.equal((await rotating.app.store.providers.configured(org.body.id, "okta"))?.clientSecret, "old-secret", "an old secret opens");
      const github = `/api/v1/orgs/${org.body.id}/oauth-providers/github`;
      assert.equal(
        (
          await rotating.admin("PUT", github, {
            clientId: "gh",
            clientSecret: "new-secret",
            issuer: "https://idp2.example.com",
            redirectUris: [REDIRECT_URI],
          })
        ).status,
        201,
      );
      const newBox = createSecretBox(NEW);
      const oldBox = createSecretBox(OLD);
      const ghRow = await rotating.app.store.db
        .selectFrom("providers")
        .select(["id", "client_secret_sealed"])
        .where("name", "=", "github")
        .executeTakeFirstOrThrow();
      assert.equal(newBox.open(ghRow.client_secret_sealed!, ghRow.id), "new-secret", "a new secret is sealed under the first key");
      assert.throws(() => oldBox.open(ghRow.client_secret_sealed!, ghRow.id));

      const reencrypt = await rotating.admin<{ reencrypted: number }>("POST", "/api/v1/keys/reencrypt");
      assert.equal(reencrypt.status, 200, reencrypt.text);
      assert.deepEqual(reencrypt.body, { reencrypted: 2 }, "the old client secret and the signing key");
      assert.deepEqual((await rotating.admin("POST", "/api/v1/keys/reencrypt")).body, { reencrypted: 0 }, "nothing left under the old key");
      await rotating.app.close();

      const values = await sealedValues(database);
      assert.equal(values.length, 3);
      for (const { sealed, context } of values) {
        assert.doesNotThrow(() => newBox.open(sealed, context), "the new key alone opens it");
        assert.throws(() => oldBox.open(sealed, context), "the old key alone no longer opens it");
      }
      // The check value was rewritten under the new key: the old key alone is now refused, the new one alone starts.
      await assert.rejects(buildApp(testConfig({ database, encryptionKey: OLD })), EncryptionKeyMismatchError);
      const after = await startService(t, { database, encryptionKey: NEW });
      const jwks = await after.request<{ keys: unknown[] }>("GET", "/.well-known/jwks.json");
      assert.equal(jwks.body.keys.length, 1);
      await after.app.close();
    });
  });
}

describe("a start with another ENCRYPTION_KEY", () => {
  test("refuses with one line naming ENCRYPTION_KEY, exit 2, and starts again with the key list new,old", async (t) => {
    const dataDir = temporaryDataDir(t);
    const env = { DATA_DIR: dataDir, PORT: "0", DEMO: "off", DATABASE_URL: `sqlite:${join(dataDir, "auth.sqlite")}` };
    const first = spawnService(t, { ...env, ENCRYPTION_KEY: OLD.toString("hex") });
    await first.waitFor(/listening on/);
    assert.equal(await first.stop(), 0);

    const wrong = spawnService(t, { ...env, ENCRYPTION_KEY: NEW.toString("hex") });
    await assert.rejects(wrong.waitFor(/listening on/, 120_000), /exited/, "it must not serve");
    assert.equal(await wrong.exited(), 2, wrong.err());
    const lines = wrong.err().trim().split("\n");
    assert.equal(lines.length, 1, wrong.err());
    assert.match(lines[0]!, /^pipeshub-auth: bad configuration: ENCRYPTION_KEY: /);

    const rotating = spawnService(t, { ...env, ENCRYPTION_KEY: `${NEW.toString("hex")},${OLD.toString("base64")}` });
    await rotating.waitFor(/listening on/);
    assert.equal(await rotating.stop(), 0);
  });
});
