/**
 * SAML providers and the directory's users in the admin console, in a real browser (Debian's
 * Chromium driven by playwright-core) against the service on loopback and the independent test
 * IdP (test/support/saml-idp.ts), driven by role and accessible name. One browser for the file:
 * the subtests go on where the one before stopped. Without Chromium the file is skipped.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { chromiumSkip as skip, openBrowser } from "./support/browser.ts";
import { startSamlIdp } from "./support/saml-idp.ts";
import { ada, startSamlService } from "./support/saml-sign-in-fixture.ts";
import { makeScimToken, scimClient } from "./support/scim-client.ts";

type SamlView = {
  acsUrl: string;
  spEntityId: string;
  enableJit: boolean;
  idpMetadataUrl?: string;
  emailAttribute?: string;
  idpCertificates: { fingerprintSha256: string }[];
};

const hashOf = (page: Page) => new URL(page.url()).hash;

describe("SAML providers and provisioned users in the console, in Chromium", { skip, timeout: 240_000 }, () => {
  test("add a SAML provider from a preset, check it, test a sign-in through it, and see the directory's users", async (t) => {
    // The browser first, so it closes first (hooks run in order): the IdP and the service then have no open connections to wait for.
    const { page, problems } = await openBrowser(t);
    const idp = await startSamlIdp({ user: ada });
    t.after(() => idp.close());
    const service = await startSamlService(t);
    const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Corp", domains: ["corp.test"] });
    assert.equal(org.status, 201, org.text);
    const orgId = org.body.id;
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: service.url });
    await page.goto(`${service.url}/admin#/orgs/${orgId}`);
    await page.getByLabel("Admin token").fill(service.app.config.adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Corp", exact: true }).waitFor();
    const providerPath = `/api/v1/orgs/${orgId}/saml-providers/corp-saml`;

    await t.test(
      "the wizard saves a SAML provider from the Okta preset with a metadata URL and JIT on; its page shows what to copy",
      async () => {
        await page.getByText("Add a SAML 2.0 provider").click();
        await page.getByRole("combobox", { name: "Identity provider (SAML 2.0)" }).selectOption("okta");
        assert.match(
          await page.locator("#saml-wizard-preset-help").innerText(),
          /Metadata URL → IdP metadata URL/,
          "the preset says where each value goes",
        );
        await page.getByRole("textbox", { name: "SAML provider name (letters, digits, dashes)" }).fill("corp-saml");
        const acsUrl = `${service.url}/api/v1/saml/${orgId}/corp-saml/acs`;
        assert.match(
          await page.locator("#saml-wizard-sp").innerText(),
          new RegExp(acsUrl.replace(/[./]/g, "\\$&")),
          "SP values known before saving",
        );
        await page.getByRole("textbox", { name: "IdP metadata URL" }).fill(idp.metadataUrl);
        await page.getByRole("checkbox", { name: /just-in-time/i }).check();
        await page.getByRole("button", { name: "Save SAML provider" }).click();
        await page.getByRole("heading", { name: "SAML provider corp-saml" }).waitFor();
        assert.equal(hashOf(page), `#/orgs/${orgId}/saml-providers/corp-saml`);

        const saved = await service.admin<SamlView>("GET", providerPath);
        assert.equal(saved.status, 200, saved.text);
        assert.deepEqual([saved.body.enableJit, saved.body.idpMetadataUrl, saved.body.emailAttribute], [true, idp.metadataUrl, "email"]);
        assert.equal(saved.body.acsUrl, acsUrl);
        assert.equal(await page.getByRole("checkbox", { name: /just-in-time/i }).isChecked(), true);
        await page.getByRole("button", { name: "Copy ACS URL" }).click();
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), acsUrl);
        await page.getByRole("button", { name: "Copy SP entity ID" }).click();
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), saved.body.spEntityId);
        const certificates = await page.locator("#view-saml-provider table").first().innerText();
        assert.ok(certificates.includes(saved.body.idpCertificates[0]!.fingerprintSha256), certificates);
        assert.match(certificates, /Valid/);

        // A refused setting is said beside its field, in the form's words.
        const skew = page.getByRole("textbox", { name: "Clock skew (seconds)" });
        await skew.fill("100000");
        await page.getByRole("button", { name: "Save" }).click();
        await page.getByRole("alert").filter({ hasText: "Clock skew (seconds)" }).waitFor();
        assert.equal(await skew.getAttribute("aria-invalid"), "true");
        await skew.fill("90");
        await page.getByRole("button", { name: "Save" }).click();
        await page.getByRole("status").filter({ hasText: "Saved corp-saml." }).waitFor();
        assert.equal((await service.admin<{ clockSkewSeconds: number }>("GET", providerPath)).body.clockSkewSeconds, 90);

        await page.getByRole("button", { name: "Run the doctor" }).click();
        await page.getByRole("heading", { name: "Doctor: corp-saml" }).waitFor();
        assert.doesNotMatch(await page.locator("#view-saml-provider .panel").innerText(), /\bfail\b/);

        // The organisation's page lists it, marked SAML; the wizard asks before replacing it.
        await page.getByRole("link", { name: "← Corp: providers" }).click();
        const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "corp-saml" }) });
        assert.match(await row.innerText(), /SAML/);
        await page.getByText("Add a SAML 2.0 provider").click();
        await page.getByRole("textbox", { name: "SAML provider name (letters, digits, dashes)" }).fill("corp-saml");
        await page.getByRole("textbox", { name: "IdP metadata URL" }).fill(idp.metadataUrl);
        await page.getByRole("button", { name: "Save SAML provider" }).click();
        await page.getByRole("group", { name: "Replace corp-saml" }).getByRole("button", { name: "Cancel" }).click();
        assert.equal(
          (await service.admin<{ clockSkewSeconds: number }>("GET", providerPath)).body.clockSkewSeconds,
          90,
          "Cancel sends nothing",
        );
      },
    );

    await t.test("a test sign-in through the test IdP shows the assertion's attributes and the decision, creating nothing", async () => {
      await page.getByRole("link", { name: "corp-saml" }).click();
      await page.getByRole("heading", { name: "SAML provider corp-saml" }).waitFor();
      const popup = page.waitForEvent("popup");
      await page.getByRole("button", { name: "Test sign-in at corp-saml" }).click();
      await (await popup).waitForEvent("close");
      const panel = page.locator("#view-saml-provider .panel");
      await panel.getByRole("heading", { name: "Test sign-in: corp-saml" }).waitFor();
      const result = await panel.innerText();
      assert.match(result, /would succeed and create a new user/);
      assert.match(result, /ada-persistent-7f3/, "the NameID");
      assert.match(result, /email\s+ada@corp\.test/, "each attribute");
      const users = await service.admin<unknown[]>("GET", `/api/v1/orgs/${orgId}/users`);
      assert.deepEqual(users.body, [], "nothing was created");
    });

    await t.test("the users page marks a user the directory created as provisioned, with its external ID", async () => {
      const scim = scimClient(service, await makeScimToken(service, orgId));
      const made = await scim("POST", "/Users", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: "grace@corp.test",
        externalId: "00u-grace",
        emails: [{ value: "grace@corp.test", type: "work", primary: true }],
        active: true,
      });
      assert.equal(made.status, 201, made.text);
      const byHand = await service.admin("POST", `/api/v1/orgs/${orgId}/users`, { email: "hedy@corp.test" });
      assert.equal(byHand.status, 201, byHand.text);
      await page.getByRole("link", { name: "Users" }).click();
      const grace = page.getByRole("row").filter({ hasText: "grace@corp.test" });
      await grace.waitFor();
      assert.match(await grace.innerText(), /provisioned[\s\S]*External ID: 00u-grace/);
      assert.doesNotMatch(await page.getByRole("row").filter({ hasText: "hedy@corp.test" }).innerText(), /provisioned/);
    });

    assert.deepEqual(
      problems.filter((p) => !/status of (400|401)/.test(p)),
      [],
    );
  });
});
