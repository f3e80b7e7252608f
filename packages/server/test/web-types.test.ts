/**
 * The pages' browser modules (src/web/*.js) are type-checked as they are served (checkJs, no
 * build step), against the SDK's types generated from /openapi.json: a wrong field of an API
 * answer or body fails here, as it fails `npm run typecheck`.
 */
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { describe, test } from "node:test";
import ts from "typescript";

const WEB = resolve(import.meta.dirname, "../src/web");

/** The diagnostics of src/web's project, with `extra` files (name → text) added beside its modules. */
function diagnostics(extra: Record<string, string> = {}): string[] {
  const configPath = resolve(WEB, "tsconfig.json");
  const config = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
  })!;
  const added = new Map(Object.entries(extra).map(([name, text]) => [resolve(WEB, name), text]));
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => added.has(name) || fileExists(name);
  host.readFile = (name) => added.get(name) ?? readFile(name);
  host.getSourceFile = (name, language, ...rest) =>
    added.has(name) ? ts.createSourceFile(name, added.get(name)!, language) : getSourceFile(name, language, ...rest);
  const program = ts.createProgram([...config.fileNames, ...added.keys()], config.options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file ? `${d.file.fileName.slice(WEB.length + 1)}: ` : ""}${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
}

describe("the pages' modules are type-checked against the API's generated types", () => {
  test("every module passes, and a wrong field of an answer, a body or a route is an error", () => {
    const probe = `// @ts-check
import { callApi } from "./api-client.js";
export async function probe() {
  const { data } = await callApi("post", "/userAccount/initAuth", { body: { email: "a@example.com" } });
  data.oauthProvider;
  await callApi("put", "/api/v1/orgs/{orgId}/oauth-providers/{name}", { params: { orgId: "o", name: "n" }, body: { clientid: "c" } });
  await callApi("get", "/userAccount/initAuth");
}
`;
    const found = diagnostics({ "probe-for-test.js": probe });
    const ofPages = found.filter((line) => !line.startsWith("probe-for-test.js"));
    assert.deepEqual(ofPages, [], "the served modules type-check");
    const ofProbe = found.filter((line) => line.startsWith("probe-for-test.js"));
    assert.equal(ofProbe.length, 3, ofProbe.join("\n"));
    assert.match(ofProbe[0]!, /'oauthProvider' does not exist/);
    assert.match(ofProbe[1]!, /'clientid' does not exist/);
    assert.match(ofProbe[2]!, /"get"' is not assignable/);
  });
});
