// Type-level contract of the public API: the seed's call compiles, wrong calls do not.
// Runs the real compiler on fixtures (kept out of the package's own typecheck).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
const fixtures = fileURLToPath(new URL("./fixtures/types/", import.meta.url));

/** Type-checks a project; resolves to the exit code and the compiler's output. */
async function compile(project: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [tsc, "-p", project], { cwd: dirname(project) });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

function typecheck(name: string): Promise<{ code: number; output: string }> {
  return compile(join(fixtures, `tsconfig.${name}.json`));
}

describe("public types", { concurrency: true }, () => {
  it("accept the seed's call and the documented flow", async () => {
    const { code, output } = await typecheck("valid");
    assert.equal(code, 0, output);
  });

  it("reject an exchange without email", async () => {
    const { code, output } = await typecheck("missing-email");
    assert.notEqual(code, 0);
    assert.match(output, /missing-email\.ts\(\d+,\d+\): error TS2345/);
    assert.match(output, /Property 'email' is missing/);
  });

  it("reject Python's snake_case redirect_uri", async () => {
    const { code, output } = await typecheck("snake-case");
    assert.notEqual(code, 0);
    assert.match(output, /'redirect_uri' does not exist in type 'ExchangeCodeRequest'/);
  });

  it("require narrowing authenticate's result before reading tokens", async () => {
    const { code, output } = await typecheck("unnarrowed");
    assert.notEqual(code, 0);
    assert.match(output, /Property 'refreshToken' does not exist on type 'AuthenticateNextStep'/);
  });

  it("accept every TypeScript example in the README", async () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
    assert.ok(blocks.length >= 4, `found ${blocks.length} examples`);
    const dir = mkdtempSync(join(tmpdir(), "pipeshub-readme-"));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const names = blocks.map((block, index) => {
      const name = `example-${index + 1}.mts`;
      writeFileSync(join(dir, name), `${block}\nexport {};\n`);
      return name;
    });
    const config = {
      extends: join(fixtures, "tsconfig.json"),
      compilerOptions: { noUnusedLocals: false },
      files: [join(fixtures, "readme-globals.d.ts"), ...names],
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config));
    const { code, output } = await compile(join(dir, "tsconfig.json"));
    assert.equal(code, 0, output);
  });
});
