import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { stateKey } from "../../src/signin/flow.ts";
import { closedPortUrl, startHangingServer } from "../support/faulty-servers.ts";
import { startService } from "../support/service.ts";
import { alice, CLIENT_SECRET, REDIRECT_URI, signInFixture, startSignIn } from "../support/sign-in-fixture.ts";

const root = resolve(import.meta.dirname, "../../../..");
const contractDir = resolve(root, "contract");

type Schema = { properties?: Record<string, unknown>; required?: string[]; $ref?: string };
type OpenApi = {
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content: Record<string, { schema: Schema }> };
        responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
      }
    >
  >;
  components?: { schemas?: Record<string, Schema> };
};

function deref(doc: OpenApi, schema: Schema): Schema {
  return schema.$ref ? doc.components!.schemas![schema.$ref.split("/").pop()!]! : schema;
}

describe("API docs", () => {
  test("the generated OpenAPI exchange operation matches the contract and the seed (contract/)", async (t) => {
    const service = await startService(t);
    const ours = (await service.request<OpenApi>("GET", "/openapi.json")).body;
    const contract = parse(readFileSync(join(contractDir, "pipeshub-user-account-openapi.yaml"), "utf8")) as OpenApi;
    const path = "/userAccount/oauth/exchange";
    const mine = ours.paths[path]?.post;
    const theirs = contract.paths[path]?.post;
    assert.ok(mine && theirs, "both documents describe POST /userAccount/oauth/exchange");

    const myBody = deref(ours, mine.requestBody!.content["application/json"]!.schema);
    const theirBody = deref(contract, theirs.requestBody!.content["application/json"]!.schema);
    for (const field of Object.keys(theirBody.properties!)) assert.ok(field in myBody.properties!, `request field ${field}`);
    for (const field of theirBody.required!) assert.ok(myBody.required!.includes(field), `required ${field}`);
    // The seed's parameters, in the wire's camelCase: all required (the seed adds email).
    const seed = readFileSync(join(contractDir, "seed-oauth-exchange_code.md"), "utf8");
    const seedRequired = [...seed.matchAll(/^\| `(\w+)`\s*\|[^|]*\|\s*:heavy_check_mark:/gm)].map((m) =>
      m[1]!.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()),
    );
    assert.deepEqual(seedRequired.sort(), ["code", "email", "provider", "redirectUri"]);
    assert.deepEqual([...myBody.required!].sort(), seedRequired);

    const myOk = deref(ours, mine.responses["200"]!.content!["application/json"]!.schema);
    const theirOk = deref(contract, theirs.responses["200"]!.content!["application/json"]!.schema);
    assert.deepEqual(Object.keys(myOk.properties!).sort(), Object.keys(theirOk.properties!).sort());
    assert.deepEqual([...myOk.required!].sort(), [...theirOk.required!].sort());
    for (const status of ["400", "401", "404", "500"]) assert.ok(mine.responses[status], `documents ${status}`);
  });

  test("/docs serves a browsable reference", async (t) => {
    const service = await startService(t);
    const response = await fetch(`${service.url}/docs/`, { redirect: "follow" });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await response.text(), /swagger/i);
  });
});

describe("operations", () => {
  test("/metrics counts a sign-in after one happens, and the provider calls it made", async (t) => {
    const f = await signInFixture(t);
    const before = await (await fetch(`${f.service.url}/metrics`)).text();
    assert.doesNotMatch(before, /pipeshub_auth_sign_ins_total\{[^}]*outcome="success"/);
    assert.equal((await f.exchange({ code: await f.code(alice.sub), email: alice.email })).status, 200);
    const after = await (await fetch(`${f.service.url}/metrics`)).text();
    assert.match(
      after,
      new RegExp(
        `pipeshub_auth_sign_ins_total\\{event="oauth.exchange",org="${f.orgId}",provider="acme-idp",outcome="success",error=""\\} 1`,
      ),
    );
    assert.match(after, /pipeshub_auth_provider_call_duration_seconds_count\{provider="acme-idp",endpoint="token"\} 1/);
    assert.match(after, /pipeshub_auth_http_requests_total\{route="\/userAccount\/oauth\/exchange",method="POST",status="200"\} 1/);
  });

  test("/readyz is 200 when the database and shared state answer, 503 when Redis does not", async (t) => {
    const ok = await startService(t);
    assert.equal((await ok.request("GET", "/readyz")).status, 200);
    const down = await closedPortUrl();
    const broken = await startService(t, { redisUrl: down.replace("http:", "redis:") });
    const response = await broken.request<{ error: string }>("GET", "/readyz");
    assert.equal(response.status, 503);
    assert.equal(response.body.error, "SERVICE_UNAVAILABLE");
  });

  test("the logs of a whole sign-in at debug level contain no secret, code, PKCE verifier or token", async (t) => {
    const f = await signInFixture(t);
    const { session, code, state } = await startSignIn(f, alice);
    // The authorization request's record (with the PKCE verifier) stays until the exchange takes it.
    const pending = JSON.parse((await f.service.app.state.get(stateKey("authz", state)))!) as { codeVerifier: string };
    const exchanged = await f.exchange({ code, email: alice.email, state }, session);
    const providerTokens = exchanged.body as { access_token: string; id_token: string };
    const final = await f.service.request<{ accessToken: string; refreshToken: string }>(
      "POST",
      "/userAccount/authenticate",
      { method: "oauth", credentials: { accessToken: providerTokens.access_token, idToken: providerTokens.id_token } },
      { "x-session-token": session },
    );
    assert.equal(final.status, 200, final.text);
    const refreshed = await f.service.request<{ refreshToken: string }>("POST", "/userAccount/refresh/token", undefined, {
      authorization: `Bearer ${final.body.refreshToken}`,
    });
    assert.equal(refreshed.status, 200);
    const logs = f.service.logs();
    assert.match(logs, /"level":20/, "debug lines were captured");
    const secrets = {
      clientSecret: CLIENT_SECRET,
      code,
      verifier: pending.codeVerifier,
      state,
      session,
      providerAccess: providerTokens.access_token,
      providerId: providerTokens.id_token,
      access: final.body.accessToken,
      refresh: final.body.refreshToken,
      rotated: refreshed.body.refreshToken,
    };
    for (const [name, value] of Object.entries(secrets)) assert.ok(!logs.includes(value), `${name} reached the logs`);
  });

  test("SIGTERM lets an in-flight request finish, then the process exits 0", async (t) => {
    const hanging = await startHangingServer();
    t.after(() => hanging.close());
    const dataDir = mkdtempSync(join(tmpdir(), "pipeshub-term-"));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const child = spawn(process.execPath, [join(root, "packages/server/src/main.ts")], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: "0",
        DEMO: "off",
        LOG_LEVEL: "warn",
        OUTBOUND_TIMEOUT_MS: "1500",
        ALLOW_INSECURE_LOOPBACK_PROVIDERS: "true",
        ADMIN_TOKEN: "term-test-admin-token-123",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    t.after(() => child.kill("SIGKILL"));
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    let url: string | undefined;
    for (let i = 0; i < 1200 && !url; i++) {
      url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(url, out);
    const admin = { authorization: "Bearer term-test-admin-token-123", "content-type": "application/json" };
    const org = (await (
      await fetch(`${url}/api/v1/orgs`, { method: "POST", headers: admin, body: JSON.stringify({ name: "T", domains: ["t.test"] }) })
    ).json()) as { id: string };
    await fetch(`${url}/api/v1/orgs/${org.id}/oauth-providers/slow`, {
      method: "PUT",
      headers: admin,
      body: JSON.stringify({
        clientId: "c",
        clientSecret: "s",
        authorizationUrl: `${hanging.url}/a`,
        tokenEndpoint: `${hanging.url}/t`,
        userInfoEndpoint: `${hanging.url}/u`,
        redirectUris: [REDIRECT_URI],
      }),
    });
    const inFlight = fetch(`${url}/userAccount/oauth/exchange`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code: "c", email: "a@t.test", provider: "slow", redirectUri: REDIRECT_URI }),
    });
    while (hanging.requests === 0) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGTERM");
    const response = await inFlight;
    assert.equal(response.status, 504);
    assert.equal(((await response.json()) as { error: string }).error, "PROVIDER_TIMEOUT");
    assert.equal(await exited, 0);
  });
});
