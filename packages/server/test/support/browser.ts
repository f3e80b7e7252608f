/**
 * What the Chromium tests share: Debian's Chromium driven by playwright-core with a fresh profile
 * per test, and `npm start` with the demo on a fresh data directory. Without a Chromium the
 * files that use this are skipped (`chromiumSkip`).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { chromium } from "playwright-core";
import { freePort, spawnService, temporaryDataDir } from "./spawned-service.ts";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
/** The reason to skip browser tests, or false when Chromium is there. */
export const chromiumSkip = existsSync(CHROMIUM) ? false : `no Chromium executable at ${CHROMIUM} (set CHROMIUM_PATH)`;

/** A fresh `npm start` with DEMO=auto: answers the sign-in page's URL, the demo provider's, and the demo user. */
export async function startDemo(t: TestContext) {
  const service = spawnService(t, { DATA_DIR: temporaryDataDir(t), PORT: String(await freePort()), DEMO: "auto" });
  const signIn = (await service.waitFor(/Sign in at:\s+(http:\/\/\S+)/))[1]!;
  const provider = (await service.waitFor(/Demo provider:\s+(http:\/\/\S+)/))[1]!;
  const user = await service.waitFor(/Demo user:\s+(\S+)\s+password: (\S+)/);
  return { service, signIn, provider, email: user[1]!, password: user[2]! };
}

export type RunningDemo = Awaited<ReturnType<typeof startDemo>>;

/** A browser with a fresh profile; page errors and console errors (CSP violations among them) are collected. */
export async function openBrowser(t: TestContext) {
  const profile = mkdtempSync(join(tmpdir(), "pipeshub-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 900, height: 720 },
  });
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  return { page, problems };
}
