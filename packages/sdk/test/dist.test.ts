// The published artefact: dist/ is plain JavaScript plus declarations, loadable by Node
// without type stripping and by TypeScript through package.json "exports".
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const sdk = fileURLToPath(new URL("../", import.meta.url));
const dist = join(sdk, "dist");
const src = join(sdk, "src");
const fixtures = join(sdk, "test", "fixtures", "dist");

/** The files under `dir` (not its folders), as paths relative to it. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** Builds unless dist/ is newer than every source file (`npm run test:sdk` has just built it). */
function stale(): boolean {
  let built: number;
  try {
    built = statSync(join(dist, "index.js")).mtimeMs;
  } catch {
    return true;
  }
  return files(src).some((file) => statSync(join(src, file)).mtimeMs > built);
}

describe("dist", () => {
  before(async () => {
    if (stale()) await run("npm", ["run", "build"], { cwd: sdk });
  });

  it("has a .js and a .d.ts for every source module", () => {
    const expected = files(src).flatMap((file) => [file.replace(/\.ts$/, ".d.ts"), file.replace(/\.ts$/, ".js")]);
    assert.deepEqual(files(dist), expected.sort());
  });

  it("imports no .ts files and no Node built-ins", () => {
    for (const file of files(dist)) {
      const text = readFileSync(join(dist, file), "utf8");
      assert.doesNotMatch(text, /(?:from|import)\s*\(?\s*["'][^"']+\.ts["']/, `${file} imports a .ts file`);
      assert.doesNotMatch(text, /["']node:/, `${file} imports a Node built-in`);
    }
  });

  it("is what package.json exports", () => {
    const manifest = JSON.parse(readFileSync(join(sdk, "package.json"), "utf8"));
    assert.equal(manifest.name, "pipeshub");
    // "pipeshub-source" serves the TypeScript source to this repository's CLI (scripts/launch.mjs
    // turns it on); without it, as for every consumer of the published package, dist/ is served.
    assert.deepEqual(manifest.exports["."], {
      "pipeshub-source": "./src/index.ts",
      types: "./dist/index.d.ts",
      default: "./dist/index.js",
    });
    assert.deepEqual(manifest.files, ["dist"]);
    assert.equal(import.meta.resolve("pipeshub"), new URL("../dist/index.js", import.meta.url).href);
  });

  it("runs under plain Node, type stripping off", async () => {
    const { stdout } = await run(process.execPath, ["--no-experimental-strip-types", join(fixtures, "consumer.mjs")], { cwd: fixtures });
    const manifest = JSON.parse(readFileSync(join(sdk, "package.json"), "utf8"));
    assert.deepEqual(JSON.parse(stdout), {
      version: manifest.version,
      tokens: { accessToken: "at", tokenType: "Bearer", expiresIn: 60 },
      failure: { auth: true, base: true, error: "INVALID_GRANT" },
    });
  });

  // The machine's own Node is 20 on these machines (CI installs 24 beside it): the SDK must run there too.
  const node20 = ["/usr/bin/node", "/usr/local/bin/node"].find((path) => {
    try {
      return statSync(path).isFile() && /^v20\./.test(execFileSync(path, ["--version"], { encoding: "utf8" }));
    } catch {
      return false;
    }
  });
  it("runs under Node 20", { skip: node20 ? false : "no Node 20 on this machine" }, async () => {
    const { stdout } = await run(node20!, [join(fixtures, "consumer.mjs")], { cwd: fixtures });
    assert.equal(JSON.parse(stdout).tokens.tokenType, "Bearer");
  });

  it("type-checks a consumer against the declarations, skipLibCheck off", async () => {
    const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
    const result = await run(process.execPath, [tsc, "-p", join(fixtures, "tsconfig.json")], { cwd: fixtures }).catch(
      (error: { stdout?: string; message: string }) => assert.fail(error.stdout || error.message),
    );
    assert.equal(result.stdout, "");
  });
});
