// The README and the pages of docs/ it leads to: README.md stays short enough to read in the first
// hour, every relative link in the Markdown resolves, and docs/configure-a-provider.md's
// "Configure an organisation and a provider" snippets run as written, in order, in one shell
// against a started service, so the first steps cannot drift from the code. The
// shell runs in a scratch directory shaped like the checkout (`data/` is the service's DATA_DIR,
// `node_modules` is the checkout's, so `npx pipeshub-auth` is the CLI of this checkout); the only
// change to the text is the port, since tests must not take port 3000.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
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
  assert.ok(inSection, `no heading "${title}"`);
  return blocks;
}

describe("configuring an organisation and a provider, as docs/configure-a-provider.md says", () => {
  test("every snippet succeeds against a started service", { timeout: 120_000 }, async (t) => {
    const cwd = mkdtempSync(join(tmpdir(), "pipeshub-readme-"));
    t.after(() => rmSync(cwd, { recursive: true, force: true }));
    mkdirSync(join(cwd, "data"));
    symlinkSync(join(repoRoot, "node_modules"), join(cwd, "node_modules"));
    const port = await freePort();
    const service = spawnService(t, { DATA_DIR: join(cwd, "data"), PORT: String(port), DEMO: "off" });
    await service.waitFor(/listening on/);

    const page = readFileSync(join(repoRoot, "docs", "configure-a-provider.md"), "utf8");
    const blocks = shellBlocks(page, "## Configure an organisation and a provider");
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

/** Markdown without its fenced blocks and inline code, where `](` and `#` are not links or headings. */
function prose(markdown: string): string[] {
  const lines: string[] = [];
  let inFence = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) inFence = !inFence;
    else if (!inFence) lines.push(line.replaceAll(/`[^`]*`/g, ""));
  }
  return lines;
}

/** The anchors GitHub gives a page's headings: the text lowercased, punctuation dropped, spaces as hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) inFence = !inFence;
    const heading = inFence ? undefined : /^#{1,6} (.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const text = heading.replaceAll(/\[([^\]]*)\]\([^)]*\)/g, "$1").replaceAll(/[`*]/g, "");
    const base = text
      .trim()
      .toLowerCase()
      .replaceAll(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replaceAll(" ", "-");
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** Each relative link in the Markdown files (paths under `root`) whose file, or heading in a Markdown file, does not exist. */
function brokenLinks(root: string, files: string[]): string[] {
  const broken: string[] = [];
  for (const file of files) {
    for (const [, target] of prose(readFileSync(join(root, file), "utf8"))
      .join("\n")
      .matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(target!)) continue; // https:, mailto:, …: not this repository's
      const [path, anchor] = target!.split("#", 2) as [string, string | undefined];
      const resolved = path === "" ? join(root, file) : join(root, dirname(file), decodeURIComponent(path));
      if (!existsSync(resolved)) broken.push(`${file}: ${target} (no file ${relative(root, resolved)})`);
      else if (anchor !== undefined && resolved.endsWith(".md") && !headingAnchors(readFileSync(resolved, "utf8")).has(anchor))
        broken.push(`${file}: ${target} (no heading #${anchor} in ${relative(root, resolved)})`);
    }
  }
  return broken;
}

/** The project's own Markdown: the root's, docs/ and each package's README (contract/ is copied verbatim from elsewhere). */
function projectMarkdown(): string[] {
  const root = readdirSync(repoRoot).filter((name) => name.endsWith(".md"));
  const docs = readdirSync(join(repoRoot, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`);
  const packages = readdirSync(join(repoRoot, "packages"))
    .map((name) => `packages/${name}/README.md`)
    .filter((path) => existsSync(join(repoRoot, path)));
  return [...root, ...docs, ...packages];
}

describe("the README and docs/", () => {
  test("README.md is under 15 KB: what the first hour needs, the rest in docs/", () => {
    const bytes = readFileSync(join(repoRoot, "README.md")).byteLength;
    assert.ok(bytes < 15_000, `README.md is ${bytes} bytes; move sections to a page of docs/ and link it`);
  });

  test("every page of docs/ is linked from the README", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const pages = readdirSync(join(repoRoot, "docs")).filter((name) => name.endsWith(".md"));
    assert.deepEqual(
      pages.filter((page) => !readme.includes(`](docs/${page}`)),
      [],
    );
  });

  test("every relative link in the project's Markdown leads to a file that exists, and to a heading there when it names one", () => {
    const files = projectMarkdown();
    assert.ok(
      files.includes("README.md") && files.includes("docs/configure-a-provider.md") && files.includes("ARCHITECTURE.md"),
      String(files),
    );
    assert.deepEqual(brokenLinks(repoRoot, files), []);
  });

  test("the link check finds a missing file, a missing heading, and ignores links in code", (t) => {
    const dir = mkdtempSync(join(tmpdir(), "pipeshub-links-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, "docs"));
    writeFileSync(join(dir, "docs", "page.md"), "# A page\n\n## Step one: `run` it\n\n## Step one: `run` it\n");
    writeFileSync(
      join(dir, "README.md"),
      [
        "[ok](docs/page.md) [ok](docs/page.md#step-one-run-it-1) [ok](#readme) [web](https://example.com/x.md#y)",
        "[gone](docs/gone.md) [no heading](docs/page.md#step-two)",
        "`[code](docs/code.md)`",
        "```sh\n[fenced](docs/fenced.md)\n```",
        "# Readme",
      ].join("\n"),
    );
    assert.deepEqual(brokenLinks(dir, ["README.md", "docs/page.md"]), [
      "README.md: docs/gone.md (no file docs/gone.md)",
      "README.md: docs/page.md#step-two (no heading #step-two in docs/page.md)",
    ]);
  });
});
