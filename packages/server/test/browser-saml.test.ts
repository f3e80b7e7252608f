/**
 * Signing in through SAML in a real browser (Debian's Chromium driven by playwright-core) against
 * what `npm start` starts on a fresh data directory: the Demo organisation's SAML provider, whose
 * IdP is the demo provider's. CI installs Chromium; without one the file is skipped.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { chromiumSkip, openBrowser, startDemo } from "./support/browser.ts";

test(
  "the sign-in page signs in through the demo SAML IdP: the IdP's login, its form posted to the ACS, the code exchanged",
  { skip: chromiumSkip, timeout: 240_000 },
  async (t) => {
    const demo = await startDemo(t);
    const { page, problems } = await openBrowser(t);
    await page.goto(demo.signIn);
    await page.getByLabel("Work email").fill(demo.email);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.getByText(`Signing in as ${demo.email} to Demo`).waitFor();
    await page.getByRole("button", { name: "Continue with demo-saml" }).click();
    await page.waitForURL((url) => url.origin === new URL(demo.provider).origin && url.pathname.startsWith("/saml/"));
    await page.getByLabel("Email").fill(demo.email);
    await page.getByLabel("Password").fill(demo.password);
    await page.getByRole("button", { name: "Sign in" }).click();

    // The IdP's page posts the signed response to the ACS, which sends the browser to /callback with a code.
    await page.getByRole("heading", { name: "You are signed in" }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/", "the code is gone from the address bar");
    assert.equal(await page.locator("#claim-email").innerText(), demo.email);
    assert.equal(await page.locator("#claim-org").innerText(), "Demo");
    assert.deepEqual(problems, []);
  },
);
