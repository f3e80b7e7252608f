/**
 * The import rules between the parts of src/, checked on every run: arrows point down
 * (http → signin/admin → oauth/store/state/keys → domain), and only the composition roots wire
 * concrete storage, state and keys.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { describe, test } from "node:test";

const SRC = resolve(import.meta.dirname, "../src");

/** What each part may import besides itself and libraries. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  domain: [],
  store: ["domain"],
  state: ["domain"],
  keys: ["domain"],
  oauth: ["domain"],
  // SAML 2.0: AuthnRequests, response validation, metadata; the one part that parses XML.
  saml: ["domain"],
  presets: ["domain"],
  // keys/ for the service's own tokens (keys/service-jwt.ts): signin/ holds no protocol library.
  signin: ["domain", "oauth", "saml", "keys"],
  admin: ["domain", "oauth", "saml", "presets"],
  http: ["domain", "signin", "admin"],
  // Settings name where the database lives (domain/database-location.ts), never storage itself.
  "config.ts": ["domain", "config-values.ts"],
  "config-values.ts": ["domain"],
  // The demo mode is part of starting up: it seeds an organisation through admin/ into the store.
  demo: ["domain", "admin", "store", "config.ts"],
};

/** Composition roots wire concrete parts together (app.ts with its wiring/); web/ is static files. */
const UNCHECKED = new Set(["app.ts", "wiring", "main.ts", "free-port.ts", "secrets-on-disk.ts", "data-dir-lock.ts", "web"]);

/** The other packages talk to the service over HTTP (the SDK) or stand alone: none imports the server's source. */
const OTHER_PACKAGES = ["sdk", "cli", "demo-provider"].map((name) => resolve(SRC, "../..", name, "src"));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const partOf = (path: string) => relative(SRC, path).split("/")[0]!;

/** The pages' browser modules (src/web/*.js), type-checked by src/web/tsconfig.json and served as they are. */
const WEB = join(SRC, "web");
const browserModules = () =>
  readdirSync(WEB)
    .filter((name) => name.endsWith(".js"))
    .map((name) => join(WEB, name));
/** The SDK's types generated from /openapi.json: the one thing outside src/web a page names, in a JSDoc type. */
const GENERATED_API = resolve(SRC, "../../sdk/src/generated/api.ts");
const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");

function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [
    ...text.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"|(?:^|\n)\s*import\s+"(\.[^"]+)"|import\(\s*"(\.[^"]+)"\s*\)/g,
    ),
  ].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

describe("the parts of the server import only downwards", () => {
  const files = sourceFiles(SRC).filter((file) => !UNCHECKED.has(partOf(file)));

  test("every checked file belongs to a known part", () => {
    assert.deepEqual(
      [...new Set(files.map(partOf))].filter((part) => !(part in MAY_IMPORT)),
      [],
    );
  });

  for (const [part, allowed] of Object.entries(MAY_IMPORT)) {
    test(`${part}/ imports ${allowed.length === 0 ? "nothing else of the project" : `only ${allowed.map((p) => `${p}/`).join(", ")}`}`, () => {
      const violations = files
        .filter((file) => partOf(file) === part)
        .flatMap((file) => relativeImports(file).map((specifier) => ({ file, target: partOf(resolve(dirname(file), specifier)) })))
        .filter(({ target }) => target !== part && !allowed.includes(target))
        .map(({ file, target }) => `${relative(SRC, file)} imports ${target}`);
      assert.deepEqual(violations, []);
    });
  }

  test("the SDK, the CLI and the demo provider never import the server's source", () => {
    const serverRoot = resolve(SRC, "..");
    const violations = OTHER_PACKAGES.flatMap((dir) => sourceFiles(dir))
      .flatMap((file) => relativeImports(file).map((specifier) => ({ file, target: resolve(dirname(file), specifier) })))
      .filter(({ target }) => target === serverRoot || target.startsWith(`${serverRoot}/`))
      .map(({ file, target }) => `${relative(resolve(SRC, "../.."), file)} imports ${relative(resolve(SRC, "../.."), target)}`);
    assert.deepEqual(violations, []);
  });

  test("the pages' modules import only each other, and name the API's generated types only in comments", () => {
    const modules = browserModules();
    const violations = modules.flatMap((file) => {
      const text = readFileSync(file, "utf8");
      const code = [...withoutComments(text).matchAll(/\b(?:import|from)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1]!);
      const types = [...text.matchAll(/\bimport\("([^"]+)"\)/g)].map((m) => m[1]!);
      return [
        ...code
          .filter((specifier) => !modules.includes(resolve(WEB, specifier)))
          .map((specifier) => `${basename(file)} imports ${specifier}`),
        ...types
          .filter((specifier) => ![...modules, GENERATED_API].includes(resolve(WEB, specifier)))
          .map((specifier) => `${basename(file)} names types of ${specifier}`),
      ];
    });
    assert.deepEqual(violations, []);
  });

  test("no source file is over 300 lines (split by responsibility), the SDK's, the CLI's and the demo provider's too", () => {
    // Generated files (the SDK's API types and response schemas) say so in their first line and are exempt.
    const generated = (file: string) => readFileSync(file, "utf8").startsWith("// Generated by");
    const long = [...sourceFiles(SRC), ...browserModules(), ...OTHER_PACKAGES.flatMap((dir) => sourceFiles(dir))]
      .filter((file) => !generated(file))
      .map((file) => ({ file: relative(SRC, file), lines: readFileSync(file, "utf8").split("\n").length - 1 }))
      .filter(({ lines }) => lines > 300);
    assert.deepEqual(long, []);
  });
});

/** The bare specifiers (libraries) a file imports, e.g. "jose" for `import { … } from "jose"`. */
function libraryImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"([^".][^"]*)"|import\(\s*"([^".][^"]*)"\s*\)/g)].map(
    (m) => (m[1] ?? m[2])!,
  );
}

describe("protocol work and the HTTP edges stay where they belong", () => {
  const files = sourceFiles(SRC);

  test("the protocol libraries (openid-client, jose) are imported only in oauth/ and keys/", () => {
    const protocol = /^(openid-client|jose)(\/|$)/;
    const violations = files
      .filter((file) => !["oauth", "keys"].includes(partOf(file)))
      .flatMap((file) =>
        libraryImports(file)
          .filter((name) => protocol.test(name))
          .map((name) => `${relative(SRC, file)} imports ${name}`),
      );
    assert.deepEqual(violations, []);
  });

  test("the SAML and XML libraries (node-saml, xml-crypto, xmldom, xml-encryption) are imported only in saml/", () => {
    const saml = /^(@node-saml\/node-saml|xml-crypto|@xmldom\/xmldom|xml-encryption|xpath)(\/|$)/;
    const violations = files
      .filter((file) => partOf(file) !== "saml")
      .flatMap((file) =>
        libraryImports(file)
          .filter((name) => saml.test(name))
          .map((name) => `${relative(SRC, file)} imports ${name}`),
      );
    assert.deepEqual(violations, []);
  });

  test("http/public and http/admin never import each other (what both need lives in http/)", () => {
    const edgeOf = (path: string) => relative(SRC, path).split("/").slice(0, 2).join("/");
    const edges = ["http/public", "http/admin"];
    const violations = files
      .filter((file) => edges.includes(edgeOf(file)))
      .flatMap((file) => relativeImports(file).map((specifier) => ({ file, target: edgeOf(resolve(dirname(file), specifier)) })))
      .filter(({ file, target }) => edges.includes(target) && target !== edgeOf(file))
      .map(({ file, target }) => `${relative(SRC, file)} imports ${target}`);
    assert.deepEqual(violations, []);
  });

  test("the sign-in steps share state only through signin/flow.ts: no step imports another", () => {
    const steps = ["init-auth.ts", "exchange.ts", "authenticate.ts", "saml-authorize.ts", "saml-acs.ts", "saml-exchange.ts"].map((name) =>
      join(SRC, "signin", name),
    );
    const violations = steps.flatMap((file) =>
      relativeImports(file)
        .map((specifier) => resolve(dirname(file), specifier))
        .filter((target) => target !== file && steps.includes(target))
        .map((target) => `${relative(SRC, file)} imports ${relative(SRC, target)}`),
    );
    assert.deepEqual(violations, []);
  });
});
