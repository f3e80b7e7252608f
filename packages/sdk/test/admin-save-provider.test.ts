// admin.saveProvider against the real service: the PUT of putProvider, also telling whether
// the provider was created (201) or replaced (200), which a person is told by the CLI.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startService } from "../../server/test/support/service.ts";
import { REDIRECT_URI } from "../../server/test/support/sign-in-fixture.ts";
import { Pipeshub } from "../src/index.ts";

test("admin.saveProvider says created, then replaced; the settings it returns are putProvider's", async (t) => {
  const service = await startService(t);
  const { admin } = new Pipeshub({ serverURL: service.url, adminToken: service.app.config.adminToken, retryConfig: { strategy: "none" } });
  const org = await admin.createOrg({ name: "Initech", domains: ["initech.test"] });
  // A preset: nothing is fetched from the provider when saved.
  const settings = {
    preset: "okta",
    presetOptions: { domain: "initech.okta.com" },
    clientId: "0oa9",
    clientSecret: "s3cret-value",
    redirectUris: [REDIRECT_URI],
    emailVerifiedClaim: "email_verified",
  };

  const first = await admin.saveProvider(org.id, "okta", settings);
  assert.equal(first.created, true);
  assert.equal(first.provider.providerName, "okta");
  assert.equal(first.provider.clientSecretSet, true);
  assert.equal(first.provider.emailVerifiedClaim, "email_verified");
  assert.equal(first.identityLinksDropped, 0);
  assert.equal(first.provider.identitySettingsSavedBy, "operator", "saved with the admin token");
  assert.equal(first.provider.linkExistingUsers, false);
  assert.ok(!("identityLinksDropped" in first.provider), "the count is the save's, not the provider's");

  const { clientSecret: _kept, ...withoutSecret } = settings;
  const second = await admin.saveProvider(org.id, "okta", { ...withoutSecret, enableJit: true });
  assert.equal(second.created, false);
  assert.equal(second.provider.enableJit, true);
  assert.equal(second.provider.clientSecretSet, true, "a replace without a secret keeps the stored one");
  assert.deepEqual(await admin.putProvider(org.id, "okta", { ...withoutSecret, enableJit: true }), await admin.getProvider(org.id, "okta"));
});
