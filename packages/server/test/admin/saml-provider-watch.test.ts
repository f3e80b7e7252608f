import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { watchSamlProvidersOnce } from "../../src/admin/saml-provider-watch.ts";
import { createOutboundFetch } from "../../src/oauth/outbound.ts";
import { auditEvents, startService } from "../support/service.ts";
import { daysFromNow, fingerprint, idpCertificate, idpMetadataXml, serveMetadata } from "../support/idp-metadata.ts";

interface Events {
  events: {
    type: string;
    provider: string;
    changes: { field: string; added?: string[]; removed?: string[]; before?: string; after?: string }[];
  }[];
}

const DAY = 86_400_000;
const IDP = { entityId: "https://idp.acme.test/saml", ssoUrl: "https://idp.acme.test/sso" };

async function watched(t: TestContext, certificates: string[]) {
  const service = await startService(t);
  const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
  const orgId = org.body.id;
  let document: string | undefined = idpMetadataXml({ ...IDP, certificates });
  const served = await serveMetadata(t, () => document);
  const saved = await service.admin("PUT", `/api/v1/orgs/${orgId}/saml-providers/okta`, {
    redirectUris: ["https://app.acme.test/cb"],
    idpMetadataUrl: served.url,
  });
  assert.equal(saved.status, 201, saved.text);
  const outbound = createOutboundFetch({ timeoutMs: 5000, maxResponseBytes: 1 << 20, allowInsecureLoopback: true });
  const round = (now = new Date()) => watchSamlProvidersOnce({ ...service.app.store, outbound, now: () => now });
  const publish = (xml: string | undefined) => (document = xml);
  const view = async () =>
    (
      await service.admin<{ idpCertificates: { fingerprintSha256: string }[]; idpSsoUrl: string }>(
        "GET",
        `/api/v1/orgs/${orgId}/saml-providers/okta`,
      )
    ).body;
  const events = async () => (await service.admin<Events>("GET", `/api/v1/orgs/${orgId}/events`)).body.events;
  return { service, orgId, round, publish, view, events };
}

describe("the provider watch over SAML providers", () => {
  test("a certificate published beside the old one is taken without anyone saving (rollover), and recorded as provider.changed", async (t) => {
    const old = idpCertificate({ commonName: "2026" });
    const next = idpCertificate({ commonName: "2027" });
    const w = await watched(t, [old]);
    assert.deepEqual(await w.round(), { checked: 1, changed: 0, unreadable: [] }, "unchanged metadata: nothing to record");
    w.publish(idpMetadataXml({ ...IDP, certificates: [old, next] }));
    assert.deepEqual(await w.round(), { checked: 1, changed: 1, unreadable: [] });
    assert.deepEqual(
      (await w.view()).idpCertificates.map((c) => c.fingerprintSha256),
      [fingerprint(old), fingerprint(next)],
    );
    const [event] = await w.events();
    assert.equal(event!.type, "provider.changed");
    assert.deepEqual(event!.changes, [{ field: "keys", added: [fingerprint(next)], removed: [] }]);

    // The IdP drops the old certificate: recorded; the stored one stays until it expires.
    w.publish(idpMetadataXml({ ...IDP, certificates: [next] }));
    assert.equal((await w.round()).changed, 1);
    assert.deepEqual((await w.events())[0]!.changes, [{ field: "keys", added: [], removed: [fingerprint(old)] }]);
    assert.equal((await w.view()).idpCertificates.length, 2);
    assert.equal((await w.round()).changed, 0, "recorded once");
  });

  test("another SSO URL or entity ID is recorded, never taken: they are identity settings an admin saves", async (t) => {
    const certificate = idpCertificate();
    const w = await watched(t, [certificate]);
    w.publish(
      idpMetadataXml({ entityId: "https://other.acme.test/saml", ssoUrl: "https://idp.acme.test/sso2", certificates: [certificate] }),
    );
    assert.equal((await w.round()).changed, 1);
    assert.deepEqual((await w.events())[0]!.changes, [
      { field: "issuer", before: IDP.entityId, after: "https://other.acme.test/saml" },
      { field: "authorizationEndpoint", before: IDP.ssoUrl, after: "https://idp.acme.test/sso2" },
    ]);
    assert.equal((await w.view()).idpSsoUrl, IDP.ssoUrl);
    w.publish(undefined);
    const unreadable = await w.round();
    assert.deepEqual([unreadable.checked, unreadable.unreadable.map((u) => u.reason)], [0, ["INVALID_PROVIDER_SETTINGS"]]);
  });

  test("provider.certificate_expiring is recorded at 30, 7 and 1 days before expiry, once each", async (t) => {
    const expiring = idpCertificate({ notAfter: daysFromNow(40) });
    const w = await watched(t, [expiring]);
    const at = (days: number) => new Date(Date.now() + days * DAY);
    const alerts = async () => (await auditEvents(w.service, w.orgId, "provider.certificate_expiring")).map((r) => r.changes![0]);
    await w.round(at(5)); // 35 days left
    assert.deepEqual(await alerts(), []);
    await w.round(at(11)); // 29 days left
    await w.round(at(12));
    await w.round(at(34)); // 6 days left
    await w.round(at(39.5)); // under a day left
    await w.round(at(39.6));
    const recorded = await alerts();
    assert.equal(recorded.length, 3, JSON.stringify(recorded));
    assert.deepEqual(
      recorded.map((c) => ("after" in c! ? String(c.after).replace(/.*\(in (\d+) days\)/, "$1") : "")),
      ["28", "5", "0"],
    );
    assert.ok(recorded.every((c) => "before" in c! && c.before === fingerprint(expiring)));
  });
});
