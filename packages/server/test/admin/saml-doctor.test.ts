import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { assertAuthError, requestAs, startService } from "../support/service.ts";
import { daysFromNow, fingerprint, idpCertificate, idpMetadataXml, serveMetadata } from "../support/idp-metadata.ts";

interface Finding {
  check: string;
  status: "pass" | "warn" | "fail";
  message: string;
  fix?: string;
}

const REDIRECT = { redirectUris: ["https://app.acme.test/callback"] };
const VALID = idpCertificate({ commonName: "valid" });
const EXPIRING = idpCertificate({ commonName: "expiring", notAfter: daysFromNow(10) });
const EXPIRED = idpCertificate({ commonName: "expired", notBefore: daysFromNow(-400), notAfter: daysFromNow(-2) });
const IDP = { entityId: "https://idp.acme.test/saml", ssoUrl: "https://idp.acme.test/sso" };

async function organisation(t: TestContext) {
  const service = await startService(t);
  const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
  const path = (name: string, rest = "") => `/api/v1/orgs/${org.body.id}/saml-providers/${name}${rest}`;
  const doctor = async (name: string) => {
    const report = await service.admin<{ findings: Finding[] }>("POST", path(name, "/doctor"));
    assert.equal(report.status, 200, report.text);
    return report.body.findings;
  };
  return { service, orgId: org.body.id, path, doctor };
}

const byCheck = (findings: Finding[], check: string) => findings.filter((f) => f.check === check);

describe("the SAML provider doctor", () => {
  test("each certificate's validity and days to expiry: pass, warn under 30 days, fail once expired, each by fingerprint with what to do", async (t) => {
    const { service, path, doctor } = await organisation(t);
    let document = idpMetadataXml({ ...IDP, certificates: [VALID, EXPIRING, EXPIRED] });
    const served = await serveMetadata(t, () => document);
    assert.equal((await service.admin("PUT", path("okta"), { ...REDIRECT, idpMetadataUrl: served.url })).status, 201);
    const findings = await doctor("okta");
    const certificates = byCheck(findings, "certificate");
    assert.deepEqual(
      certificates.map((f) => f.status),
      ["pass", "warn", "fail"],
    );
    assert.match(certificates[0]!.message, new RegExp(`${fingerprint(VALID)} is valid until .* \\((36[45]) days\\)`));
    assert.match(certificates[1]!.message, new RegExp(`${fingerprint(EXPIRING)} expires .*, in [89] days`));
    assert.match(certificates[2]!.message, new RegExp(`${fingerprint(EXPIRED)} expired .* \\([23] days ago\\)`));
    assert.match(certificates[2]!.fix!, /current signing certificate/);
    assert.deepEqual(
      byCheck(findings, "metadata").map((f) => f.status),
      ["pass"],
    );
    assert.deepEqual(byCheck(findings, "entity-id")[0]!.message, `Responses must come from the entity ID ${IDP.entityId}.`);
    assert.deepEqual(
      byCheck(findings, "sso-url").map((f) => f.status),
      ["pass"],
    );
    const sp = byCheck(findings, "service-provider")[0]!;
    const view = (await service.admin<{ spEntityId: string; acsUrl: string }>("GET", path("okta"))).body;
    assert.ok(sp.message.includes(view.acsUrl) && sp.message.includes(view.spEntityId), sp.message);
    assert.match(sp.message, /persistent NameID/);

    // The metadata moves on: the doctor says what differs from what is stored.
    document = idpMetadataXml({ ...IDP, ssoUrl: "https://idp.acme.test/sso2", certificates: [VALID] });
    const changed = byCheck(await doctor("okta"), "metadata")[0]!;
    assert.equal(changed.status, "warn");
    assert.match(changed.message, /SSO URL https:\/\/idp\.acme\.test\/sso2 \(stored: https:\/\/idp\.acme\.test\/sso\); other certificates/);
    document = "<not-xml";
    const broken = byCheck(await doctor("okta"), "metadata")[0]!;
    assert.deepEqual([broken.status, /not well-formed/.test(broken.message)], ["fail", true]);
  });

  test("metadata the IdP no longer serves fails; an IdP advertising only SHA-1 fails unless allowSha1", async (t) => {
    const { service, path, doctor } = await organisation(t);
    let document: string | undefined = idpMetadataXml({
      ...IDP,
      certificates: [VALID],
      signingMethods: ["http://www.w3.org/2000/09/xmldsig#rsa-sha1"],
    });
    const served = await serveMetadata(t, () => document);
    await service.admin("PUT", path("adfs"), { ...REDIRECT, idpMetadataUrl: served.url });
    const sha1 = byCheck(await doctor("adfs"), "signature-algorithm")[0]!;
    assert.deepEqual([sha1.status, /only SHA-1/.test(sha1.message)], ["fail", true], sha1.message);
    assert.match(sha1.fix!, /set `allowSha1` here/, "the API reads the setting's name");
    // The console reads the same fix naming its own field, as plain text.
    const opened = await service.request("POST", "/admin/session", { token: service.app.config.adminToken });
    const asConsole = { cookie: opened.headers.get("set-cookie")!.split(";")[0]!, "x-pipeshub-console": "1" };
    const inConsole = await service.request<{ findings: Finding[] }>("POST", path("adfs", "/doctor"), undefined, asConsole);
    assert.equal(inConsole.status, 200, inConsole.text);
    const sha1InConsole = byCheck(inConsole.body.findings, "signature-algorithm")[0]!;
    assert.match(sha1InConsole.fix!, /turn on Providers › adfs › Allow SHA-1/);
    assert.doesNotMatch(sha1InConsole.fix!, /`|allowSha1|\/api\//);
    await service.admin("PUT", path("adfs"), { ...REDIRECT, idpMetadataUrl: served.url, allowSha1: true });
    assert.equal(byCheck(await doctor("adfs"), "signature-algorithm")[0]!.status, "pass");

    document = undefined;
    const gone = byCheck(await doctor("adfs"), "metadata")[0]!;
    assert.deepEqual([gone.status, /answered HTTP 404/.test(gone.message)], ["fail", true], gone.message);
  });

  test("a provider given by its values has no metadata check; unknown providers and OAuth names are 404", async (t) => {
    const { service, orgId, path, doctor } = await organisation(t);
    await service.admin("PUT", path("google"), { ...REDIRECT, idpEntityId: IDP.entityId, idpSsoUrl: IDP.ssoUrl, idpCertificates: [VALID] });
    const findings = await doctor("google");
    assert.deepEqual(byCheck(findings, "metadata"), []);
    assert.deepEqual(
      findings.map((f) => f.status).filter((s) => s !== "pass"),
      [],
    );
    assertAuthError(await service.admin("POST", path("nope", "/doctor")), 404, "NOT_FOUND");
    await service.admin("PUT", `/api/v1/orgs/${orgId}/oauth-providers/corp`, {
      clientId: "c",
      clientSecret: "s3cret-value-0123",
      issuer: "https://idp.acme.test",
      ...REDIRECT,
    });
    assertAuthError(await service.admin("POST", path("corp", "/doctor")), 404, "NOT_FOUND");
  });
});

describe("a SAML provider's health", () => {
  test("counts the audit records by the provider's name, as an OAuth provider's; 404 for a name that is no SAML provider; a setup session may read it", async (t) => {
    const { service, orgId, path } = await organisation(t);
    await service.admin("PUT", path("okta"), { ...REDIRECT, idpEntityId: IDP.entityId, idpSsoUrl: IDP.ssoUrl, idpCertificates: [VALID] });
    await service.app.store.audit.record({
      orgId,
      userId: null,
      email: "jane@acme.test",
      provider: "okta",
      event: "oauth.exchange",
      outcome: "failure",
      error: "EMAIL_MISMATCH",
      ip: null,
    });
    const health = await service.admin<{ attempts: number; failures: Record<string, number>; lastFailure: { reason: string } }>(
      "GET",
      path("okta", "/health?window=1h"),
    );
    assert.equal(health.status, 200, health.text);
    assert.deepEqual(
      [health.body.attempts, health.body.failures, health.body.lastFailure.reason],
      [1, { EMAIL_MISMATCH: 1 }, "EMAIL_MISMATCH"],
    );
    assertAuthError(await service.admin("GET", path("nope", "/health")), 404, "NOT_FOUND");

    const link = await service.admin<{ token: string }>("POST", `/api/v1/orgs/${orgId}/setup-links`, {});
    const session = await service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
    assert.equal((await requestAs(service, session.body.sessionToken, "GET", path("okta", "/health"))).status, 200);
    assert.equal((await requestAs(service, session.body.sessionToken, "POST", path("okta", "/doctor"))).status, 200);
  });
});

describe("a delegated admin pointing a SAML provider's metadata anywhere", () => {
  test("reads a failure to connect as one answer, without its cause, at save and in the doctor; the operator reads the cause", async (t) => {
    const { service, orgId, path } = await organisation(t);
    const link = await service.admin<{ token: string }>("POST", `/api/v1/orgs/${orgId}/setup-links`, {});
    const session = (await service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token })).body;
    const closed = { ...REDIRECT, idpMetadataUrl: "http://127.0.0.1:9/metadata" };
    const delegated = assertAuthError(
      await requestAs(service, session.sessionToken, "PUT", path("scan"), closed),
      502,
      "PROVIDER_UNAVAILABLE",
    );
    assert.equal(delegated.message, "Could not connect to the provider.");
    const operator = assertAuthError(await service.admin("PUT", path("scan"), closed), 502, "PROVIDER_UNAVAILABLE");
    assert.match(operator.message, /could not be reached during reading its metadata/);

    // Saved while reachable, then gone: the doctor's finding for the delegated admin has no cause either.
    let up = true;
    const served = await serveMetadata(t, () => (up ? idpMetadataXml({ ...IDP, certificates: [VALID] }) : undefined));
    assert.equal((await service.admin("PUT", path("okta"), { ...REDIRECT, idpMetadataUrl: served.url })).status, 201);
    const stored = await service.app.store.samlProviders.configured(orgId, "okta");
    await service.app.store.samlProviders.updateIdp(orgId, "okta", stored!.settings, {
      ...stored!.settings,
      idpMetadataUrl: "http://127.0.0.1:9/metadata",
    });
    up = false;
    const report = await requestAs(service, session.sessionToken, "POST", path("okta", "/doctor"));
    const finding = (report.body as { findings: Finding[] }).findings.find((f) => f.check === "metadata")!;
    assert.equal(finding.message, "Reading the metadata: Could not connect to the provider.");
  });
});
