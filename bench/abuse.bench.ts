/**
 * npm run bench:abuse — what a flood from one address costs the service (issue #13's figures):
 *
 *  initAuth  --requests (100000) unauthenticated `POST /userAccount/initAuth` from one address,
 *            once with the rate limits off (the in-memory state's cap is what bounds memory)
 *            and once with the default RATE_LIMIT_PER_MINUTE; answers by status, RSS before
 *            and after, and the state's entries afterwards (from /metrics when exposed).
 *  metrics   --requests exchanges naming random provider names; then the size of one /metrics
 *            scrape and how long it took, and RSS before and after.
 *
 * Each scenario gets a fresh service process (SQLite, in-memory state). --connections (32).
 */
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import autocannon, { type Result } from "autocannon";
import { rssMiB } from "./lib/proc.ts";
import { newServiceSetup, type RunningService, startService } from "./lib/service.ts";

const { values } = parseArgs({
  options: { requests: { type: "string", default: "100000" }, connections: { type: "string", default: "32" } },
});
const REQUESTS = Number(values.requests);
const CONNECTIONS = Number(values.connections);

interface Flood {
  readonly statuses: Record<string, number>;
  readonly seconds: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
}

/** `amount` requests at `path`, each with its own body, from one address. */
function load(service: RunningService, path: string, body: () => string, amount: number): Promise<Result> {
  return autocannon({
    url: service.url,
    connections: CONNECTIONS,
    amount,
    timeout: 30,
    requests: [
      { method: "POST", path, headers: { "content-type": "application/json" }, setupRequest: (req) => ({ ...req, body: body() }) },
    ],
  }) as unknown as Promise<Result>;
}

/** A warm-up (its memory is the process's, not the flood's), then the flood, RSS around it. */
async function flood(service: RunningService, path: string, body: () => string): Promise<Flood> {
  await load(service, path, body, 2000);
  const rssBefore = rssMiB(service.pid);
  const result = await load(service, path, body, REQUESTS);
  const statuses: Record<string, number> = {};
  for (const [status, stats] of Object.entries((result as Result & { statusCodeStats?: Record<string, unknown> }).statusCodeStats ?? {}))
    statuses[status] = (stats as { count: number }).count;
  if (result.errors + result.timeouts > 0) statuses.errors = result.errors + result.timeouts;
  return { statuses, seconds: result.duration, rssBefore, rssAfter: rssMiB(service.pid) };
}

async function withService<T>(env: NodeJS.ProcessEnv, work: (service: RunningService, adminToken: string) => Promise<T>): Promise<T> {
  const setup = newServiceSetup();
  const service = await startService(setup, { env });
  try {
    return await work(service, setup.adminToken);
  } finally {
    await service.stop();
    rmSync(setup.dataDir, { recursive: true, force: true });
  }
}

const describeFlood = (f: Flood) =>
  `${Object.entries(f.statuses)
    .map(([s, n]) => `${n} × ${s}`)
    .join(
      ", ",
    )} in ${f.seconds.toFixed(1)} s; RSS ${f.rssBefore.toFixed(0)} → ${f.rssAfter.toFixed(0)} MiB (+${(f.rssAfter - f.rssBefore).toFixed(0)})`;

const initAuthBody = () => "{}";

console.log(`${REQUESTS} requests per scenario, ${CONNECTIONS} connections, one address\n`);

// Twice the same flood: RSS after the first includes the heap V8 grows under load anyway; a
// bounded state shows as a plateau after the second.
await withService({ RATE_LIMIT_PER_MINUTE: "0" }, async (s) => {
  const first = await flood(s, "/userAccount/initAuth", initAuthBody);
  console.log(`initAuth, limits off (MEMORY_STATE_MAX_ENTRIES 100000 bounds the state): ${describeFlood(first)}`);
  const second = await flood(s, "/userAccount/initAuth", initAuthBody);
  console.log(`  the same flood again:                                                ${describeFlood(second)}`);
});

const limited = await withService({ RATE_LIMIT_PER_MINUTE: "300" }, (s) => flood(s, "/userAccount/initAuth", initAuthBody));
console.log(`initAuth, default RATE_LIMIT_PER_MINUTE (300):                         ${describeFlood(limited)}`);

await withService({ RATE_LIMIT_PER_MINUTE: "0" }, async (service, adminToken) => {
  const org = await fetch(`${service.url}/api/v1/orgs`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Flood", domains: ["flood.test"] }),
  });
  if (org.status !== 201) throw new Error(`creating the organisation answered ${org.status}`);
  const sample = await fetch(`${service.url}/userAccount/oauth/exchange`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code: "c", email: "u@flood.test", redirectUri: "https://app.flood.test/callback", provider: "p-sample" }),
  });
  console.log(`(an exchange naming an unknown provider answers ${sample.status}: ${await sample.text()})`);
  let n = 0;
  const exchanges = await flood(service, "/userAccount/oauth/exchange", () =>
    JSON.stringify({
      code: `c${n}`,
      email: `u${n}@flood.test`,
      provider: `p-${(n++).toString(36)}-${Math.random().toString(36).slice(2)}`,
    }),
  );
  console.log(`exchange with ${REQUESTS} random provider names:                        ${describeFlood(exchanges)}`);
  const started = performance.now();
  const scrape = await (await fetch(`${service.url}/metrics`)).text();
  const ms = performance.now() - started;
  const series = scrape.split("\n").filter((line) => line.startsWith("pipeshub_auth_")).length;
  console.log(
    `/metrics afterwards: ${(scrape.length / 1024).toFixed(1)} KiB, ${series} pipeshub_auth_ series, scraped in ${ms.toFixed(0)} ms`,
  );
});
