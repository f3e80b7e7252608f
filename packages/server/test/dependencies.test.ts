// The service ships without `oidc-provider`: the demo provider built on it lives in
// packages/demo-provider, which the server reaches only through that package's API.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { repoRoot } from "./support/spawned-service.ts";

const SERVER = join(repoRoot, "packages/server");
const DEPENDENCY_FIELDS = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"] as const;
type Manifest = Partial<Record<(typeof DEPENDENCY_FIELDS)[number], Record<string, string>>>;

/** `oidc-provider` (or a path inside it) as a quoted module specifier: static, dynamic or in a variable. */
const OIDC_PROVIDER_SPECIFIER = /(["'`])oidc-provider(?:\/[^"'`]*)?\1/;

describe("the service's dependencies", () => {
  test("oidc-provider is not a dependency of packages/server, in package.json or the lockfile", () => {
    const manifest = JSON.parse(readFileSync(join(SERVER, "package.json"), "utf8")) as Manifest;
    const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as { packages: Record<string, Manifest> };
    const locked = lock.packages["packages/server"];
    assert.ok(locked, "package-lock.json has an entry for packages/server");
    for (const [where, entry] of [
      ["package.json", manifest],
      ["package-lock.json", locked],
    ] as const) {
      for (const field of DEPENDENCY_FIELDS) assert.equal(entry[field]?.["oidc-provider"], undefined, `${where} ${field}`);
    }
    // It comes in through the demo provider package instead.
    assert.equal(manifest.dependencies?.["@pipeshub-auth/demo-provider"], "*");
  });

  test("no file in packages/server/src imports oidc-provider", () => {
    const sources = readdirSync(join(SERVER, "src"), { recursive: true, encoding: "utf8" }).filter((file) => /\.[cm]?[jt]s$/.test(file));
    assert.ok(sources.length > 10, "found the service's sources");
    const importing = sources.filter((file) => OIDC_PROVIDER_SPECIFIER.test(readFileSync(join(SERVER, "src", file), "utf8")));
    assert.deepEqual(importing, []);
  });
});
