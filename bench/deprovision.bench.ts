/**
 * npm run bench:deprovision — how soon a SCIM deactivation stops a user's sessions: the time from
 * the answer to `PATCH /scim/v2/{orgId}/Users/{id}` `{active: false}` (Okta's shape) on instance A
 * to the first refresh refused on instance B. Two service processes on one PostgreSQL and one
 * Redis (--database-url, --redis-url, or BENCH_DATABASE_URL / BENCH_REDIS_URL); without them, one
 * instance on SQLite (A and B are the same process). Each round provisions a user through SCIM,
 * signs them in on B, deactivates them on A, then refreshes on B until refused. On demand, not in CI.
 *
 * Settings: --rounds 50. E.g. `npm run bench:deprovision -- --database-url postgres://… --redis-url redis://…`.
 */
import { join } from "node:path";
import pg from "pg";
import { emailOf, keepAliveAgent, median, send, signInOnce } from "./lib/load.ts";
import { BENCH_DIR, startNode } from "./lib/processes.ts";
import { READY_LINE, readyDetails } from "./lib/ready.ts";
import { numberSetting, stringSetting } from "./lib/settings.ts";
import { admin, CLIENT_ID, CLIENT_SECRET, configureOrganisation, newServiceSetup, startService } from "./lib/service.ts";

const rounds = numberSetting("rounds", 50);
const serverUrl = stringSetting("database-url", "") || undefined;
const redisUrl = stringSetting("redis-url", "") || undefined;
const twoInstances = serverUrl !== undefined && redisUrl !== undefined;

/** A database of the run's own on the given server (dropped at the end), so the run never meets another's tables. */
const BENCH_DATABASE = `bench_deprovision_${process.pid}`;
async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}
let databaseUrl: string | undefined;
if (twoInstances) {
  await onServer(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
  await onServer(`CREATE DATABASE ${BENCH_DATABASE}`);
  const url = new URL(serverUrl);
  url.pathname = `/${BENCH_DATABASE}`;
  databaseUrl = url.href;
}

const provider = await startNode(join(BENCH_DIR, "provider.ts"), { env: { ...process.env, CLIENT_ID, CLIENT_SECRET }, ready: READY_LINE });
const { issuer } = readyDetails<{ issuer: string }>(provider.match);
const setupA = newServiceSetup(databaseUrl);
// B shares A's database, secrets and admin token, with a data folder of its own (its own machine).
const setupB = { ...newServiceSetup(databaseUrl), adminToken: setupA.adminToken, encryptionKey: setupA.encryptionKey };
const env = { ...(redisUrl !== undefined && { REDIS_URL: redisUrl }), ADMIN_AUTH_FAILURES_PER_MINUTE: "0" };
const a = await startService(setupA, { env });
const b = twoInstances ? await startService(setupB, { env }) : a;
console.log(
  `pipeshub-auth deprovisioning benchmark: ${rounds} rounds, ${twoInstances ? "two instances on PostgreSQL + Redis" : "one instance on SQLite"}, Node ${process.version}`,
);
try {
  const { orgId } = await configureOrganisation(a, setupA, { name: "Deprovision", domain: "d0.bench.test", issuer });
  const scim = await admin<{ token: string; baseUrl: string }>(a, setupA, "POST", `/api/v1/orgs/${orgId}/scim-tokens`, {}, [201]);
  const scimPath = new URL(scim.baseUrl).pathname;
  const agent = keepAliveAgent(4);
  const providerAgent = keepAliveAgent(4);
  const scimHeaders = { authorization: `Bearer ${scim.token}`, "content-type": "application/scim+json" };
  const gaps: number[] = [];
  let refreshesUntilRefused = 0;
  for (let round = 0; round < rounds; round++) {
    const user = { g: round, d: 0 };
    const created = await send(agent, "POST", `${a.url}${scimPath}/Users`, scimHeaders, JSON.stringify({ userName: emailOf(user) }));
    if (created.status !== 201) throw new Error(`SCIM create answered ${created.status}: ${created.text}`);
    const { id } = JSON.parse(created.text) as { id: string };
    const { refreshToken } = await signInOnce(b.url, agent, providerAgent, user);
    const deactivate = JSON.stringify({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", value: { active: false } }],
    });
    const patched = await send(agent, "PATCH", `${a.url}${scimPath}/Users/${id}`, scimHeaders, deactivate);
    const answered = performance.now();
    if (patched.status !== 200) throw new Error(`SCIM PATCH answered ${patched.status}: ${patched.text}`);
    for (let attempt = 1; ; attempt++) {
      const refreshed = await send(agent, "POST", `${b.url}/userAccount/refresh/token`, { authorization: `Bearer ${refreshToken}` });
      if (refreshed.status !== 200) {
        gaps.push(performance.now() - answered);
        refreshesUntilRefused = Math.max(refreshesUntilRefused, attempt);
        break;
      }
      if (attempt > 1000) throw new Error("refresh still accepted after 1000 attempts");
    }
  }
  gaps.sort((x, y) => x - y);
  const p99 = gaps[Math.min(gaps.length - 1, Math.ceil(gaps.length * 0.99) - 1)]!;
  console.log(
    `SCIM PATCH answered → first refused refresh: median ${median(gaps).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${gaps.at(-1)!.toFixed(1)} ms; refused at the first refresh in ${refreshesUntilRefused === 1 ? "every" : "not every"} round`,
  );
  agent.destroy();
  providerAgent.destroy();
} finally {
  await Promise.all([a.stop(), ...(b === a ? [] : [b.stop()]), provider.started.stop()]);
  if (twoInstances) await onServer(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
}
