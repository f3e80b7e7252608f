// The README's "Configure an organisation and a provider" snippets, run as written, in order,
// in one shell against a started service, so the quick start cannot drift from the code. The
// shell runs in a scratch directory shaped like the checkout (`data/` is the service's DATA_DIR,
// `node_modules` is the checkout's, so `npx pipeshub-auth` is the CLI of this checkout); the only
// change to the text is the port, since tests must not take port 3000.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { freePort, repoRoot, spawnService } from "./support/spawned-service.ts";

/** The `sh` code blocks between the heading `title` and the next heading of its level or above. */
function shellBlocks(markdown: string, title: string): string[] {
  const level = /^#+/.exec(title)![0].length;
  const blocks: string[] = [];
  let inSection = false;
  let fence: string[] | undefined; // the lines of the code block being read, when in one
  let isShell = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) {
      if (fence === undefined) {
        fence = [];
        isShell = line.trim() === "```sh";
      } else {
        if (inSection && isShell) blocks.push(fence.join("\n"));
        fence = undefined;
      }
    } else if (fence !== undefined) {
      fence.push(line);
    } else if (line === title) {
      inSection = true;
    } else if (inSection && new RegExp(`^#{1,${level}} `).test(line)) {
      break;
    }
  }
  assert.ok(inSection, `README has no heading "${title}"`);
  return blocks;
}

describe("the README runs as written", () => {
  test("configuring an organisation and a provider: every snippet succeeds against a started service", { timeout: 120_000 }, async (t) => {
    const cwd = mkdtempSync(join(tmpdir(), "pipeshub-readme-"));
    t.after(() => rmSync(cwd, { recursive: true, force: true }));
    mkdirSync(join(cwd, "data"));
    symlinkSync(join(repoRoot, "node_modules"), join(cwd, "node_modules"));
    const port = await freePort();
    const service = spawnService(t, { DATA_DIR: join(cwd, "data"), PORT: String(port), DEMO: "off" });
    await service.waitFor(/listening on/);

    const blocks = shellBlocks(readFileSync(join(repoRoot, "README.md"), "utf8"), "### Configure an organisation and a provider");
    assert.ok(blocks.length >= 2, "the section has its snippets");
    const script = ["set -euo pipefail", ...blocks].join("\n").replaceAll("localhost:3000", `127.0.0.1:${port}`);
    const run = spawnSync("bash", ["-c", script], {
      cwd,
      encoding: "utf8",
      timeout: 90_000,
      // The CLI's documented default URL is http://127.0.0.1:3000; this service has another port.
      env: { ...process.env, PIPESHUB_AUTH_URL: `http://127.0.0.1:${port}`, ADMIN_TOKEN: "", npm_config_yes: "false" },
    });
    assert.equal(run.status, 0, `the snippets failed:\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);

    const orgId = /organisation (\S+)/.exec(run.stdout)?.[1];
    assert.ok(orgId, run.stdout);
    const providers = (await (await service.admin(`http://127.0.0.1:${port}/api/v1/orgs/${orgId}/oauth-providers`)).json()) as
      { providers?: unknown[] } | unknown[];
    const list = Array.isArray(providers) ? providers : (providers.providers ?? []);
    assert.ok(
      list.some(
        (p) => (p as { name?: string; providerName?: string }).name === "okta" || (p as { providerName?: string }).providerName === "okta",
      ),
      `the provider "okta" was created: ${JSON.stringify(providers)}`,
    );
    // Every curl answer in the snippets was a success, not an AuthError.
    assert.doesNotMatch(run.stdout, /"statusCode":\s*[45]\d\d/, run.stdout);
  });
});
