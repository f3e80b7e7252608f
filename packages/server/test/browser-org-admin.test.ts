/**
 * The sign-in page's hand-off to the admin console (`/?next=admin`), in a real browser (Debian's
 * Chromium driven by playwright-core) against what `npm start` starts on a fresh data directory.
 * Without Chromium the file is skipped, like browser.test.ts (whose helpers these repeat).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { chromium } from "playwright-core";
import { freePort, spawnService, temporaryDataDir } from "./support/spawned-service.ts";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `no Chromium executable at ${CHROMIUM} (set CHROMIUM_PATH)`;

async function startDemo(t: TestContext) {
  const service = spawnService(t, { DATA_DIR: temporaryDataDir(t), PORT: String(await freePort()), DEMO: "auto" });
  const signIn = (await service.waitFor(/Sign in at:\s+(http:\/\/\S+)/))[1]!;
  const provider = (await service.waitFor(/Demo provider:\s+(http:\/\/\S+)/))[1]!;
  const user = await service.waitFor(/Demo user:\s+(\S+)\s+password: (\S+)/);
  return { service, signIn, provider, email: user[1]!, password: user[2]! };
}

async function openBrowser(t: TestContext) {
  const profile = mkdtempSync(join(tmpdir(), "pipeshub-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"],
    viewport: { width: 900, height: 720 },
  });
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return { page, problems };
}

describe("the sign-in page hands an organisation admin over to the console", { skip, timeout: 240_000 }, () => {
  test("/?next=admin: a member stays signed in with the service's reason; an admin lands in the console with an org-scoped session", async (t) => {
    const demo = await startDemo(t);
    const { page, problems } = await openBrowser(t);
    const url = (path: string) => new URL(path, demo.signIn).href;

    // The demo user's first sign-in provisions them, as a member.
    await page.goto(url("/?next=admin"));
    await page.getByLabel("Work email").fill(demo.email);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.getByRole("button", { name: "Continue with demo" }).click();
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
    await page.context().clearCookies({ name: "pipeshub_console" });
    await page.goto(url("/?next=admin"));
    await page.getByLabel("Work email").fill(demo.email);
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.getByRole("button", { name: "Continue with demo" }).click();
    await page.waitForURL((u) => u.pathname === "/admin");
    assert.deepEqual(await (await page.request.get(url("/admin/session"))).json(), { kind: "org-admin", orgId, email: demo.email });
    assert.deepEqual(problems, []);
  });
});
