import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { assertAuthError, auditEvents, requestAs, type RunningService, startService } from "../support/service.ts";
import { fingerprint, idpCertificate, idpMetadataXml, serveMetadata } from "../support/idp-metadata.ts";

interface SamlView {
  type: string;
  providerName: string;
  idpMetadataUrl?: string;
  idpEntityId: string;
  idpSsoUrl: string;
  idpCertificates: { fingerprintSha256: string; notAfter: string }[];
  spEntityId: string;
  acsUrl: string;
  spMetadataUrl: string;
  clockSkewSeconds: number;
  allowIdpInitiated: boolean;
  allowSha1: boolean;
  signAuthnRequests: boolean;
  identitySettingsSavedBy: string;
  linkExistingUsers: boolean;
  identityLinksDropped?: number;
}

const REDIRECT = { redirectUris: ["https://app.acme.test/callback"] };
const CERT = idpCertificate({ commonName: "Acme IdP" });
const NEXT_CERT = idpCertificate({ commonName: "Acme IdP 2027" });
const direct = (entityId = "https://idp.acme.test/saml", certificates = [CERT]) => ({
  ...REDIRECT,
  idpEntityId: entityId,
  idpSsoUrl: "https://idp.acme.test/sso",
  idpCertificates: certificates,
});

async function organisation(t: TestContext, overrides = {}) {
  const service = await startService(t, overrides);
  const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
  const path = (name: string) => `/api/v1/orgs/${org.body.id}/saml-providers/${name}`;
  return { service, orgId: org.body.id, path };
}

const put = (service: RunningService, path: string, body: unknown) => service.admin<SamlView>("PUT", path, body);

describe("SAML providers: configure through the admin API", () => {
  test("from a metadata URL (read through the outbound guard): the IdP's values, the SP values to register, the certificates by fingerprint", async (t) => {
    const { service, orgId, path } = await organisation(t);
    const served = await serveMetadata(t, () =>
      idpMetadataXml({ entityId: "https://idp.acme.test/saml", ssoUrl: "https://idp.acme.test/sso", certificates: [CERT] }),
    );
    const saved = await put(service, path("okta"), { ...REDIRECT, idpMetadataUrl: served.url });
    assert.equal(saved.status, 201, saved.text);
    assert.equal(served.requests(), 1);
    const base = `${service.app.config.publicUrl}/api/v1/saml/${orgId}/okta`;
    assert.deepEqual(
      { ...saved.body, idpCertificates: saved.body.idpCertificates.map((c) => c.fingerprintSha256) },
      {
        ...saved.body,
        type: "saml",
        providerName: "okta",
        idpMetadataUrl: served.url,
        idpEntityId: "https://idp.acme.test/saml",
        idpSsoUrl: "https://idp.acme.test/sso",
        idpCertificates: [fingerprint(CERT)],
        spEntityId: `${base}/metadata`,
        acsUrl: `${base}/acs`,
        spMetadataUrl: `${base}/metadata`,
        clockSkewSeconds: 60,
        allowIdpInitiated: false,
        allowSha1: false,
        signAuthnRequests: false,
        identitySettingsSavedBy: "operator",
        identityLinksDropped: 0,
      },
    );
    assert.match(saved.body.idpCertificates[0]!.notAfter, /^\d{4}-\d\d-\d\dT/);
    assert.equal(JSON.stringify(saved.body).includes("BEGIN CERTIFICATE"), false, "the view shows fingerprints, not certificates");

    const got = await service.admin<SamlView>("GET", path("okta"));
    const { identityLinksDropped: _dropped, ...view } = saved.body;
    assert.deepEqual(got.body, view);
    const listed = await service.admin<SamlView[]>("GET", `/api/v1/orgs/${orgId}/saml-providers`);
    assert.deepEqual(
      listed.body.map((p) => p.providerName),
      ["okta"],
    );
    const [created] = await auditEvents(service, orgId, "provider.created");
    assert.equal(created!.provider, "okta");
    assert.deepEqual(
      created!.changes!.find((c) => c.field === "idpCertificates"),
      { field: "idpCertificates", before: null, after: [fingerprint(CERT)] },
      "certificates are recorded as fingerprints",
    );

    assert.equal((await service.admin("DELETE", path("okta"))).status, 204);
    assertAuthError(await service.admin("GET", path("okta")), 404, "NOT_FOUND");
    assertAuthError(await service.admin("DELETE", path("okta")), 404, "NOT_FOUND");
    assert.equal((await auditEvents(service, orgId, "provider.deleted")).length, 1);
  });

  test("from pasted metadata XML, and from the values themselves; several certificates for a rollover", async (t) => {
    const { service, path } = await organisation(t);
    const xml = idpMetadataXml({ entityId: "urn:acme:idp", ssoUrl: "https://idp.acme.test/sso", certificates: [CERT, NEXT_CERT] });
    const fromXml = await put(service, path("adfs"), { ...REDIRECT, idpMetadataXml: xml });
    assert.equal(fromXml.status, 201, fromXml.text);
    assert.equal(fromXml.body.idpEntityId, "urn:acme:idp");
    assert.equal(fromXml.body.idpMetadataUrl, undefined);
    assert.deepEqual(
      fromXml.body.idpCertificates.map((c) => c.fingerprintSha256),
      [fingerprint(CERT), fingerprint(NEXT_CERT)],
    );

    const fromValues = await put(service, path("google"), { ...direct(), clockSkewSeconds: 0, allowIdpInitiated: true });
    assert.equal(fromValues.status, 201, fromValues.text);
    assert.equal(fromValues.body.clockSkewSeconds, 0);
    assert.equal(fromValues.body.allowIdpInitiated, true);
    // A bare base64 body is a certificate too, and the same certificate twice is kept once.
    const bare = CERT.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, "");
    const rolled = await put(service, path("google"), direct("https://idp.acme.test/saml", [bare, CERT, NEXT_CERT]));
    assert.equal(rolled.status, 200, rolled.text);
    assert.deepEqual(
      rolled.body.idpCertificates.map((c) => c.fingerprintSha256),
      [fingerprint(CERT), fingerprint(NEXT_CERT)],
    );
    assert.equal(rolled.body.identityLinksDropped, 0);
  });

  test("one name, one provider: a name an OAuth provider holds is 409 PROVIDER_NAME_TAKEN for SAML, and the reverse; each kind's API sees only its own", async (t) => {
    const { service, orgId, path } = await organisation(t);
    const oauth = { clientId: "c", clientSecret: "s3cret-value-0123", issuer: "https://idp.acme.test", ...REDIRECT };
    assert.equal((await service.admin("PUT", `/api/v1/orgs/${orgId}/oauth-providers/corp`, oauth)).status, 201);
    const samlOverOauth = assertAuthError(await put(service, path("corp"), direct()), 409, "PROVIDER_NAME_TAKEN");
    assert.match(samlOverOauth.message, /already has a OAuth provider named "corp"/);

    assert.equal((await put(service, path("saml-corp"), direct())).status, 201);
    const oauthOverSaml = assertAuthError(
      await service.admin("PUT", `/api/v1/orgs/${orgId}/oauth-providers/saml-corp`, oauth),
      409,
      "PROVIDER_NAME_TAKEN",
    );
    assert.match(oauthOverSaml.message, /already has a SAML provider named "saml-corp"/);

    const oauthList = await service.admin<{ providerName: string }[]>("GET", `/api/v1/orgs/${orgId}/oauth-providers`);
    assert.deepEqual(
      oauthList.body.map((p) => p.providerName),
      ["corp"],
    );
    assertAuthError(await service.admin("GET", `/api/v1/orgs/${orgId}/oauth-providers/saml-corp`), 404, "NOT_FOUND");
    assertAuthError(await service.admin("DELETE", `/api/v1/orgs/${orgId}/oauth-providers/saml-corp`), 404, "NOT_FOUND");
    assertAuthError(await service.admin("GET", path("corp")), 404, "NOT_FOUND");
    assertAuthError(await service.admin("DELETE", path("corp")), 404, "NOT_FOUND");
    assert.equal((await service.admin("GET", path("saml-corp"))).status, 200, "the OAuth API's delete left the SAML provider");
    const samlList = await service.admin<SamlView[]>("GET", `/api/v1/orgs/${orgId}/saml-providers`);
    assert.deepEqual(
      samlList.body.map((p) => p.providerName),
      ["saml-corp"],
    );
  });

  test("the SP metadata is public XML naming the entity ID and ACS; with signAuthnRequests it carries the SP certificate, kept across saves", async (t) => {
    const { service, orgId, path } = await organisation(t);
    const saved = await put(service, path("entra"), direct());
    const metadata = await fetch(saved.body.spMetadataUrl.replace(service.app.config.publicUrl, service.url));
    assert.equal(metadata.status, 200);
    assert.equal(metadata.headers.get("content-type"), "application/samlmetadata+xml");
    const xml = await metadata.text();
    assert.match(xml, new RegExp(`entityID="${saved.body.spEntityId}"`));
    assert.match(xml, new RegExp(`Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${saved.body.acsUrl}"`));
    assert.match(xml, /nameid-format:persistent/);
    assert.match(xml, /AuthnRequestsSigned="false" WantAssertionsSigned="true"/);
    assert.doesNotMatch(xml, /X509Certificate/);

    await put(service, path("entra"), { ...direct(), signAuthnRequests: true });
    const signing = await (await fetch(`${service.url}/api/v1/saml/${orgId}/entra/metadata`)).text();
    assert.match(signing, /AuthnRequestsSigned="true"/);
    const spCertificate = /<ds:X509Certificate>([^<]+)</.exec(signing)?.[1];
    assert.ok(spCertificate, signing);
    await put(service, path("entra"), { ...direct(), signAuthnRequests: true, enableJit: true });
    const again = await (await fetch(`${service.url}/api/v1/saml/${orgId}/entra/metadata`)).text();
    assert.equal(/<ds:X509Certificate>([^<]+)</.exec(again)?.[1], spCertificate, "the IdP's copy of the SP certificate stays good");
    const configured = await service.app.store.samlProviders.configured(orgId, "entra");
    assert.match(configured!.spKey!.privateKeyPem, /BEGIN RSA PRIVATE KEY/);
    const row = await service.app.store.db.selectFrom("providers").selectAll().where("name", "=", "entra").executeTakeFirstOrThrow();
    assert.doesNotMatch(String(row.sp_private_key_sealed), /PRIVATE KEY/, "the SP private key is stored sealed");

    const unknown = await service.request("GET", `/api/v1/saml/${orgId}/nope/metadata`);
    assertAuthError(unknown, 404, "NOT_FOUND");
    const oauthName = await service.admin("PUT", `/api/v1/orgs/${orgId}/oauth-providers/corp`, {
      clientId: "c",
      clientSecret: "s3cret-value-0123",
      issuer: "https://idp.acme.test",
      ...REDIRECT,
    });
    assert.equal(oauthName.status, 201);
    assertAuthError(await service.request("GET", `/api/v1/saml/${orgId}/corp/metadata`), 404, "NOT_FOUND");
  });

  test("bad input: each with its own clear error", async (t) => {
    const { service, path } = await organisation(t, { allowInsecureLoopbackProviders: false });
    const cases: [string, unknown, number, string, RegExp][] = [
      ["no IdP values", { ...REDIRECT }, 400, "INVALID_PROVIDER_SETTINGS", /give the IdP's values: idpMetadataUrl, or idpMetadataXml/],
      ["two sources", { ...direct(), idpMetadataUrl: "https://idp.acme.test/metadata" }, 400, "INVALID_PROVIDER_SETTINGS", /one way only/],
      [
        "values without certificates",
        { ...REDIRECT, idpEntityId: "x", idpSsoUrl: "https://idp.acme.test/sso" },
        400,
        "INVALID_PROVIDER_SETTINGS",
        /missing: idpCertificates/,
      ],
      ["not a certificate", direct("x", ["hello"]), 400, "INVALID_PROVIDER_SETTINGS", /idpCertificates\[0\] is not an X\.509 certificate/],
      [
        "plain http SSO URL",
        { ...direct(), idpSsoUrl: "http://idp.acme.test/sso" },
        400,
        "INVALID_PROVIDER_SETTINGS",
        /idpSsoUrl must use https/,
      ],
      [
        "SSO URL at a private address",
        { ...direct(), idpSsoUrl: "https://10.0.0.8/sso" },
        400,
        "INVALID_PROVIDER_SETTINGS",
        /idpSsoUrl must not point at a private/,
      ],
      [
        "metadata URL at link-local (cloud metadata)",
        { ...REDIRECT, idpMetadataUrl: "https://169.254.169.254/metadata" },
        400,
        "INVALID_PROVIDER_SETTINGS",
        /idpMetadataUrl must not point at a private/,
      ],
      ["no redirect URI", { ...direct(), redirectUris: [] }, 400, "INVALID_PROVIDER_SETTINGS", /at least one redirect URI/],
      ["clock skew out of range", { ...direct(), clockSkewSeconds: 601 }, 400, "VALIDATION_ERROR", /clockSkewSeconds/],
      ["an attribute that is no name", { ...direct(), emailAttribute: "mail address" }, 400, "VALIDATION_ERROR", /emailAttribute/],
      ["an unknown field", { ...direct(), clientId: "x" }, 400, "VALIDATION_ERROR", /clientId|additional/i],
      [
        "metadata with a DOCTYPE",
        { ...REDIRECT, idpMetadataXml: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>' },
        400,
        "INVALID_PROVIDER_SETTINGS",
        /DOCTYPE or entities/,
      ],
      [
        "metadata that is not XML",
        { ...REDIRECT, idpMetadataXml: "<md:EntityDescriptor" },
        400,
        "INVALID_PROVIDER_SETTINGS",
        /not well-formed/,
      ],
      [
        "metadata of no IdP",
        { ...REDIRECT, idpMetadataXml: '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>' },
        400,
        "INVALID_PROVIDER_SETTINGS",
        /no IDPSSODescriptor/,
      ],
      [
        "metadata without the HTTP-Redirect binding",
        {
          ...REDIRECT,
          idpMetadataXml: idpMetadataXml({
            entityId: "x",
            ssoUrl: "https://idp.acme.test/sso",
            certificates: [CERT],
            ssoBinding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
          }),
        },
        400,
        "INVALID_PROVIDER_SETTINGS",
        /no SingleSignOnService with the HTTP-Redirect binding/,
      ],
      [
        "metadata without a signing certificate",
        { ...REDIRECT, idpMetadataXml: idpMetadataXml({ entityId: "x", ssoUrl: "https://idp.acme.test/sso", certificates: [] }) },
        400,
        "INVALID_PROVIDER_SETTINGS",
        /no signing certificate/,
      ],
    ];
    for (const [what, body, status, error, message] of cases) {
      const answer = assertAuthError(await put(service, path("idp"), body), status, error);
      assert.match(answer.message, message, what);
    }
    assertAuthError(await put(service, "/api/v1/orgs/no-such-org/saml-providers/idp", direct()), 404, "ORG_NOT_FOUND");
  });

  test("a metadata URL that answers 404, or cannot be reached, is refused at save with what happened", async (t) => {
    const { service, path } = await organisation(t);
    const served = await serveMetadata(t, () => undefined);
    const missing = assertAuthError(
      await put(service, path("idp"), { ...REDIRECT, idpMetadataUrl: served.url }),
      400,
      "INVALID_PROVIDER_SETTINGS",
    );
    assert.match(missing.message, /idpMetadataUrl answered HTTP 404/);
    const closed = assertAuthError(
      await put(service, path("idp"), { ...REDIRECT, idpMetadataUrl: "http://127.0.0.1:9/metadata" }),
      502,
      "PROVIDER_UNAVAILABLE",
    );
    assert.match(closed.message, /could not be reached during reading its metadata/);
  });
});

describe("SAML providers: the delegation rules", () => {
  async function setupSession(service: RunningService, orgId: string) {
    const link = await service.admin<{ token: string }>("POST", `/api/v1/orgs/${orgId}/setup-links`, {});
    const session = await service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
    return session.body.sessionToken;
  }

  test("a setup session configures its organisation's SAML providers as a delegated admin; linkExistingUsers stays the operator's", async (t) => {
    const { service, orgId, path } = await organisation(t);
    const token = await setupSession(service, orgId);
    const saved = await requestAs(service, token, "PUT", path("okta"), direct());
    assert.equal(saved.status, 201, saved.text);
    assert.equal(saved.body.identitySettingsSavedBy, "delegated");
    assert.equal((await requestAs(service, token, "GET", `/api/v1/orgs/${orgId}/saml-providers`)).status, 200);
    assert.equal((await requestAs(service, token, "GET", "/api/v1/saml-provider-presets")).status, 200);
    assertAuthError(await requestAs(service, token, "PUT", path("okta"), { ...direct(), linkExistingUsers: true }), 403, "FORBIDDEN");

    const other = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Other", domains: ["other.test"] });
    assertAuthError(
      await requestAs(service, token, "PUT", `/api/v1/orgs/${other.body.id}/saml-providers/okta`, direct()),
      403,
      "FORBIDDEN",
    );
  });

  test("the operator's save marks the identity settings the operator's; a delegated change of the IdP or certificates takes that back, other changes keep it", async (t) => {
    const { service, orgId, path } = await organisation(t);
    const operator = await put(service, path("okta"), { ...direct(), linkExistingUsers: true });
    assert.deepEqual([operator.body.identitySettingsSavedBy, operator.body.linkExistingUsers], ["operator", true]);
    const token = await setupSession(service, orgId);
    const harmless = await requestAs(service, token, "PUT", path("okta"), { ...direct(), enableJit: true, clockSkewSeconds: 30 });
    assert.deepEqual([harmless.body.identitySettingsSavedBy, harmless.body.linkExistingUsers], ["operator", true]);
    for (const change of [
      { idpCertificates: [CERT, NEXT_CERT] },
      { idpSsoUrl: "https://other.acme.test/sso" },
      { idpEntityId: "https://other.acme.test/saml" },
      { emailAttribute: "mail" },
    ]) {
      await put(service, path("okta"), { ...direct(), linkExistingUsers: true });
      const changed = await requestAs(service, token, "PUT", path("okta"), { ...direct(), ...change });
      assert.deepEqual(
        [changed.body.identitySettingsSavedBy, changed.body.linkExistingUsers],
        ["delegated", false],
        JSON.stringify(change),
      );
    }
  });

  test("another IdP entity ID drops the provider's identity links (and says how many); a new certificate does not", async (t) => {
    const { service, orgId, path } = await organisation(t);
    await put(service, path("okta"), direct());
    const provider = await service.app.store.samlProviders.configured(orgId, "okta");
    const linked = await service.app.store.links.provisionAndLink(orgId, provider!.id, "persistent-id-1", "jane@acme.test", null);
    assert.equal(linked.kind, "linked");
    const rolled = await put(service, path("okta"), direct("https://idp.acme.test/saml", [NEXT_CERT]));
    assert.equal(rolled.body.identityLinksDropped, 0);
    const moved = await put(service, path("okta"), direct("https://new-idp.acme.test/saml", [NEXT_CERT]));
    assert.equal(moved.body.identityLinksDropped, 1);
    assert.equal(await service.app.store.links.userFor(provider!.id, "persistent-id-1"), undefined);
    const [unlinked] = await auditEvents(service, orgId, "identity.unlinked");
    assert.equal(unlinked!.provider, "okta");
  });
});
