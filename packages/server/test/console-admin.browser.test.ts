/**
 * The admin console's operator pages in a real browser (Debian's Chromium driven by playwright-core)
 * against the service on loopback: organisations, users and setup links, each through the admin
 * API, driven by role and accessible name; the pages' addresses (reload and back keep your place);
 * a phone-wide screen. One browser for the file: the subtests go on where the one before stopped.
 * Without Chromium the file is skipped.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { chromiumSkip as skip, openBrowser } from "./support/browser.ts";
import { acmeAndInitech, bob, signIn } from "./support/sign-in-fixture.ts";

type Org = { id: string; name: string; domains: string[] };
type User = { id: string; email: string; status: string; role: string };

/** The id of the page's address (`#/orgs/<id>…`). */
const hashOf = (page: Page) => new URL(page.url()).hash;

/** The page scrolls sideways when its content is wider than the window. */
const overflowsSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

/** The role and name of each control on the page a person acts on, as a check driving it by role and name sees them. */
async function controlNames(page: Page) {
  const snapshot = await page.locator("body").ariaSnapshot();
  return [...snapshot.matchAll(/- (button|link|textbox|searchbox|checkbox|switch|combobox|tab) "([^"]+)"/g)].map(
    (m) => `${m[1]} "${m[2]}"`,
  );
}

describe("the console's operator pages in Chromium", { skip, timeout: 240_000 }, () => {
  test("organisations, users and setup links, each at its own address", async (t) => {
    const { f, otherId } = await acmeAndInitech(t);
    await signIn(f, bob);
    // More users than a page holds (25), so the list pages.
    for (let i = 1; i <= 26; i++) {
      const made = await f.service.admin("POST", `/api/v1/orgs/${f.orgId}/users`, { email: `user${String(i).padStart(2, "0")}@acme.test` });
      assert.equal(made.status, 201, made.text);
    }
    const { page, problems } = await openBrowser(t);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: f.service.url });
    await page.goto(`${f.service.url}/admin`);
    await page.getByLabel("Admin token").fill(f.service.app.config.adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Organisations" }).waitFor();
    assert.equal(hashOf(page), "#/orgs", "home has an address too");

    await t.test("an operator creates an organisation with a domain, renames it, adds and removes a domain, and deletes it", async () => {
      // A domain another organisation claims: said beside the Domains field, not in a banner.
      await page.getByRole("textbox", { name: "Organisation name" }).fill("Copycat");
      await page.getByRole("textbox", { name: "Domains" }).fill("acme.test");
      await page.getByRole("button", { name: "Create organisation" }).click();
      const domains = page.getByRole("textbox", { name: "Domains" });
      await page.getByRole("alert").filter({ hasText: "already claimed" }).waitFor();
      assert.equal(await domains.getAttribute("aria-invalid"), "true");
      const describedBy = (await domains.getAttribute("aria-describedby"))!.split(" ");
      assert.match(await page.locator(`#${describedBy.at(-1)}`).innerText(), /already claimed/, "the field names its problem");
      assert.equal(await page.locator("#error").innerText(), "", "no banner at the top");

      await page.getByRole("textbox", { name: "Organisation name" }).fill("Globex");
      await domains.fill("globex.test");
      await page.getByRole("button", { name: "Create organisation" }).click();
      await page.getByRole("heading", { name: "Globex", exact: true }).waitFor();
      assert.equal(await page.locator("#org-create-domains").getAttribute("aria-invalid"), null, "the problem went with the retry");
      const orgId = hashOf(page).replace("#/orgs/", "");
      const created = await f.service.admin<Org>("GET", `/api/v1/orgs/${orgId}`);
      assert.deepEqual([created.body.name, created.body.domains], ["Globex", ["globex.test"]]);
      assert.equal(await page.evaluate(() => document.activeElement?.tagName), "H1", "a new page moves focus to its heading");

      await page.getByRole("textbox", { name: "New name" }).fill("Globex Corp");
      await page.getByRole("button", { name: "Rename" }).click();
      await page.getByRole("heading", { name: "Globex Corp" }).waitFor();
      await page.getByRole("textbox", { name: "Domain to add" }).fill("globex.example");
      await page.getByRole("button", { name: "Add domain" }).click();
      await page.getByRole("button", { name: "Remove domain globex.example" }).waitFor();

      // A removal says which sign-ins stop going here, and Cancel sends nothing.
      await page.getByRole("button", { name: "Remove domain globex.test" }).click();
      const consequence = page.getByRole("group", { name: "Yes, remove globex.test" });
      assert.match(await consequence.innerText(), /address at globex\.test will no longer be sent to Globex Corp/);
      await page.getByRole("button", { name: "Cancel" }).click();
      assert.equal(await consequence.count(), 0);
      assert.deepEqual((await f.service.admin<Org>("GET", `/api/v1/orgs/${orgId}`)).body.domains.sort(), ["globex.example", "globex.test"]);
      await page.getByRole("button", { name: "Remove domain globex.test" }).click();
      await page.getByRole("button", { name: "Yes, remove globex.test" }).click();
      await page.getByRole("button", { name: "Remove domain globex.test" }).waitFor({ state: "detached" });
      const changed = await f.service.admin<Org>("GET", `/api/v1/orgs/${orgId}`);
      assert.deepEqual([changed.body.name, changed.body.domains], ["Globex Corp", ["globex.example"]]);

      await page.getByRole("button", { name: "Delete organisation" }).click();
      assert.match(await page.getByRole("group", { name: "Yes, delete Globex Corp" }).innerText(), /providers, users.*cannot be undone/);
      await page.getByRole("button", { name: "Yes, delete Globex Corp" }).click();
      await page.getByRole("heading", { name: "Organisations" }).waitFor();
      assert.equal(await page.getByRole("link", { name: "Globex Corp" }).count(), 0);
      assert.equal((await f.service.admin("GET", `/api/v1/orgs/${orgId}`)).status, 404);
    });

    await t.test("an operator finds users page by page, ends a user's sessions, disables, enables and promotes them", async () => {
      await page.getByRole("link", { name: "Acme" }).click();
      await page.getByRole("link", { name: "Users" }).click();
      await page.getByRole("heading", { name: "Users of Acme" }).waitFor();
      const rows = page.locator("#users tbody tr");
      assert.equal(await rows.count(), 25, "a page of 25");
      await page.getByRole("button", { name: "More users" }).click();
      await rows.nth(27).waitFor();
      assert.equal(await page.getByRole("button", { name: "More users" }).isVisible(), false, "the last page");

      await page.getByRole("searchbox", { name: "Search users" }).fill("bob");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await rows.filter({ hasText: "user01" }).waitFor({ state: "detached" });
      assert.equal(await rows.count(), 1);
      const row = rows.first();
      assert.match(await row.innerText(), /bob@acme\.test\s+Bob Acme\s+member\s+active\s+acme-idp/, "identities by provider");
      const lastSignIn = row.locator("time");
      assert.ok(Math.abs(Date.parse((await lastSignIn.getAttribute("datetime"))!) - Date.now()) < 600_000);
      assert.match(await lastSignIn.innerText(), /\(.*(ago|now).*\)/, "local time with how long ago");

      await page.getByRole("button", { name: "End sessions of bob@acme.test" }).click();
      await row.getByText("1 sign-in of bob@acme.test ended").waitFor();
      await page.getByRole("button", { name: "Disable" }).click();
      await page.getByRole("button", { name: "Enable bob@acme.test" }).waitFor();
      const bobNow = async () => (await f.service.admin<User[]>("GET", `/api/v1/orgs/${f.orgId}/users?email=${bob.email}`)).body[0]!;
      const bobId = (await bobNow()).id;
      assert.equal((await bobNow()).status, "disabled");
      assert.equal(
        await page.evaluate(() => document.activeElement?.getAttribute("aria-label")),
        "Enable bob@acme.test",
        "focus stays on the button, now the way back",
      );
      await page.getByRole("button", { name: "Enable bob@acme.test" }).click();
      await page.getByRole("button", { name: "Disable bob@acme.test" }).waitFor();
      await page.getByRole("button", { name: "Make bob@acme.test an admin" }).click();
      await page.getByRole("button", { name: "Make bob@acme.test a member" }).waitFor();
      const after = await bobNow();
      assert.deepEqual([after.id, after.status, after.role], [bobId, "active", "admin"]);

      // Each is an admin action in the organisation's audit trail, by the operator.
      await page.getByRole("link", { name: "Audit trail" }).click();
      await page.getByLabel("Event").fill("user.disabled");
      await page.getByRole("button", { name: "Show", exact: true }).click();
      await page.locator("#audit tbody tr").filter({ hasText: "user.disabled" }).filter({ hasText: "operator" }).waitFor();
    });

    await t.test("an operator creates a setup link with an expiry, copies it, and revokes it", async () => {
      await page.getByRole("link", { name: "Setup links" }).click();
      await page.getByRole("heading", { name: "Setup links of Acme" }).waitFor();
      await page.getByLabel("Expires after").selectOption({ label: "1 day" });
      // While the call runs the button says it is busy and takes no second click: the service's answer is held until that is seen.
      let answer!: () => void;
      const held = new Promise<void>((resolve) => (answer = resolve));
      await page.route(`**/api/v1/orgs/${f.orgId}/setup-links`, async (route) => {
        if (route.request().method() === "POST") await held;
        await route.continue();
      });
      const create = page.getByRole("button", { name: "Create setup link" });
      await create.click();
      await page.locator('#setup-link-create button[aria-busy="true"]').waitFor();
      assert.equal(await create.isDisabled(), true);
      answer();
      const url = page.getByRole("textbox", { name: /^New setup link/ });
      await url.waitFor();
      await page.unroute(`**/api/v1/orgs/${f.orgId}/setup-links`);
      // The link is shown in the same turn the button stops being busy: wait for that turn to end.
      await page.locator('#setup-link-create button[aria-busy="true"]').waitFor({ state: "detached" });
      assert.equal(await create.getAttribute("aria-busy"), null);
      assert.equal(await create.isDisabled(), false);
      const link = await url.inputValue();
      assert.match(link, /^http:\/\/[\w.:]+\/admin\/setup#[\w-]{20,}$/, "the service's public address, with the link's secret");
      await page.getByRole("button", { name: "Copy link" }).click();
      await page
        .getByRole("status")
        .filter({ hasText: /Copied|Selected/ })
        .waitFor();
      if ((await page.locator("#setup-link-copied").innerText()) === "Copied.") {
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
      }
      const listed = await f.service.admin<{ id: string; expiresAt: string; revokedAt: string | null }[]>(
        "GET",
        `/api/v1/orgs/${f.orgId}/setup-links`,
      );
      assert.equal(listed.body.length, 1);
      const hours = (Date.parse(listed.body[0]!.expiresAt) - Date.now()) / 3_600_000;
      assert.ok(hours > 23 && hours <= 24, `expires in a day: ${hours}`);
      const short = listed.body[0]!.id.slice(-8);
      const row = page.locator("#setup-links tbody tr").filter({ hasText: short });
      assert.match(await row.innerText(), /not opened yet/);
      assert.equal(await row.locator("time").count(), 2, "created and expires, as times");

      await page.getByRole("button", { name: `Revoke setup link ${short}` }).click();
      await page.getByRole("button", { name: `Yes, revoke link ${short}` }).click();
      await row.filter({ hasText: "revoked" }).waitFor();
      assert.equal(await page.getByRole("button", { name: `Revoke setup link ${short}` }).count(), 0);
      const after = await f.service.admin<{ revokedAt: string | null }[]>("GET", `/api/v1/orgs/${f.orgId}/setup-links`);
      assert.notEqual(after.body[0]!.revokedAt, null);
      // Coming back, the URL is not shown again.
      await page.reload();
      await page.getByRole("heading", { name: "Setup links of Acme" }).waitFor();
      assert.equal(await page.locator("#setup-link-url").inputValue(), "");
    });

    await t.test("reload and back keep the page; a phone-wide screen never scrolls sideways", async () => {
      await page.getByRole("link", { name: "Users" }).click();
      await page.getByRole("heading", { name: "Users of Acme" }).waitFor();
      const usersAddress = page.url();
      await page.reload();
      await page.getByRole("heading", { name: "Users of Acme" }).waitFor();
      assert.equal(page.url(), usersAddress);
      assert.equal(await page.getByRole("link", { name: "Users" }).getAttribute("aria-current"), "page");
      await page.goBack();
      await page.getByRole("heading", { name: "Setup links of Acme" }).waitFor();
      await page.goForward();
      await page.getByRole("heading", { name: "Users of Acme" }).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Users of Acme", "focus on the page's heading");

      // Two links made together, so the setup links page has two rows of buttons to tell apart.
      const setup = await f.service.admin<{ token: string }>("POST", `/api/v1/orgs/${f.orgId}/setup-links`, {});
      await f.service.admin("POST", `/api/v1/orgs/${f.orgId}/setup-links`, {});
      await page.setViewportSize({ width: 390, height: 800 });
      for (const path of [
        "/orgs",
        `/orgs/${f.orgId}`,
        `/orgs/${f.orgId}/users`,
        `/orgs/${f.orgId}/setup-links`,
        `/orgs/${f.orgId}/audit`,
      ]) {
        await page.goto(`${f.service.url}/admin#${path}`);
        await page.locator("main > section:not([hidden]) h1").filter({ hasText: /\w/ }).waitFor();
        await page.waitForLoadState("networkidle");
        const wide = await page.evaluate(() =>
          [...document.querySelectorAll("body *")]
            .filter((e) => !e.closest(".table-box") && e.getBoundingClientRect().right > document.documentElement.clientWidth)
            .map((e) => `${e.tagName}#${e.id}.${e.className} ${e.getBoundingClientRect().right}`)
            .slice(0, 5),
        );
        assert.equal(await overflowsSideways(page), false, `#${path} fits 390 px: ${wide.join(", ")}`);
        const names = await controlNames(page);
        assert.ok(names.includes('link "Organisations"'), names.join(", "));
        assert.deepEqual(
          names.filter((name, i) => names.indexOf(name) !== i),
          [],
          `#${path}: each control's name is unique on its page`,
        );
      }
      await page.setViewportSize({ width: 900, height: 720 });

      // A setup link's session sees its own organisation's pages only: the operator's pages lead home.
      const holder = await page.context().newPage();
      await holder.goto(`${f.service.url}/admin/setup#${setup.body.token}`);
      await holder.getByRole("heading", { name: "Acme" }).waitFor();
      assert.equal(await holder.getByRole("link", { name: "Users" }).isVisible(), false);
      assert.equal(await holder.getByRole("link", { name: "Organisations" }).isVisible(), false);
      assert.ok(await holder.getByRole("link", { name: "Audit trail" }).isVisible());
      for (const path of [`/orgs/${f.orgId}/users`, `/orgs/${otherId}`, "/orgs"]) {
        await holder.evaluate((hash) => (location.hash = hash), `#${path}`);
        await holder.waitForFunction((home) => location.hash === home, `#/orgs/${f.orgId}`);
        await holder.getByRole("heading", { name: "Acme" }).waitFor();
      }
      await holder.close();
    });

    assert.deepEqual(
      problems.filter((p) => !/status of (401|409)/.test(p)),
      [],
      "nothing but the first look before signing in (401) and the refused domain (409)",
    );
  });
});
