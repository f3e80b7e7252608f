/**
 * A delegated admin proves a domain in the console (#22), in a real browser (Debian's Chromium
 * driven by playwright-core) against the service on loopback, its TXT lookups going to a DNS
 * server on loopback: a setup link's holder adds a domain, sees it pending with the record to
 * create, "Check now" says what DNS answered, and once the record is served the domain is verified.
 * Without Chromium the file is skipped.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chromiumSkip as skip, openBrowser } from "./support/browser.ts";
import { startTxtDnsServer } from "./support/dns-server.ts";
import { signInFixture } from "./support/sign-in-fixture.ts";

describe("proving a domain in the console, in Chromium", { skip, timeout: 120_000 }, () => {
  test("a setup link's holder adds a domain, creates the record shown, and checks it now", async (t) => {
    const dns = await startTxtDnsServer(t);
    const f = await signInFixture(t, { config: { dnsServers: [dns.address], dnsTimeoutMs: 300 } });
    const link = await f.service.admin<{ token: string }>("POST", `/api/v1/orgs/${f.orgId}/setup-links`, {});
    const { page, problems } = await openBrowser(t);
    await page.goto(`${f.service.url}/admin/setup#${link.body.token}`);
    await page.getByRole("heading", { name: "Acme" }).waitFor();

    await page.getByRole("textbox", { name: "Domain to prove" }).fill("acme.example");
    await page.getByRole("button", { name: "Add domain to prove" }).click();
    const check = page.getByRole("button", { name: "Check acme.example now" });
    await check.waitFor();
    const claims = await f.service.admin<{ domain: string; txtName: string; txtValue: string }[]>("GET", `/api/v1/orgs/${f.orgId}/domains`);
    const claim = claims.body.find((c) => c.domain === "acme.example")!;
    const section = page.locator("#org-domain-claims");
    assert.match(await section.innerText(), new RegExp(`Name\\s+${claim.txtName.replaceAll(".", "\\.")}\\s+Value\\s+${claim.txtValue}`));

    await check.click();
    await page.getByRole("alert").filter({ hasText: "NXDOMAIN" }).waitFor();
    dns.setTxt(claim.txtName, [claim.txtValue]);
    await check.click();
    await page.locator("#status").filter({ hasText: "acme.example is verified" }).waitFor();
    await check.waitFor({ state: "detached" });
    const org = await f.service.admin<{ domains: string[] }>("GET", `/api/v1/orgs/${f.orgId}`);
    assert.deepEqual(org.body.domains, ["acme.example", "acme.test"]);
    assert.deepEqual(
      problems.filter((p) => !/status of 409|Failed to load resource/.test(p)),
      [],
    );
  });
});
