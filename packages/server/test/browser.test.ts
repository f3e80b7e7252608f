/**
 * The sign-in page in a real browser (Debian's Chromium driven by playwright-core) against what
 * `npm start` starts on a fresh data directory: the service, the demo provider and the demo
 * organisation. CI installs Chromium; without one the file is skipped.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { chromiumSkip, openBrowser, type RunningDemo, startDemo } from "./support/browser.ts";
import { closedPortUrl } from "./support/faulty-servers.ts";
import { startService } from "./support/service.ts";
import { alice, CLIENT_SECRET, REDIRECT_URI, signInFixture } from "./support/sign-in-fixture.ts";
import { startTestProvider } from "./support/test-provider.ts";
import { repoRoot } from "./support/spawned-service.ts";

const ARTIFACTS = join(repoRoot, "test-artifacts");
const skip = chromiumSkip;

/** From the sign-in page to the provider's consent page, as a person would. */
async function signInUpToConsent(page: Page, demo: RunningDemo) {
  await page.goto(demo.signIn);
  await page.getByLabel("Work email").fill(demo.email);
  await page.getByRole("button", { name: "Continue", exact: true }).click();
  await page.getByText(`Signing in as ${demo.email} to Demo`).waitFor();
  await page.getByRole("button", { name: "Continue with demo" }).click();
  await page.waitForURL((url) => url.origin === new URL(demo.provider).origin);
  assert.match(await page.locator("body").innerText(), /Demo provider/);
  assert.equal(await page.getByLabel("Email").inputValue(), demo.email, "the email typed at the service arrived as login_hint");
  await page.getByLabel("Email").fill(demo.email);
  await page.getByLabel("Password").fill(demo.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Allow" }).waitFor();
}

describe("the sign-in page in Chromium, against the demo", { skip, timeout: 240_000 }, () => {
  test("signs in at the demo provider, shows who you are, and signs out", async (t) => {
    const demo = await startDemo(t);
    const { page, problems } = await openBrowser(t);
    await signInUpToConsent(page, demo);
    await page.getByRole("button", { name: "Allow" }).click();

    await page.getByRole("heading", { name: "You are signed in" }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/", "the code is gone from the address bar");
    assert.equal(await page.locator("#claim-email").innerText(), demo.email);
    assert.equal(await page.locator("#claim-org").innerText(), "Demo", "the organisation's name, not its id");
    assert.match((await page.locator("#claim-org").getAttribute("title")) ?? "", /^id [0-9a-f]{32}$/);
    assert.notEqual(await page.locator("#claim-sub").innerText(), "");
    assert.notEqual(await page.locator("#claim-exp").innerText(), "");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "signed-in.png"), fullPage: true });

    const tokens = JSON.parse((await page.evaluate(() => sessionStorage.getItem("pipeshub-auth.tokens"))) ?? "{}") as {
      refreshToken?: string;
    };
    assert.ok(tokens.refreshToken);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("status").filter({ hasText: "You are signed out." }).waitFor();
    assert.ok(await page.getByRole("heading", { name: "Sign in" }).isVisible());
    assert.equal(await page.evaluate(() => sessionStorage.getItem("pipeshub-auth.tokens")), null);
    // Signing out ended the session at the service too: its refresh token no longer works.
    const refresh = await fetch(new URL("/userAccount/refresh/token", demo.signIn), {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.refreshToken}` },
    });
    assert.equal(refresh.status, 401);
    assert.deepEqual(problems, []);
  });

  test("denying consent at the provider shows a readable error, not JSON", async (t) => {
    const demo = await startDemo(t);
    const { page, problems } = await openBrowser(t);
    await signInUpToConsent(page, demo);
    await page.getByRole("button", { name: "Deny" }).click();

    const alert = page.getByRole("alert");
    await alert.filter({ hasText: "You did not allow the sign-in" }).waitFor();
    assert.equal(await alert.innerText(), "You did not allow the sign-in at your provider, so you are not signed in.");
    assert.equal(new URL(page.url()).pathname, "/");
    assert.ok(await page.getByLabel("Work email").isVisible(), "back at the email form, to try again");
    const text = await page.locator("body").innerText();
    assert.ok(!text.includes('{"'), `no JSON on the page: ${text}`);
    assert.deepEqual(problems, []);
  });

  test("an error from the service is shown in words", async (t) => {
    const demo = await startDemo(t);
    const { page, problems } = await openBrowser(t);
    await page.goto(demo.signIn);
    // A domain no organisation claims, while one organisation exists: the only one is used,
    // and the provider refuses to sign in someone the provider does not know.
    await page.getByLabel("Work email").fill("nobody@elsewhere.test");
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.getByRole("button", { name: "Continue with demo" }).click();
    await page.waitForURL((url) => url.origin === new URL(demo.provider).origin);
    await page.getByLabel("Email").fill(demo.email);
    await page.getByLabel("Password").fill(demo.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Allow" }).click();
    const alert = page.getByRole("alert");
    await alert.filter({ hasText: /\w/ }).waitFor();
    const message = await alert.innerText();
    assert.match(message, /email/i, message);
    assert.ok(!message.includes("{"), message);

    // The provider signed in another account than the email's: the page offers to use another,
    // and the provider, which remembers the demo user, asks who signs in (prompt=login) instead
    // of sending the same account straight back.
    await page.getByRole("button", { name: "Use another account" }).click();
    await page.waitForURL((url) => url.origin === new URL(demo.provider).origin);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    assert.equal(await page.getByLabel("Email").inputValue(), "nobody@elsewhere.test");
    assert.deepEqual(
      problems.filter((p) => !/status of 401/.test(p)),
      [],
    );
  });

  test("a provider that cannot be reached is named as such, and the log says why", async (t) => {
    const demo = await startDemo(t);
    // The demo provider's settings now point at a port nobody serves, as a second start used to leave them.
    const orgs = (await (await demo.service.admin(new URL("/api/v1/orgs", demo.signIn).href)).json()) as { id: string }[];
    const moved = await demo.service.admin(new URL(`/api/v1/orgs/${orgs[0]!.id}/oauth-providers/demo`, demo.signIn).href, {
      method: "PUT",
      body: JSON.stringify({
        clientId: "pipeshub-auth-demo",
        // A moved token endpoint needs its secret again (a stored secret is bound to where it was given for).
        clientSecret: "a-secret-for-the-closed-port",
        issuer: await closedPortUrl(),
        redirectUris: [new URL("/callback", demo.signIn).href],
        enableJit: true,
      }),
    });
    assert.equal(moved.status, 200, await moved.clone().text());
    const { page, problems } = await openBrowser(t);
    await page.goto(demo.signIn);
    await page.getByLabel("Work email").fill(demo.email);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    const alert = page.getByRole("alert");
    await alert.filter({ hasText: /\w/ }).waitFor();
    assert.equal(
      await alert.innerText(),
      "The sign-in provider “demo” cannot be reached right now. Try again in a moment; if it keeps happening, tell your administrator.",
    );
    await demo.service.waitFor(
      /"provider":"demo","error":"PROVIDER_UNAVAILABLE","cause":"127\.0\.0\.1:\d+ could not be reached \(ECONNREFUSED\)"/,
    );
    assert.deepEqual(problems, []);
  });
});

describe("the API reference at /docs in Chromium", { skip, timeout: 120_000 }, () => {
  test("renders every operation under its strict Content-Security-Policy, with no violation", async (t) => {
    const service = await startService(t);
    const { page, problems } = await openBrowser(t);
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${service.url}/docs`);
    await page.getByText("/userAccount/oauth/exchange", { exact: true }).first().waitFor();
    assert.deepEqual(violations, []);
    assert.deepEqual(problems, []);
  });
});

describe("the admin console in Chromium", { skip, timeout: 180_000 }, () => {
  test("an operator sets up a provider from a preset, runs the doctor and a test sign-in, and reads why sign-ins failed", async (t) => {
    const f = await signInFixture(t);
    const refused = await f.exchange({ code: "a-code-the-provider-never-issued", email: alice.email });
    assert.equal(refused.status, 400, refused.text);
    const { page, problems } = await openBrowser(t);
    await page.goto(`${f.service.url}/admin`);
    await page.getByLabel("Admin token").fill(f.service.app.config.adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Acme" }).click();
    await page.getByRole("heading", { name: "Acme" }).waitFor();
    assert.match(
      await page.locator("#providers").innerText(),
      new RegExp(REDIRECT_URI.replace(/[.:/]/g, "\\$&")),
      "the redirect URI to register",
    );
    assert.equal(await page.evaluate(() => document.cookie), "", "the session cookie is HttpOnly: the page cannot read it");

    await page.getByRole("button", { name: "Doctor acme-idp" }).click();
    await page.getByRole("heading", { name: "Doctor: acme-idp" }).waitFor();
    const doctor = await page.locator("#panel").innerText();
    assert.match(doctor, /client-credentials\s+pass/);
    assert.doesNotMatch(doctor, /\bfail\b/);

    await page.getByRole("button", { name: "Health of acme-idp" }).click();
    await page.getByRole("heading", { name: /Health: acme-idp/ }).waitFor();
    const health = await page.locator("#panel").innerText();
    assert.match(health, /1 attempt, 0 succeeded/);
    assert.match(health, /What to change: The provider refused the authorization code/);
    assert.equal(await page.locator("#panel svg.reasons rect").count(), 1, "one bar: INVALID_GRANT");
    // Over time: one column per hour of the last day; the failure is in the latest one (or the one before, across an hour's turn).
    assert.equal(await page.locator("#panel svg.timeline g").count(), 25);
    assert.equal(await page.locator("#panel svg.timeline rect.bar").count(), 1);
    assert.match((await page.locator("#panel svg.timeline").getAttribute("aria-label")) ?? "", /0 succeeded, 1 failed/);
    await page.getByRole("button", { name: "last 7 days" }).click();
    await page.getByRole("heading", { name: "Health: acme-idp, last 7 days" }).waitFor();
    assert.equal(await page.locator("#panel svg.timeline g").count(), 29, "6-hour columns over a week");

    // The audit trail, narrowed to failures: the reason and what to change.
    await page.getByRole("link", { name: "Audit trail" }).click();
    await page.getByRole("heading", { name: "Audit trail" }).waitFor();
    await page.getByLabel("Outcome").selectOption("failure");
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await page.locator("#audit tbody tr").filter({ hasText: "INVALID_GRANT" }).waitFor();
    const failures = await page.locator("#audit tbody").innerText();
    assert.match(
      failures,
      /oauth\.exchange\s+-\s+alice@acme\.test\s+acme-idp\s+failed\s+INVALID_GRANT\s+The provider refused the authorization code/,
    );
    assert.equal(await page.locator("#audit tbody tr").count(), 1);
    await page.getByLabel("Email").fill("nobody@acme.test");
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await page.getByText("Nothing recorded matches.").waitFor();
    // An admin write: who made it and what it changed, a secret only as changed.
    await page.getByLabel("Outcome").selectOption("");
    await page.getByLabel("Email").fill("");
    await page.getByLabel("Event").fill("provider.created");
    await page.getByRole("button", { name: "Show", exact: true }).click();
    const created = page.locator("#audit tbody tr").filter({ hasText: "provider.created" });
    await created.waitFor();
    assert.match(await created.innerText(), /provider\.created\s+operator\s+-\s+acme-idp\s+succeeded[\s\S]*clientSecret changed/);
    assert.ok(!(await page.locator("#audit").innerText()).includes(CLIENT_SECRET), "never the secret");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "admin-console.png"), fullPage: true });

    // A test sign-in needs the console's redirect URI registered: the fixture's provider lacks it, and the console says so.
    await page.getByRole("link", { name: "Providers" }).click();
    await page.getByRole("heading", { name: "Acme" }).waitFor();
    await page.getByRole("button", { name: "Test sign-in at acme-idp" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: `register ${f.service.url}/admin/test-signin for acme-idp` })
      .waitFor();

    // The wizard: a preset, its options, the client, and the redirect URIs to register at the provider.
    const carol = { sub: "carol-sub", email: "carol@acme.test", email_verified: false, name: "Carol Acme" };
    const gitlab = await startTestProvider({
      clients: [
        {
          client_id: "wizard-app",
          client_secret: "wizard-secret-0123456789",
          redirect_uris: [`${f.service.url}/callback`, `${f.service.url}/admin/test-signin`],
        },
      ],
      users: [carol],
    });
    t.after(() => gitlab.close());
    await page.getByText("Add a provider").click();
    await page.getByLabel("Kind of provider").selectOption("gitlab");
    assert.equal(await page.locator("#wizard-redirect").innerText(), `${f.service.url}/callback\n${f.service.url}/admin/test-signin`);
    await page.getByLabel(/Self-managed GitLab address/).fill(gitlab.issuer);
    await page.getByLabel(/^Name here/).fill("gitlab");
    await page.getByLabel(/^Client ID/).fill("wizard-app");
    await page.getByLabel(/^Client secret/).fill("wizard-secret-0123456789");
    await page.getByRole("button", { name: "Save and run the doctor" }).click();
    await page.getByRole("heading", { name: "Doctor: gitlab" }).waitFor();
    assert.match(await page.locator("#panel").innerText(), /client-credentials\s+pass/);
    assert.ok(await page.getByRole("button", { name: "Doctor gitlab" }).isVisible(), "listed with the others");
    assert.equal(await page.getByLabel(/^Client secret/).inputValue(), "", "the secret does not stay in the form");
    assert.equal(await page.locator("#wizard").getAttribute("open"), null, "the wizard closes once the provider is saved");
    // Saving over a provider may drop its users' identity links: the console asks first, and sends nothing when declined.
    await page.getByText("Add a provider").click();
    await page.getByLabel("Kind of provider").selectOption("gitlab");
    await page.getByLabel(/Self-managed GitLab address/).fill(gitlab.issuer);
    await page.getByLabel(/^Name here/).fill("gitlab");
    await page.getByLabel(/^Client ID/).fill("another-app");
    // The click ends only once the dialog is answered (it blocks the page): answer it first, then await the click.
    const asked = page.waitForEvent("dialog");
    const clicked = page.getByRole("button", { name: "Save and run the doctor" }).click();
    const dialog = await asked;
    assert.match(dialog.message(), /"gitlab" exists .* identity links are dropped/);
    await dialog.dismiss();
    await clicked;
    const kept = await f.service.admin<{ clientId: string }>("GET", `/api/v1/orgs/${f.orgId}/oauth-providers/gitlab`);
    assert.equal(kept.body.clientId, "wizard-app");
    await page.getByText("Add a provider").click();

    // The test sign-in: the provider in a small window, the claims and the decision back in the console.
    const usersBefore = await f.service.admin<unknown[]>("GET", `/api/v1/orgs/${f.orgId}/users`);
    const opened = page.waitForEvent("popup");
    await page.getByRole("button", { name: "Test sign-in at gitlab" }).click();
    const popup = await opened;
    await popup.waitForURL((url) => url.origin === new URL(gitlab.issuer).origin);
    await popup.getByLabel("Email").fill(carol.email);
    await popup.getByRole("button", { name: "Sign in" }).click();
    await popup.getByRole("button", { name: "Allow" }).click();
    await page.getByRole("heading", { name: "Test sign-in: gitlab" }).waitFor();
    const result = await page.locator("#panel").innerText();
    assert.match(result, /A real sign-in would be refused: EMAIL_NOT_VERIFIED\./);
    assert.match(result, /What to change: .*email/i);
    assert.match(result, /email\s+carol@acme\.test/, "the ID token's claims");
    assert.match(result, /email_verified\s+false/);
    assert.match(result, /iat\s+\d+ \(\d{4}-\d\d-\d\dT[\d:.]+Z\)/, "times in claims are shown as times too");
    await page.screenshot({ path: join(ARTIFACTS, "admin-console-test-signin.png"), fullPage: true });
    assert.equal(new URL(popup.isClosed() ? f.service.url : popup.url()).search, "", "the code left the callback's address bar");
    const usersAfter = await f.service.admin<unknown[]>("GET", `/api/v1/orgs/${f.orgId}/users`);
    assert.deepEqual(usersAfter.body, usersBefore.body, "a test sign-in creates no user");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Operator sign-in" }).waitFor();
    const after = await page.evaluate(() =>
      fetch("/api/v1/orgs", { headers: { "x-pipeshub-console": "1" }, credentials: "same-origin" }).then((r) => r.status),
    );
    assert.equal(after, 401, "signed out: the cookie no longer opens the admin API");
    assert.deepEqual(
      problems.filter((p) => !/status of (401|400)/.test(p)),
      [],
      "nothing but the expected 401s (the first look before signing in, the check after signing out) and the refused test sign-in's 400",
    );
  });

  test("a test sign-in that returns with no console open completes on the console's page itself, and the code leaves the address bar", async (t) => {
    const f = await signInFixture(t);
    const other = await startTestProvider({
      clients: [
        { client_id: "console-app", client_secret: "console-secret-0123456789", redirect_uris: [`${f.service.url}/admin/test-signin`] },
      ],
      users: [alice],
    });
    t.after(() => other.close());
    const put = await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/oauth-providers/other`, {
      clientId: "console-app",
      clientSecret: "console-secret-0123456789",
      issuer: other.issuer,
      redirectUris: [`${f.service.url}/admin/test-signin`],
      enableJit: true,
    });
    assert.equal(put.status, 201, put.text);
    const { page, problems } = await openBrowser(t);
    await page.goto(`${f.service.url}/admin`);
    await page.getByLabel("Admin token").fill(f.service.app.config.adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Organisations" }).waitFor();
    const authorizationUrl = await page.evaluate(
      (path) =>
        fetch(path, { method: "POST", headers: { "x-pipeshub-console": "1", "content-type": "application/json" }, body: "{}" })
          .then((r) => r.json())
          .then((body: { authorizationUrl: string }) => body.authorizationUrl),
      `/api/v1/orgs/${f.orgId}/oauth-providers/other/test-signin`,
    );
    await page.goto(authorizationUrl);
    await page.getByLabel("Email").fill(alice.email);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Allow" }).click();
    await page.getByRole("heading", { name: "Test sign-in: other" }).waitFor();
    assert.match(await page.locator("#test-signin-result").innerText(), /would succeed and create a new user/);
    assert.equal(new URL(page.url()).pathname, "/admin/test-signin");
    assert.equal(new URL(page.url()).search, "", "the code is gone from the address bar");
    const users = await f.service.admin<unknown[]>("GET", `/api/v1/orgs/${f.orgId}/users`);
    assert.deepEqual(users.body, [], "and nobody was created");
    assert.deepEqual(
      problems.filter((p) => !/status of 401/.test(p)),
      [],
      "nothing but the first look before signing in",
    );
  });

  test("a setup link opens its organisation's providers once, and the link leaves the address bar", async (t) => {
    const f = await signInFixture(t);
    const link = await f.service.admin<{ url: string; token: string }>("POST", `/api/v1/orgs/${f.orgId}/setup-links`, {});
    const { page, problems } = await openBrowser(t);
    await page.goto(`${f.service.url}/admin/setup#${link.body.token}`);
    await page.getByRole("heading", { name: "Acme" }).waitFor();
    assert.equal(new URL(page.url()).hash, `#/orgs/${f.orgId}`, "the token is gone from the address bar, the page's address in its place");
    assert.ok(await page.getByRole("button", { name: "Doctor acme-idp" }).isVisible());
    await page.goto("about:blank");
    await page.goto(`${f.service.url}/admin/setup#${link.body.token}`);
    await page
      .getByRole("alert")
      .filter({ hasText: /already used/ })
      .waitFor();
    assert.deepEqual(
      problems.filter((p) => !/401|Failed to load resource/.test(p)),
      [],
    );
  });
});
