/**
 * The sign-in page's hand-off to the admin console (`/?next=admin`), and what an organisation
 * admin sees there, in a real browser (Debian's Chromium driven by playwright-core) against what
 * `npm start` starts on a fresh data directory. Without Chromium the file is skipped.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chromiumSkip as skip, openBrowser, startDemo } from "./support/browser.ts";

describe("the sign-in page hands an organisation admin over to the console", { skip, timeout: 240_000 }, () => {
  test("/?next=admin: a member stays signed in with the service's reason; an admin lands in the console with an org-scoped session", async (t) => {
    const demo = await startDemo(t);
    const { page, problems } = await openBrowser(t);
    const url = (path: string) => new URL(path, demo.signIn).href;

    // The demo user's first sign-in provisions them, as a member.
    await page.goto(url("/?next=admin"));
    await page.getByLabel("Work email").fill(demo.email);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.getByRole("button", { name: "Continue with demo", exact: true }).click();
    await page.waitForURL((u) => u.origin === new URL(demo.provider).origin);
    await page.getByLabel("Email").fill(demo.email);
    await page.getByLabel("Password").fill(demo.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Allow" }).click();
    await page.getByRole("heading", { name: "You are signed in" }).waitFor();
    const alert = page.getByRole("alert");
    await alert.filter({ hasText: /\w/ }).waitFor();
    assert.match(await alert.innerText(), /^Only organisation admins may administer an organisation/);
    assert.equal(new URL(page.url()).pathname, "/", "stays on the sign-in page, signed in");
    assert.ok(await page.getByRole("button", { name: "Sign out" }).isVisible());
    const stored = await page.evaluate(() => Object.keys(sessionStorage).sort());
    assert.deepEqual(stored, ["pipeshub-auth.tokens"], "nothing else kept where the page's script can read it");

    // The operator makes them an admin; the same tab, opened for the console again, hands over at once.
    const orgs = (await (await demo.service.admin(url("/api/v1/orgs"))).json()) as { id: string }[];
    const orgId = orgs[0]!.id;
    const [user] = (await (await demo.service.admin(url(`/api/v1/orgs/${orgId}/users?email=${demo.email}`))).json()) as { id: string }[];
    const promoted = await demo.service.admin(url(`/api/v1/orgs/${orgId}/users/${user!.id}`), {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ role: "admin" }),
    });
    assert.equal(promoted.status, 200, await promoted.clone().text());
    await page.goto(url("/?next=admin"));
    await page.waitForURL((u) => u.pathname === "/admin");
    const session = await page.request.get(url("/admin/session"));
    assert.deepEqual(await session.json(), { kind: "org-admin", orgId, email: demo.email });
    const cookies = await page.context().cookies(url("/"));
    const cookie = cookies.find((c) => c.name === "pipeshub_console");
    assert.ok(cookie?.httpOnly && cookie.sameSite === "Strict", JSON.stringify(cookies));

    // And a whole sign-in started at /?next=admin ends in the console too.
    await page.goto(url("/"));
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    await page.context().clearCookies({ name: "pipeshub_console" });
    await page.goto(url("/?next=admin"));
    await page.getByLabel("Work email").fill(demo.email);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.getByRole("button", { name: "Continue with demo", exact: true }).click();
    await page.waitForURL((u) => u.pathname === "/admin");
    assert.deepEqual(await (await page.request.get(url("/admin/session"))).json(), { kind: "org-admin", orgId, email: demo.email });

    // The console shows their organisation, and only it: no list of organisations to go back to.
    await page.getByRole("heading", { name: "Demo" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "Organisations" }).isVisible(), false);
    assert.equal(await page.getByRole("link", { name: "Users" }).isVisible(), false, "users are the operator's");
    assert.ok(await page.getByRole("button", { name: "Doctor demo", exact: true }).isVisible());
    // The organisation's audit trail shows who made them an admin, and what changed.
    await page.getByRole("link", { name: "Audit trail" }).click();
    await page.getByLabel("Event").fill("user.made_admin");
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await page
      .locator("#audit tbody tr")
      .filter({ hasText: demo.email })
      .filter({ hasText: "operator" })
      .filter({ hasText: "role: member → admin" })
      .first()
      .waitFor();

    // A test sign-in from the console: the demo provider knows the console's page, so it comes back with a decision.
    await page.getByRole("link", { name: "Providers" }).click();
    await page.getByRole("heading", { name: "Demo" }).waitFor();
    const opened = page.waitForEvent("popup");
    await page.getByRole("button", { name: "Test sign-in at demo", exact: true }).click();
    const popup = await opened;
    await popup.waitForURL((u) => u.origin === new URL(demo.provider).origin);
    await popup.getByLabel("Email").fill(demo.email);
    await popup.getByLabel("Password").fill(demo.password);
    await popup.getByRole("button", { name: "Sign in" }).click();
    // The provider asks for consent again only if it forgot this browser's earlier one.
    const result = page.getByRole("heading", { name: "Test sign-in: demo" });
    const allow = popup.getByRole("button", { name: "Allow" });
    await Promise.race([result.waitFor(), allow.click().catch(() => {})]);
    await result.waitFor();
    assert.match(await page.locator("#panel").innerText(), new RegExp(`A real sign-in would succeed, as user ${user!.id}\\.`));

    // Signing out of the console ends the organisation admin's session too.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Operator sign-in" }).waitFor();
    assert.equal((await page.request.get(url("/admin/session"))).status(), 401);
    assert.ok(
      await page.getByRole("link", { name: "Sign in through your organisation" }).isVisible(),
      "the way back in for an organisation admin",
    );
    assert.deepEqual(
      problems.filter((p) => !/status of (401|403)/.test(p)),
      [],
      "nothing but the member's refused hand-off (403) and the looks without a session (401)",
    );
  });
});
