import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertAuthError, auditEvents, type RunningService, startService } from "../support/service.ts";

/** A setup link of a new organisation, and another organisation it must not reach. */
async function linkOfAcme(service: RunningService, expiresInHours = 2) {
  const acme = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
  const other = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Initech", domains: ["initech.test"] });
  const link = await service.admin<{ id: string; token: string; expiresAt: string }>("POST", `/api/v1/orgs/${acme.body.id}/setup-links`, {
    expiresInHours,
  });
  assert.equal(link.status, 201, link.text);
  return { orgId: acme.body.id, otherOrgId: other.body.id, link: link.body };
}

/** Redeems a setup link the way the console at /admin/setup does: for the console's cookie. */
const redeemInConsole = (service: RunningService, setupLink: string) => service.request("POST", "/admin/session", { setupLink });

/** The `name=value` of the console's cookie that an answer sets, and its attributes. */
function consoleCookie(answer: { headers: Headers }) {
  const header = answer.headers.get("set-cookie") ?? "";
  const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
  return { pair, attributes };
}

describe("a setup link redeemed in the console: held in the HttpOnly cookie, so a reload keeps its IT admin in", () => {
  test("the cookie reaches the link's organisation only, with the console's header, until the link ends; the page never sees the session", async (t) => {
    const service = await startService(t);
    const { orgId, otherOrgId, link } = await linkOfAcme(service);

    const redeemed = await redeemInConsole(service, link.token);
    assert.equal(redeemed.status, 204, redeemed.text);
    assert.equal(redeemed.text, "", "no session token in the answer: the page's script never holds it");
    const { pair, attributes } = consoleCookie(redeemed);
    assert.match(pair, /^pipeshub_console=setup\./);
    assert.ok(
      attributes.includes("HttpOnly") && attributes.includes("SameSite=Strict") && attributes.includes("Path=/"),
      attributes.join("; "),
    );
    const maxAge = Number(attributes.find((a) => a.startsWith("Max-Age="))?.slice("Max-Age=".length));
    assert.ok(Math.abs(maxAge - 2 * 3600) < 60, `the cookie lives as long as the link: Max-Age=${maxAge}`);

    // A reload: the page asks who its cookie is for, then calls the admin API with it.
    const reloaded = await service.request("GET", "/admin/session", undefined, { cookie: pair });
    assert.equal(reloaded.status, 200, reloaded.text);
    assert.deepEqual(reloaded.body, { kind: "setup-link", orgId, expiresAt: link.expiresAt });
    const asConsole = { cookie: pair, "x-pipeshub-console": "1" };
    const providers = `/api/v1/orgs/${orgId}/oauth-providers`;
    assert.equal((await service.request("GET", providers, undefined, asConsole)).status, 200);
    assertAuthError(await service.request("GET", `/api/v1/orgs/${otherOrgId}/oauth-providers`, undefined, asConsole), 403, "FORBIDDEN");
    assertAuthError(await service.request("GET", `/api/v1/orgs/${orgId}/users`, undefined, asConsole), 403, "FORBIDDEN");
    assertAuthError(await service.request("GET", "/api/v1/keys", undefined, asConsole), 403, "FORBIDDEN");
    // Without the console's header a cross-site form's cookie alone reaches nothing.
    assertAuthError(await service.request("GET", providers, undefined, { cookie: pair }), 401, "UNAUTHORIZED");

    // The operator sees the session and ends it: the cookie stops at once, and says what to do next.
    const sessions = await service.admin<{ sessions: { id: string; kind: string }[] }>("GET", "/api/v1/console-sessions");
    assert.deepEqual(
      sessions.body.sessions.filter((s) => s.kind === "setup-link").map((s) => s.id),
      [link.id],
    );
    assert.equal((await service.admin("DELETE", `/api/v1/console-sessions/${link.id}`)).status, 204);
    const ended = assertAuthError(await service.request("GET", "/admin/session", undefined, { cookie: pair }), 401, "UNAUTHORIZED");
    assert.match(ended.message, /ended.*Ask the operator who sent it for a new setup link/);
    const refused = assertAuthError(await service.request("GET", providers, undefined, asConsole), 401, "UNAUTHORIZED");
    assert.equal(refused.message, ended.message);
  });

  test("a spent or expired link says so in words and what to do next, never a schema message", async (t) => {
    const service = await startService(t);
    const { orgId, link } = await linkOfAcme(service);
    const { pair } = consoleCookie(await redeemInConsole(service, link.token));

    const spent = await redeemInConsole(service, link.token);
    const words = assertAuthError(spent, 401, "INVALID_TOKEN").message;
    assert.equal(
      words,
      "This setup link was already used, or it expired or was revoked: each link works once. Ask the operator who sent it for a new setup link.",
    );
    assert.equal(consoleCookie(spent).pair, "", "a refused link sets no cookie");

    const unused = await service.admin<{ token: string }>("POST", `/api/v1/orgs/${orgId}/setup-links`, {});
    const past = new Date(Date.now() - 1000).toISOString();
    await service.app.store.db.updateTable("setup_links").set({ expires_at: past }).where("org_id", "=", orgId).execute();
    assert.equal(assertAuthError(await redeemInConsole(service, unused.body.token), 401, "INVALID_TOKEN").message, words);
    const expired = assertAuthError(await service.request("GET", "/admin/session", undefined, { cookie: pair }), 401, "UNAUTHORIZED");
    assert.doesNotMatch(expired.message, /body\.|must NOT|characters/);
    assert.match(expired.message, /expired or was revoked.*Ask the operator who sent it for a new setup link/);
  });

  test("signing out ends a setup link's session for good: the link is revoked, by its own session, in the audit trail", async (t) => {
    const service = await startService(t);
    const { orgId, link } = await linkOfAcme(service);
    const { pair } = consoleCookie(await redeemInConsole(service, link.token));

    const signedOut = await service.request("DELETE", "/admin/session", undefined, { cookie: pair });
    assert.equal(signedOut.status, 204);
    assert.match(signedOut.headers.get("set-cookie") ?? "", /^pipeshub_console=;.*Max-Age=0/);
    assertAuthError(await service.request("GET", "/admin/session", undefined, { cookie: pair }), 401, "UNAUTHORIZED");
    const [listed] = (await service.admin<{ id: string; revokedAt: string | null }[]>("GET", `/api/v1/orgs/${orgId}/setup-links`)).body;
    assert.ok(listed?.revokedAt, "the link is revoked");
    const revoked = (await auditEvents(service, orgId, "setup_link.revoked")).map((r) => r.actor);
    assert.deepEqual(revoked, [`setup-link:${link.id}`]);
  });
});
