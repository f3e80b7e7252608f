// admin's SAML providers against the real service: save (created, then replaced), read, list,
// doctor, health, presets and delete, with the answers checked against /openapi.json.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startService } from "../../server/test/support/service.ts";
import { REDIRECT_URI } from "../../server/test/support/sign-in-fixture.ts";
import { fingerprint, idpCertificate } from "../../server/test/support/idp-metadata.ts";
import { Pipeshub, PipeshubDefaultError } from "../src/index.ts";

test("admin's SAML provider methods: save says created then replaced; get, list, doctor, health, presets, delete", async (t) => {
  const service = await startService(t);
  const { admin } = new Pipeshub({ serverURL: service.url, adminToken: service.app.config.adminToken, retryConfig: { strategy: "none" } });
  const org = await admin.createOrg({ name: "Initech", domains: ["initech.test"] });
  const certificate = idpCertificate();
  const settings = {
    idpEntityId: "https://idp.initech.test/saml",
    idpSsoUrl: "https://idp.initech.test/sso",
    idpCertificates: [certificate],
    redirectUris: [REDIRECT_URI],
  };
  const first = await admin.saveSamlProvider(org.id, "okta", settings);
  assert.deepEqual([first.created, first.identityLinksDropped, first.provider.type], [true, 0, "saml"]);
  assert.deepEqual(
    first.provider.idpCertificates.map((c) => c.fingerprintSha256),
    [fingerprint(certificate)],
  );
  assert.ok(first.provider.acsUrl.endsWith(`/api/v1/saml/${org.id}/okta/acs`));
  const second = await admin.saveSamlProvider(org.id, "okta", { ...settings, enableJit: true });
  assert.deepEqual([second.created, second.provider.enableJit], [false, true]);
  assert.deepEqual(await admin.getSamlProvider(org.id, "okta"), second.provider);
  assert.deepEqual(
    (await admin.listSamlProviders(org.id)).map((p) => p.providerName),
    ["okta"],
  );
  const report = await admin.doctorSamlProvider(org.id, "okta");
  assert.ok(report.findings.some((f) => f.check === "certificate" && f.status === "pass"));
  assert.equal((await admin.getSamlProviderHealth(org.id, "okta", "1h")).attempts, 0);
  assert.ok((await admin.listSamlProviderPresets()).some((p) => p.name === "google-workspace"));

  await assert.rejects(
    admin.putProvider(org.id, "okta", {
      clientId: "c",
      clientSecret: "s3cret-value",
      issuer: "https://idp.initech.test",
      redirectUris: [REDIRECT_URI],
    }),
    (error: unknown) => error instanceof PipeshubDefaultError && error.statusCode === 409 && error.error === "PROVIDER_NAME_TAKEN",
  );
  await admin.deleteSamlProvider(org.id, "okta");
  await assert.rejects(
    admin.getSamlProvider(org.id, "okta"),
    (error: unknown) => error instanceof PipeshubDefaultError && error.statusCode === 404,
  );
});
