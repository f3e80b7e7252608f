import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { describe, test } from "node:test";
import fc from "fast-check";
import { type App, buildApp } from "../../src/app.ts";
import { type Config, testConfig } from "../../src/config.ts";
import { ownPostgresSchema } from "../support/postgres-schema.ts";

const postgresUrl = process.env.TEST_DATABASE_URL;
/**
 * Cases per endpoint and engine: 2,000 × 27 operations is about a minute of CPU per engine
 * (about 1.1 ms a case through inject); FUZZ_RUNS raises it for a longer hunt or lowers it locally.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

/** Strings with what breaks parsers and databases: NUL, lone surrogates, long runs, URL escapes. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "\u0000",
    "corp\u0000x",
    "\ud800",
    "x\udc00",
    "%00",
    "%ff",
    "../..",
    "__proto__",
    "constructor",
    "a".repeat(300),
    "null",
    "",
    " ",
  ),
);
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    nasty,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(nasty, tie("value"), { maxKeys: 5 }),
  ),
})).value;

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly bodyFields: string[];
  readonly queryFields: string[];
}

/** Every operation of the app's own OpenAPI document, with the field names its schemas declare. */
async function operations(app: App): Promise<Operation[]> {
  const doc = (await app.server.inject({ method: "GET", url: "/openapi.json" })).json() as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: { in: string; name: string }[];
          requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
        }
      >
    >;
  };
  const found: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!["get", "post", "put", "delete"].includes(method)) continue;
      found.push({
        method: method.toUpperCase(),
        path,
        bodyFields: Object.keys(op.requestBody?.content?.["application/json"]?.schema?.properties ?? {}),
        queryFields: (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name),
      });
    }
  }
  return found;
}

/** A request for `op`: its path parameters, query and body fields (known names and others) and headers, all arbitrary. */
function requestFor(op: Operation, adminToken: string, orgId: string) {
  const known = (names: string[]) => fc.dictionary(names.length ? fc.oneof(fc.constantFrom(...names), nasty) : nasty, json, { maxKeys: 6 });
  return fc
    .record({
      params: fc.array(fc.oneof(nasty, fc.constant(orgId)), { minLength: 4, maxLength: 4 }),
      query: known(op.queryFields),
      body: fc.oneof(
        known(op.bodyFields),
        json,
        fc.constant(undefined),
        nasty.map((s) => ({ raw: s })),
      ),
      admin: fc.boolean(),
      session: fc.option(nasty),
      contentType: fc.constantFrom(
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
      ),
    })
    .map((r) => {
      let i = 0;
      const url = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(r.params[i++]!.replace(/[\ud800-\udfff]/g, "x")));
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(r.query))
        query.append(
          k.replace(/[\ud800-\udfff]/g, "x"),
          typeof v === "string" ? v.replace(/[\ud800-\udfff]/g, "x") : (JSON.stringify(v) ?? ""),
        );
      const headers: Record<string, string> = { "content-type": r.contentType };
      if (r.admin) headers.authorization = `Bearer ${adminToken}`;
      if (r.session !== null) headers["x-session-token"] = r.session.replace(/[^\x21-\x7e]/g, "");
      const raw = r.body as { raw?: string } | undefined;
      const payload =
        raw && typeof raw === "object" && typeof raw.raw === "string" && Object.keys(raw).length === 1
          ? raw.raw
          : r.body === undefined
            ? undefined
            : JSON.stringify(r.body);
      return { method: op.method, url: `${url}${query.size ? `?${query}` : ""}`, headers, payload };
    });
}

async function fuzz(t: TestContext, database: Config["database"] | undefined) {
  const app = await buildApp(testConfig({ logLevel: "silent", lockoutThreshold: 1_000_000, ...(database && { database }) }));
  t.after(() => app.close());
  const org = (
    await app.server.inject({
      method: "POST",
      url: "/api/v1/orgs",
      headers: { authorization: `Bearer ${app.config.adminToken}` },
      payload: { name: "Fuzz", domains: ["fuzz.test"] },
    })
  ).json() as { id: string };
  const ops = await operations(app);
  assert.ok(ops.length >= 20, `the OpenAPI document lists the routes (${ops.length})`);
  let total = 0;
  for (const op of ops) {
    await fc.assert(
      fc.asyncProperty(requestFor(op, app.config.adminToken, org.id), async (request) => {
        const response = await app.server.inject({
          method: request.method as "GET",
          url: request.url,
          headers: request.headers,
          ...(request.payload !== undefined && { payload: request.payload }),
        });
        total++;
        assert.ok(response.statusCode < 500, `${request.method} ${request.url} → ${response.statusCode} ${response.body}`);
        if (response.statusCode >= 400) {
          const body = response.json() as { error?: unknown; message?: unknown; code?: unknown; statusCode?: unknown };
          assert.equal(typeof body.error, "string", response.body);
          assert.equal(typeof body.message, "string", response.body);
          assert.equal(typeof body.code, "string", response.body);
          assert.equal(body.statusCode, response.statusCode, response.body);
        }
      }),
      { numRuns: RUNS },
    );
  }
  t.diagnostic(`${ops.length} operations × ${RUNS} cases: ${total} requests, no 5xx, every error an AuthError`);
}

describe("fuzzing every route of /openapi.json: no 5xx, every error an AuthError", () => {
  test("SQLite", { timeout: 1_200_000 }, (t) => fuzz(t, undefined));
  test("PostgreSQL", { timeout: 1_200_000, skip: postgresUrl ? false : "TEST_DATABASE_URL is not set (CI sets it)" }, async (t) =>
    fuzz(t, { kind: "postgres", url: await ownPostgresSchema(t, postgresUrl!) }),
  );
});
