/**
 * The admin console's day-to-day work in Chromium, driven by role and name: editing a provider,
 * the audit trail, the service's sessions, keys and settings, and a setup link's session across
 * reloads. CI installs Chromium; without one the file is skipped.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { chromiumSkip, openBrowser } from "./support/browser.ts";
import { type RunningService, startService } from "./support/service.ts";
import { repoRoot } from "./support/spawned-service.ts";
import { alice, CLIENT_SECRET, REDIRECT_URI, signIn, signInFixture } from "./support/sign-in-fixture.ts";

const ARTIFACTS = join(repoRoot, "test-artifacts");

type ProviderView = { enableJit: boolean; subjectClaim?: string; nextClientSecretSet: boolean };

/** The operator signs in to the console with the admin token. */
async function operatorSignIn(page: Page, service: RunningService, path = "/admin") {
  await page.goto(`${service.url}${path}`);
  await page.getByLabel("Admin token").fill(service.app.config.adminToken);
  await page.getByRole("button", { name: "Sign in" }).click();
}

const providerOf = async (service: RunningService, orgId: string, name: string) =>
  (await service.admin<ProviderView>("GET", `/api/v1/orgs/${orgId}/oauth-providers/${name}`)).body;

describe("the admin console's day-to-day work in Chromium", { skip: chromiumSkip, timeout: 180_000 }, () => {
  test("an operator edits a provider: turns JIT on and saves, reads a refusal beside its field, is asked before links drop, promotes a secret, deletes", async (t) => {
    const f = await signInFixture(t, { users: [alice] });
    await signIn(f, alice);
    const second = await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/oauth-providers/second`, {
      clientId: "pipeshub-app",
      clientSecret: CLIENT_SECRET,
      issuer: f.provider.issuer,
      redirectUris: [REDIRECT_URI],
    });
    assert.equal(second.status, 201, second.text);
    const { page, problems } = await openBrowser(t);
    await operatorSignIn(page, f.service);
    await page.getByRole("link", { name: "Acme" }).click();
    await page.getByRole("link", { name: "second", exact: true }).click();
    await page.getByRole("heading", { name: "Provider second" }).waitFor();

    // A provider made without just-in-time provisioning: one switch and Save.
    const jit = page.getByRole("checkbox", { name: /just-in-time/i });
    assert.equal(await jit.isChecked(), false);
    await jit.check();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Saved second." }).waitFor();
    assert.equal((await providerOf(f.service, f.orgId, "second")).enableJit, true);
    await page.reload();
    await page.getByRole("heading", { name: "Provider second" }).waitFor();
    assert.equal(
      await page.getByRole("checkbox", { name: /just-in-time/i }).isChecked(),
      true,
      "the page has an address: a reload keeps it",
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "console-provider.png"), fullPage: true });

    // A refusal is shown beside the field it names, in the console's words, with where to change it.
    const uris = page.getByLabel("Redirect URIs", { exact: true });
    await uris.fill("");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const problem = page.locator(".problem").filter({ hasText: "redirect URI is required" });
    await problem.waitFor();
    assert.equal(await uris.getAttribute("aria-invalid"), "true");
    assert.ok(
      ((await uris.getAttribute("aria-describedby")) ?? "").includes((await problem.getAttribute("id")) ?? "-"),
      "tied to the field",
    );
    const words = await problem.innerText();
    assert.match(words, /What to change: Providers › second › Redirect URIs/);
    assert.doesNotMatch(words, /redirectUris|`/, "no API names, no Markdown");
    assert.equal(await page.locator("#error").innerText(), "", "not in a banner at the top");

    // A next secret, saved and promoted after a confirm step.
    await uris.fill(REDIRECT_URI);
    await page.getByLabel("Next client secret", { exact: true }).fill("n3xt-Client-Secret-Value-7c1d0");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("button", { name: "Promote next secret" }).click();
    await page.getByRole("button", { name: "Make the next secret current" }).click();
    await page.getByText("No next secret is stored").waitFor();
    assert.equal((await providerOf(f.service, f.orgId, "second")).nextClientSecretSet, false);

    // Deleting asks first, then leads back to the organisation's providers.
    await page.getByRole("button", { name: "Delete provider" }).click();
    await page.getByRole("button", { name: "Delete second" }).click();
    await page.getByRole("heading", { name: "Acme" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "second", exact: true }).count(), 0);

    // A change of where accounts come from drops alice's identity link: the console says so and asks first.
    await page.getByRole("link", { name: "acme-idp", exact: true }).click();
    await page.getByRole("heading", { name: "Provider acme-idp" }).waitFor();
    await page.getByLabel("Subject claim", { exact: true }).fill("oid");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const ask = page.getByRole("group", { name: "Save and drop identity links" });
    assert.match(await ask.innerText(), /identity links are dropped/);
    await ask.getByRole("button", { name: "Cancel" }).click();
    assert.equal((await providerOf(f.service, f.orgId, "acme-idp")).subjectClaim, "sub", "declined: nothing sent");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("button", { name: "Save and drop identity links" }).click();
    await page.getByRole("status").filter({ hasText: "Saved acme-idp. 1 identity link was dropped" }).waitFor();
    assert.equal((await providerOf(f.service, f.orgId, "acme-idp")).subjectClaim, "oid");
    await page.setViewportSize({ width: 390, height: 800 });
    await page.reload();
    await page.getByRole("heading", { name: "Provider acme-idp" }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, "the provider's page fits a phone's 390 px");
    assert.deepEqual(
      problems.filter((p) => !/status of (401|400)/.test(p)),
      [],
      "nothing but the first look before signing in and the refused save",
    );
  });

  test("the audit trail: admin actions with before and after, the client address and redirect URI tried, the console's fix, filters and pages", async (t) => {
    const f = await signInFixture(t, { users: [alice] });
    const tried = "http://127.0.0.1:5173/not-registered";
    for (let i = 0; i < 26; i++)
      assert.equal((await f.exchange({ code: `code-${i}`, email: alice.email, redirectUri: tried })).status, 400);
    const turnedOff = await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp`, {
      clientId: "pipeshub-app",
      issuer: f.provider.issuer,
      redirectUris: [REDIRECT_URI],
      enableJit: false,
    });
    assert.equal(turnedOff.status, 200, turnedOff.text);
    const { page, problems } = await openBrowser(t);
    await operatorSignIn(page, f.service);
    await page.getByRole("link", { name: "Acme" }).click();
    await page.getByRole("link", { name: "Audit trail" }).click();
    await page.getByRole("heading", { name: "Audit trail" }).waitFor();
    const rows = page.locator("#audit tbody tr");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 25, "a page at a time");
    await page.getByRole("button", { name: "Older entries" }).click();
    await page.waitForFunction(() => document.querySelectorAll("#audit tbody tr").length > 25);
    assert.equal(await page.getByRole("button", { name: "Older entries" }).isVisible(), false, "the last page");

    await page.getByLabel("Event").fill("provider.updated");
    await page.getByRole("button", { name: "Show", exact: true }).click();
    const updated = rows.filter({ hasText: "provider.updated" });
    await updated.waitFor();
    assert.match(await updated.innerText(), /provider\.updated\s+operator\s+-\s+acme-idp\s+succeeded\s+enableJit: true → false/);
    assert.equal(await updated.locator("time[datetime]").count(), 1, "its time, in the browser's local time");

    await page.getByLabel("Event").fill("oauth.exchange");
    await page.getByLabel("Outcome").selectOption("failure");
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await page.getByRole("button", { name: "Older entries" }).waitFor();
    const mismatch = await rows.first().innerText();
    assert.match(mismatch, /failed/);
    assert.ok(mismatch.includes("127.0.0.1"), "the client's address");
    assert.ok(mismatch.includes(tried), "the redirect URI tried");
    assert.match(mismatch, /REDIRECT_URI_MISMATCH\s+Add the application's redirect URI to Providers › acme-idp › Redirect URIs/);
    assert.deepEqual(
      problems.filter((p) => !/status of 401/.test(p)),
      [],
    );
  });

  test("the operator's service pages: console sessions listed and ended, signing keys rotated after a confirm, settings without secrets", async (t) => {
    const service = await startService(t);
    const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
    const link = await service.admin<{ id: string; token: string }>("POST", `/api/v1/orgs/${org.body.id}/setup-links`, {});
    assert.equal((await service.request("POST", "/admin/session", { setupLink: link.body.token })).status, 204);
    const { page, problems } = await openBrowser(t);
    await operatorSignIn(page, service);
    await page.getByRole("heading", { name: "Organisations" }).waitFor();

    await page.getByRole("link", { name: "Sessions" }).click();
    await page.getByRole("heading", { name: "Console sessions" }).waitFor();
    const sessions = page.getByRole("table", { name: "Console sessions" }).locator("tbody tr");
    assert.equal(await sessions.count(), 2, "the setup link's and this operator's");
    await page.getByRole("button", { name: /\(Setup link\)/ }).click();
    await page.getByRole("button", { name: "Yes, end session 1" }).click();
    await page.waitForFunction(() => document.querySelectorAll("#view-sessions tbody tr").length === 1);
    const left = await service.admin<{ sessions: { kind: string }[] }>("GET", "/api/v1/console-sessions");
    assert.deepEqual(
      left.body.sessions.map((s) => s.kind),
      ["operator"],
    );

    await page.getByRole("link", { name: "Keys" }).click();
    await page.getByRole("heading", { name: "Signing keys" }).waitFor();
    const keys = page.getByRole("table", { name: "Signing keys" }).locator("tbody tr");
    assert.equal(await keys.count(), 1);
    await page.getByRole("button", { name: "Rotate keys" }).click();
    await page.getByRole("button", { name: "Rotate now" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: /Rotated: .+ signs new tokens\./ })
      .waitFor();
    assert.deepEqual(await keys.locator("td:first-child").allInnerTexts(), ["Current", "Previous"]);

    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Settings" }).waitFor();
    const settings = await page.getByRole("definition").allInnerTexts();
    assert.ok(settings.length > 10);
    const shown = await page.locator("#view-settings").innerText();
    assert.match(shown, /ADMIN_TOKEN\s+set \(secret: not shown\)/);
    assert.ok(!shown.includes(service.app.config.adminToken), "never a secret");
    await page.reload();
    await page.getByRole("heading", { name: "Settings" }).waitFor();

    // A phone's width: each page fits, wide tables scroll inside their own box.
    await page.setViewportSize({ width: 390, height: 800 });
    for (const [path, heading] of [
      ["#/settings", "Settings"],
      ["#/keys", "Signing keys"],
      ["#/sessions", "Console sessions"],
    ] as const) {
      await page.goto(`${service.url}/admin${path}`);
      await page.getByRole("heading", { name: heading }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, `${heading} at 390 px scrolls sideways by ${overflow} px`);
    }
    assert.deepEqual(
      problems.filter((p) => !/status of 401/.test(p)),
      [],
    );
  });

  test("a setup link's IT admin stays in across reloads, held in the HttpOnly cookie only; a spent or ended link says what to do", async (t) => {
    const f = await signInFixture(t);
    const link = await f.service.admin<{ id: string; token: string }>("POST", `/api/v1/orgs/${f.orgId}/setup-links`, {});
    const { page, problems } = await openBrowser(t);
    await page.goto(`${f.service.url}/admin/setup#${link.body.token}`);
    await page.getByRole("heading", { name: "Acme" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Acme" }).waitFor();
    assert.ok(await page.getByRole("button", { name: "Doctor acme-idp" }).isVisible(), "still in after a reload");
    await page.goto(`${f.service.url}/admin/setup`);
    await page.getByRole("heading", { name: "Acme" }).waitFor();
    const held = await page.evaluate(() => ({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length }));
    assert.deepEqual(held, { cookie: "", local: 0, session: 0 }, "the session is in the HttpOnly cookie, never in web storage");

    // The link opened again: a new page load (a new fragment alone would load none).
    await page.goto("about:blank");
    await page.goto(`${f.service.url}/admin/setup#${link.body.token}`);
    await page
      .getByRole("alert")
      .filter({ hasText: "already used" })
      .filter({ hasText: "Ask the operator who sent it for a new setup link" })
      .waitFor();
    assert.doesNotMatch(await page.locator("#error").innerText(), /body\.|must NOT/);

    assert.equal((await f.service.admin("DELETE", `/api/v1/console-sessions/${link.body.id}`)).status, 204);
    await page.goto(`${f.service.url}/admin/setup`);
    await page.getByRole("alert").filter({ hasText: "Ask the operator who sent it for a new setup link" }).waitFor();
    assert.deepEqual(
      problems.filter((p) => !/status of 401/.test(p)),
      [],
    );
  });
});
