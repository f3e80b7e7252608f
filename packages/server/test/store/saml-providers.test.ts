import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import type { ProviderLinking } from "../../src/domain/provider-linking.ts";
import type { ProviderSettings } from "../../src/domain/provider-settings.ts";
import type { SamlProviderSettings } from "../../src/domain/saml-provider.ts";
import { createSecretBox } from "../../src/keys/secret-box.ts";
import { openDatabase } from "../../src/store/database.ts";
import { createStore } from "../../src/store/store.ts";
import { freshDatabase } from "../support/fresh-database.ts";
import { fingerprint, idpCertificate } from "../support/idp-metadata.ts";

const engines = process.env.TEST_DATABASE_URL ? (["sqlite", "postgres"] as const) : (["sqlite"] as const);
const CERT = idpCertificate();
const OPERATOR: ProviderLinking = { identitySettingsSavedBy: "operator", linkExistingUsers: false };
const saml: SamlProviderSettings = {
  providerName: "okta",
  idpEntityId: "https://idp.acme.test/saml",
  idpSsoUrl: "https://idp.acme.test/sso",
  idpCertificates: [CERT],
  redirectUris: ["https://app.acme.test/cb"],
  enableJit: false,
  clockSkewSeconds: 60,
  allowIdpInitiated: false,
  allowSha1: false,
  signAuthnRequests: true,
};
const oauth: ProviderSettings = {
  providerName: "corp",
  clientId: "app",
  issuer: "https://idp.acme.test",
  scope: "openid email profile",
  tokenEndpointAuthMethod: "client_secret_basic",
  redirectUris: ["https://app.acme.test/cb"],
  enableJit: false,
  trustEmail: false,
  requirePkce: false,
};
const keep = { identityLinksSurvive: () => true, linking: () => OPERATOR };
const spKey = { privateKeyPem: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", certificatePem: CERT };

async function storeOn(t: TestContext, engine: "sqlite" | "postgres") {
  const db = await openDatabase(await freshDatabase(t, engine));
  t.after(() => db.destroy());
  return createStore(db, createSecretBox(Buffer.alloc(32, 3)), "https://auth.acme.test");
}

describe("store: SAML providers share the providers table with OAuth ones", () => {
  for (const engine of engines) {
    test(`a SAML provider is stored, viewed with its SP endpoints and certificate fingerprints, its SP key sealed and opened for sign-in (${engine})`, async (t) => {
      const s = await storeOn(t, engine);
      const org = await s.organisations.create("Acme", []);
      const put = await s.samlProviders.put(org.id, saml, { ...keep, spKey: () => spKey });
      assert.ok(put.ok);
      assert.equal(put.value.created, true);
      assert.deepEqual(
        put.value.view.idpCertificates.map((c) => c.fingerprintSha256),
        [fingerprint(CERT)],
      );
      assert.equal(put.value.view.acsUrl, `https://auth.acme.test/api/v1/saml/${org.id}/okta/acs`);
      assert.deepEqual(await s.samlProviders.view(org.id, "okta"), put.value.view);
      assert.deepEqual(
        (await s.samlProviders.list(org.id)).map((p) => p.providerName),
        ["okta"],
      );
      assert.deepEqual(
        (await s.samlProviders.listEverywhere()).map((p) => [p.orgId, p.provider.providerName]),
        [[org.id, "okta"]],
      );

      const configured = await s.samlProviders.configured(org.id, "okta");
      assert.deepEqual(configured?.settings, saml);
      assert.deepEqual(configured?.spKey, spKey);
      assert.equal(configured?.sp.spEntityId, `https://auth.acme.test/api/v1/saml/${org.id}/okta/metadata`);
      const row = await s.db.selectFrom("providers").selectAll().where("name", "=", "okta").executeTakeFirstOrThrow();
      assert.equal(row.protocol, "saml");
      assert.doesNotMatch(String(row.sp_private_key_sealed), /PRIVATE KEY/);

      // A replace keeps the stored key (the IdP has its certificate) and never asks for a new one.
      const again = await s.samlProviders.put(org.id, { ...saml, enableJit: true }, { ...keep, spKey: () => assert.fail("a key is kept") });
      assert.ok(again.ok && !again.value.created);
      assert.deepEqual((await s.samlProviders.configured(org.id, "okta"))?.spKey, spKey);

      assert.equal(
        await s.samlProviders.updateIdp(org.id, "okta", saml, { ...saml, idpSsoUrl: "https://x" }),
        false,
        "not the stored settings",
      );
      const stored = (await s.samlProviders.configured(org.id, "okta"))!.settings;
      assert.equal(await s.samlProviders.updateIdp(org.id, "okta", stored, { ...stored, idpSsoUrl: "https://idp.acme.test/sso2" }), true);
      assert.equal((await s.samlProviders.view(org.id, "okta"))?.idpSsoUrl, "https://idp.acme.test/sso2");

      assert.equal(await s.samlProviders.remove(org.id, "okta"), true);
      assert.equal(await s.samlProviders.configured(org.id, "okta"), undefined);
    });

    test(`the OAuth repository never reads a SAML row, and neither kind saves or removes over the other's name (${engine})`, async (t) => {
      const s = await storeOn(t, engine);
      const org = await s.organisations.create("Acme", []);
      assert.ok((await s.samlProviders.put(org.id, saml, keep)).ok);
      assert.ok((await s.providers.put(org.id, oauth, "s3cret", { identityLinksSurvive: () => true })).ok);
      assert.deepEqual(
        (await s.providers.list(org.id)).map((p) => p.providerName),
        ["corp"],
      );
      assert.deepEqual(
        (await s.providers.listEverywhere()).map((p) => p.provider.providerName),
        ["corp"],
      );
      assert.equal(await s.providers.view(org.id, "okta"), undefined);
      assert.equal(await s.providers.configured(org.id, "okta"), undefined);
      assert.equal(await s.providers.promoteSecret(org.id, "okta"), undefined);
      assert.equal(await s.providers.remove(org.id, "okta"), false);
      assert.equal(await s.samlProviders.view(org.id, "corp"), undefined);
      assert.equal(await s.samlProviders.remove(org.id, "corp"), false);
      assert.deepEqual(
        [await s.samlProviders.protocolOf(org.id, "corp"), await s.samlProviders.protocolOf(org.id, "okta")],
        ["oauth", "saml"],
      );

      const oauthOverSaml = await s.providers.put(org.id, { ...oauth, providerName: "okta" }, "s3cret", {
        identityLinksSurvive: () => true,
      });
      assert.deepEqual(oauthOverSaml.ok ? undefined : oauthOverSaml.error, "PROVIDER_NAME_TAKEN");
      const samlOverOauth = await s.samlProviders.put(org.id, { ...saml, providerName: "corp" }, keep);
      assert.deepEqual(samlOverOauth.ok ? undefined : samlOverOauth.error, "PROVIDER_NAME_TAKEN");
      assert.equal((await s.samlProviders.configured(org.id, "okta"))?.settings.idpEntityId, saml.idpEntityId, "left as it was");
      assert.equal((await s.providers.configured(org.id, "corp"))?.clientSecret, "s3cret", "left as it was");
    });

    test(`an SP key is re-sealed with the other secrets when the encryption key changes (${engine})`, async (t) => {
      const location = await freshDatabase(t, engine);
      const db = await openDatabase(location);
      t.after(() => db.destroy());
      const old = createStore(db, createSecretBox(Buffer.alloc(32, 3)));
      const org = await old.organisations.create("Acme", []);
      assert.ok((await old.samlProviders.put(org.id, saml, { ...keep, spKey: () => spKey })).ok);
      const rotated = createStore(db, createSecretBox(Buffer.alloc(32, 4), [Buffer.alloc(32, 3)]));
      assert.deepEqual(await rotated.sealedSecrets.reencrypt(), { reencrypted: 1 });
      const current = createStore(db, createSecretBox(Buffer.alloc(32, 4)));
      assert.deepEqual((await current.samlProviders.configured(org.id, "okta"))?.spKey, spKey);
    });
  }
});
