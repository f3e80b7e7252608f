// tsc rewrites relative ".ts" imports to ".js" in emitted JavaScript
// (rewriteRelativeImportExtensions) but keeps them in declaration files. TypeScript 5
// resolves those, older compilers reject them, so the published .d.ts files get ".js" too.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dist = new URL("../dist/", import.meta.url).pathname;
const specifier = /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g;

for (const entry of readdirSync(dist, { recursive: true })) {
  const file = join(dist, String(entry));
  if (!file.endsWith(".d.ts")) continue;
  const source = readFileSync(file, "utf8");
  const rewritten = source.replace(specifier, "$1$2.js$3");
  if (rewritten !== source) writeFileSync(file, rewritten);
}
