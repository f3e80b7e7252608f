import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertAuthError, auditEvents, requestAs, type RunningService, startService } from "../support/service.ts";
import { REDIRECT_URI, signInFixture } from "../support/sign-in-fixture.ts";

interface Link {
  id: string;
  url: string;
  token: string;
  expiresAt: string;
  usedAt: string | null;
  revokedAt: string | null;
}

async function newLink(service: RunningService, orgId: string, expiresInHours?: number) {
  const link = await service.admin<Link>("POST", `/api/v1/orgs/${orgId}/setup-links`, expiresInHours ? { expiresInHours } : {});
  assert.equal(link.status, 201, link.text);
  return link.body;
}

const redeem = (service: RunningService, token: string) =>
  service.request<{ sessionToken: string; orgId: string; expiresAt: string }>("POST", "/api/v1/setup-sessions", { token });

describe("setup links: one organisation's providers, for its IT admin, once", () => {
  test("a link works once, for its organisation's providers and audit trail only; its writes and refusals are audited, its reads not", async (t) => {
    const f = await signInFixture(t);
    const other = await f.service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Initech", domains: ["initech.test"] });
    const link = await newLink(f.service, f.orgId, 2);
    assert.equal(link.url, `${f.service.app.config.publicUrl}/admin/setup#${link.token}`, "the secret travels in the fragment");
    assert.ok(Math.abs(Date.parse(link.expiresAt) - (Date.now() + 2 * 3600_000)) < 60_000);

    const session = await redeem(f.service, link.token);
    assert.equal(session.status, 201, session.text);
    assert.equal(session.body.orgId, f.orgId);
    assertAuthError(await redeem(f.service, link.token), 401, "INVALID_TOKEN");

    const token = session.body.sessionToken;
    const base = `/api/v1/orgs/${f.orgId}/oauth-providers`;
    assert.equal((await requestAs(f.service, token, "GET", `${base}/acme-idp`)).status, 200);
    const put = await requestAs(f.service, token, "PUT", `${base}/second-idp`, {
      clientId: "second",
      clientSecret: "second-secret-0123456789",
      issuer: f.provider.issuer,
      redirectUris: [REDIRECT_URI],
    });
    assert.equal(put.status, 201, put.text);
    assert.equal((await requestAs(f.service, token, "POST", `${base}/acme-idp/test`)).status, 200);
    assert.equal((await requestAs(f.service, token, "GET", `${base}/acme-idp/health`)).status, 200);

    assertAuthError(await requestAs(f.service, token, "GET", `/api/v1/orgs/${other.body.id}/oauth-providers`), 403, "FORBIDDEN");
    assertAuthError(await requestAs(f.service, token, "GET", `/api/v1/orgs/${f.orgId}/users`), 403, "FORBIDDEN");
    // Its own organisation's audit trail is in scope (the link's writes and refusals are there); another's is not.
    assert.equal((await requestAs(f.service, token, "GET", `/api/v1/orgs/${f.orgId}/audit`)).status, 200);
    assertAuthError(await requestAs(f.service, token, "GET", `/api/v1/orgs/${other.body.id}/audit`), 403, "FORBIDDEN");
    assertAuthError(await requestAs(f.service, token, "POST", `/api/v1/orgs/${f.orgId}/setup-links`, {}), 403, "FORBIDDEN");
    assertAuthError(await requestAs(f.service, token, "POST", "/api/v1/keys/rotate"), 403, "FORBIDDEN");
    assertAuthError(await requestAs(f.service, token, "GET", "/api/v1/orgs"), 403, "FORBIDDEN");

    const actor = `setup-link:${link.id}`;
    const uses = (await auditEvents(f.service, f.orgId, "")).filter((r) => r.actor === actor).map((r) => `${r.event} ${r.outcome}`);
    assert.deepEqual(uses, [
      // The write is one record of what it did; the reads, the test and the health leave none.
      "provider.created success",
      // Refused attempts are recorded, in the trail of the organisation the link belongs to.
      "setup-link GET /api/v1/orgs/:orgId/oauth-providers failure",
      "setup-link GET /api/v1/orgs/:orgId/users failure",
      "setup-link GET /api/v1/orgs/:orgId/audit failure",
      "setup-link POST /api/v1/orgs/:orgId/setup-links failure",
      "setup-link POST /api/v1/keys/rotate failure",
      "setup-link GET /api/v1/orgs failure",
    ]);
  });

  test("revoking a link ends its session at once; an expired link cannot be redeemed, and its session stops", async (t) => {
    const service = await startService(t);
    const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: [] });
    const link = await newLink(service, org.body.id);
    const session = (await redeem(service, link.token)).body.sessionToken;
    const providers = `/api/v1/orgs/${org.body.id}/oauth-providers`;
    assert.equal((await requestAs(service, session, "GET", providers)).status, 200);
    assert.equal((await service.admin("DELETE", `/api/v1/orgs/${org.body.id}/setup-links/${link.id}`)).status, 204);
    assertAuthError(await requestAs(service, session, "GET", providers), 401, "UNAUTHORIZED");
    const [listed] = (await service.admin<Link[]>("GET", `/api/v1/orgs/${org.body.id}/setup-links`)).body;
    assert.ok(listed?.usedAt && listed.revokedAt);

    const expiring = await newLink(service, org.body.id);
    const expiringSession = (await redeem(service, expiring.token)).body.sessionToken;
    const unused = await newLink(service, org.body.id);
    const past = new Date(Date.now() - 1000).toISOString();
    await service.app.store.db.updateTable("setup_links").set({ expires_at: past }).where("org_id", "=", org.body.id).execute();
    assertAuthError(await redeem(service, unused.token), 401, "INVALID_TOKEN");
    assertAuthError(await requestAs(service, expiringSession, "GET", providers), 401, "UNAUTHORIZED");
  });

  test("links are the operator's: made, listed and revoked with the admin token only; nonsense is refused", async (t) => {
    const service = await startService(t);
    const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: [] });
    assertAuthError(await service.request("POST", `/api/v1/orgs/${org.body.id}/setup-links`, {}), 401, "UNAUTHORIZED");
    assertAuthError(await service.admin("POST", `/api/v1/orgs/${org.body.id}/setup-links`, { expiresInHours: 0 }), 400, "VALIDATION_ERROR");
    assertAuthError(await service.admin("DELETE", `/api/v1/orgs/${org.body.id}/setup-links/nope`), 404, "NOT_FOUND");
    assertAuthError(await redeem(service, "made-up"), 401, "INVALID_TOKEN");
    assertAuthError(await requestAs(service, "setup.made-up", "GET", `/api/v1/orgs/${org.body.id}`), 401, "UNAUTHORIZED");
  });
});
