/**
 * Throughput of POST /userAccount/oauth/exchange against a fast loopback provider, as ratios
 * to two baselines measured in the same run (these machines are noisy):
 *  - floor: GET /healthz of the same service (Fastify + this machine, nothing else);
 *  - peer: the usual hand-rolled exchange (a Fastify route that posts the code to the token
 *    endpoint and decodes the ID token without verifying anything).
 * Our exchange does more (org/provider lookup, redirect check, openid-client response checks,
 * ID-token signature against the JWKS, account link, an audit row), so the interesting number
 * is how much of the peer's throughput that safety costs.
 *
 * Run: npm run bench  (BENCH_SECONDS, BENCH_CONNECTIONS to change the load; loopback only)
 */
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fork } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
// @ts-expect-error autocannon ships no type declarations
import autocannon from "autocannon";
import Fastify from "fastify";
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from "jose";
import { buildApp } from "../packages/server/src/app.ts";
import { testConfig } from "../packages/server/src/config.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
const REDIRECT = "https://app.bench.test/callback";

interface Result { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number }

function listen(server: Server): Promise<string> {
  return new Promise((done) => server.listen(0, "127.0.0.1", () => {
    const a = server.address();
    done(`http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`);
  }));
}

/** A provider that answers every token request at once with a valid, pre-signed ID token. */
async function fastProvider() {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  let issuer = "";
  let idToken = "";
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const json = (body: unknown) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.url === "/.well-known/openid-configuration") {
        return json({ issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: ["ES256"], response_types_supported: ["code"], subject_types_supported: ["public"] });
      }
      if (req.url === "/jwks") return json({ keys: [jwk] });
      if (req.url === "/token") return json({ access_token: "at-bench", token_type: "Bearer", expires_in: 3600, id_token: idToken });
      res.writeHead(404).end();
    });
  });
  issuer = await listen(server);
  const now = Math.floor(Date.now() / 1000);
  idToken = await new SignJWT({ email: "bench@bench.test", email_verified: true, name: "Bench" })
    .setProtectedHeader({ alg: "ES256", kid: "k1" }).setIssuer(issuer).setAudience("bench-app").setSubject("bench-user")
    .setIssuedAt(now).setExpirationTime(now + 3600).sign(privateKey);
  return { issuer, close: () => new Promise<void>((d) => server.close(() => d())) };
}

/** The hand-rolled exchange many apps ship: no redirect check, no signature, no claims. */
async function naivePeer(tokenEndpoint: string) {
  const app = Fastify();
  app.post("/exchange", async (request) => {
    const { code, redirectUri } = request.body as { code: string; redirectUri: string };
    const response = await fetch(tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from("bench-app:bench-secret").toString("base64")}` },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri }),
    });
    const tokens = (await response.json()) as { access_token: string; id_token: string; token_type: string; expires_in: number };
    decodeJwt(tokens.id_token);
    return tokens;
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const a = app.server.address();
  return { url: `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`, close: () => app.close() };
}

function load(title: string, url: string, options: { method?: string; body?: string } = {}): Promise<Result> {
  return new Promise((done, fail) => {
    autocannon({ title, url, connections, duration: seconds, method: options.method ?? "GET", headers: { "content-type": "application/json" }, ...(options.body && { body: options.body }) }, (error: unknown, result: Result) => (error ? fail(error) : done(result)));
  });
}

if (process.argv[2] === "--targets") {
  await startTargets();
} else {
  await measure();
}

/** Child process: the provider, the service and the peer, so autocannon does not share their event loop. */
async function startTargets(): Promise<void> {
const provider = await fastProvider();
const dir = mkdtempSync(join(tmpdir(), "pipeshub-bench-"));
const app = await buildApp(testConfig({ logLevel: "silent", database: { kind: "sqlite", path: join(dir, "bench.sqlite") }, outboundTimeoutMs: 10_000 }));
await app.server.listen({ host: "127.0.0.1", port: 0 });
const address = app.server.server.address();
const service = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
const org = await app.store.organisations.create("Bench", ["bench.test"]);
const { saveProvider } = await import("../packages/server/src/admin/providers.ts");
const saved = await saveProvider(app.store, org.id, "bench", { clientId: "bench-app", clientSecret: "bench-secret", issuer: provider.issuer, redirectUris: [REDIRECT], enableJit: true }, { allowInsecureLoopback: true });
if (!saved.ok) throw new Error(saved.message);
const peer = await naivePeer(`${provider.issuer}/token`);
const body = JSON.stringify({ code: "any", email: "bench@bench.test", provider: "bench", redirectUri: REDIRECT });
// Warm up: discovery, JWKS and the first sign-in's provisioning happen once, not in the measurement.
const warm = await fetch(`${service}/userAccount/oauth/exchange`, { method: "POST", headers: { "content-type": "application/json" }, body });
if (warm.status !== 200) throw new Error(`warm-up exchange failed: ${warm.status} ${await warm.text()}`);

process.send!({ service, peer: peer.url });
process.on("message", async () => {
  const audits = await app.store.db.selectFrom("audit_events").select(({ fn }) => fn.countAll().as("n")).executeTakeFirstOrThrow();
  process.send!({ audits: Number(audits.n) });
  await peer.close();
  await app.close();
  await provider.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
}

async function measure(): Promise<void> {
const child = fork(fileURLToPath(import.meta.url), ["--targets"], { stdio: "inherit" });
const { service, peer } = await new Promise<{ service: string; peer: string }>((done) => child.once("message", (m) => done(m as { service: string; peer: string })));
const body = JSON.stringify({ code: "any", email: "bench@bench.test", provider: "bench", redirectUri: REDIRECT });
const floor = await load("floor: GET /healthz", `${service}/healthz`);
const naive = await load("peer: hand-rolled exchange", `${peer}/exchange`, { method: "POST", body });
const ours = await load("pipeshub-auth exchange", `${service}/userAccount/oauth/exchange`, { method: "POST", body });

const row = (name: string, r: Result) => `${name.padEnd(34)} ${r.requests.average.toFixed(0).padStart(8)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   non-2xx ${r.non2xx}   errors ${r.errors}`;
console.log(`\n${connections} connections, ${seconds} s each, loopback\n`);
console.log(row("floor: GET /healthz", floor));
console.log(row("peer: hand-rolled exchange", naive));
console.log(row("pipeshub-auth exchange", ours));
console.log(`\nexchange / peer  = ${(ours.requests.average / naive.requests.average).toFixed(2)}`);
console.log(`exchange / floor = ${(ours.requests.average / floor.requests.average).toFixed(2)}`);
child.send("stop");
const { audits } = await new Promise<{ audits: number }>((done) => child.once("message", (m) => done(m as { audits: number })));
console.log(`audit records written: ${audits}`);
}
