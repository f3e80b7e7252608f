/**
 * npm run bench:growth — does the exchange slow down as the deployment grows, and does the
 * service's memory grow with the exchanges it has done? Two parts:
 *
 *  size  Per engine (SQLite, PostgreSQL): the same exchange against a large deployment
 *        (--orgs 10000 organisations, --users 1000000 users with identity links, seeded in SQL
 *        by bench/lib/seed.ts) and a small one (1 organisation, --small-users 100), both
 *        services running, rounds alternating; prints the throughput ratio large/small.
 *        The small case signs in all its users; the large one --active 1000 users spread over
 *        as many organisations and the whole user range. PostgreSQL uses schemas of
 *        --pg-url (bench_growth_small/_large), dropped and recreated for every run.
 *  rss   One service (SQLite, 1 organisation, --rss-users 1000 users), exchanges without pause;
 *        its RSS after each of --rss-marks 100000,200000,300000 exchanges and the growth
 *        from the first mark to the last.
 *
 * Other settings (flag or env BENCH_…): --parts size,rss --engines sqlite,postgres --rounds 3
 * --seconds 6 --connections 32 --warmup-seconds 2 --keep (leave the databases behind).
 * A quick look: `npm run bench:growth -- --orgs 100 --users 20000 --rss-marks 5000,10000,15000 --seconds 3`.
 */
import { rmSync, statSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import {
  type BenchUser,
  emailOf,
  exchangeEachUserOnce,
  exchangeRound,
  formatLatency,
  type Measurement,
  summarise,
  type Target,
} from "./lib/load.ts";
import { peakRssMiB, rssMiB } from "./lib/proc.ts";
import { BENCH_DIR, startNode } from "./lib/processes.ts";
import { READY_LINE, readyDetails } from "./lib/ready.ts";
import { dropPostgresSchema, postgresSchemaBytes, resetPostgresSchema, seedPostgres, seedSqlite, type SeedPlan } from "./lib/seed.ts";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  configureOrganisation,
  newServiceSetup,
  type RunningService,
  type ServiceSetup,
  startService,
} from "./lib/service.ts";
import { flagSetting, numberSetting, stringSetting } from "./lib/settings.ts";

const parts = stringSetting("parts", "size,rss").split(",");
const engines = stringSetting("engines", "sqlite,postgres").split(",");
const orgs = numberSetting("orgs", 10_000);
const userCount = numberSetting("users", 1_000_000);
const smallUsers = numberSetting("small-users", 100);
const active = numberSetting("active", 1000);
const rounds = numberSetting("rounds", 3);
const seconds = numberSetting("seconds", 6);
const connections = numberSetting("connections", 32);
const warmupSeconds = numberSetting("warmup-seconds", 2);
const pgUrl = stringSetting("pg-url", "postgres://pipeshub:pipeshub@127.0.0.1:5432/pipeshub_h6");
const rssMarks = stringSetting("rss-marks", "100000,200000,300000").split(",").map(Number);
const rssUsers = numberSetting("rss-users", 1000);
const keep = flagSetting("keep");

console.log(
  `pipeshub-auth growth benchmark: parts ${parts.join(",")}, Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}`,
);

const provider = await startNode(join(BENCH_DIR, "provider.ts"), { env: { ...process.env, CLIENT_ID, CLIENT_SECRET }, ready: READY_LINE });
const { issuer } = readyDetails<{ issuer: string }>(provider.match);

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Which users load a deployment: up to `count`, spread evenly over users and organisations. */
function activeUsers(plan: SeedPlan, count: number): BenchUser[] {
  const n = Math.min(count, plan.users);
  let stride = Math.max(1, Math.floor(plan.users / n));
  while (plan.orgs > 1 && gcd(stride, plan.orgs) !== 1) stride++;
  return Array.from({ length: n }, (_, i) => {
    const g = (i * stride) % plan.users;
    return { g, d: g % plan.orgs };
  });
}

/** The service's JS heap in use, MiB, from its own /metrics (prom-client's default metrics), if it says. */
async function heapUsedMiB(url: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const match = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
    return match ? Number(match[1]) / 2 ** 20 : undefined;
  } catch {
    return undefined;
  }
}

function mustSucceed(name: string, m: Measurement): void {
  if (m.failures === 0) return;
  console.error(`\nINVALID: ${name} had ${m.failures} failed requests: ${m.firstFailure ?? ""}`);
  process.exit(1);
}

interface Deployment {
  readonly name: string;
  readonly plan: SeedPlan;
  readonly setup: ServiceSetup;
  readonly users: BenchUser[];
  service: RunningService;
  dbBytes: number;
  cleanup(): Promise<void>;
}

/** Migrates and configures through the API, stops the service, seeds in SQL, starts it again. */
async function deploy(engine: string, size: "small" | "large", plan: SeedPlan): Promise<Deployment> {
  const name = `${engine} ${size} (${plan.orgs} orgs, ${plan.users} users)`;
  const schema = `bench_growth_${size}`;
  let setup: ServiceSetup;
  if (engine === "postgres") {
    await resetPostgresSchema(pgUrl, schema);
    setup = newServiceSetup(`${pgUrl}${pgUrl.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`);
  } else {
    setup = newServiceSetup();
    setup = { ...setup, databaseUrl: `sqlite:${join(setup.dataDir, "growth.sqlite")}` };
  }
  const started = performance.now();
  let service = await startService(setup);
  await configureOrganisation(service, setup, { name: "Growth 0", domain: "d0.bench.test", issuer });
  await service.stop();
  const progress = (line: string) => console.log(`  ${name}: ${line}`);
  if (engine === "postgres") await seedPostgres(pgUrl, schema, plan, setup.encryptionKey, progress);
  else await seedSqlite(join(setup.dataDir, "growth.sqlite"), plan, setup.encryptionKey, progress);
  service = await startService(setup);
  const dbBytes = engine === "postgres" ? await postgresSchemaBytes(pgUrl, schema) : statSync(join(setup.dataDir, "growth.sqlite")).size;
  console.log(`  ${name}: ready in ${((performance.now() - started) / 1000).toFixed(0)} s, database ${(dbBytes / 2 ** 20).toFixed(1)} MiB`);
  const deployment: Deployment = {
    name,
    plan,
    setup,
    service,
    dbBytes,
    users: activeUsers(plan, size === "small" ? plan.users : active),
    async cleanup() {
      await deployment.service.stop();
      if (keep) return console.log(`  kept: ${engine === "postgres" ? `schema ${schema}` : setup.dataDir}`);
      if (engine === "postgres") await dropPostgresSchema(pgUrl, schema);
      rmSync(setup.dataDir, { recursive: true, force: true });
    },
  };
  return deployment;
}

const sizeResults: string[] = [];
if (parts.includes("size")) {
  for (const engine of engines) {
    if (engine !== "sqlite" && engine !== "postgres") throw new Error(`unknown engine ${engine}`);
    console.log(`\n${engine}: setting up`);
    const small = await deploy(engine, "small", { orgs: 1, users: smallUsers });
    const large = await deploy(engine, "large", { orgs, users: userCount });
    const deployments = [small, large];
    const targets = new Map<Deployment, Target>(deployments.map((d) => [d, { name: d.name, url: d.service.url, pid: d.service.pid }]));
    for (const d of deployments) {
      await exchangeEachUserOnce(targets.get(d)!, d.users, connections);
      mustSucceed(d.name, await exchangeRound(targets.get(d)!, d.users, { connections, seconds: warmupSeconds }));
    }
    const results = new Map<Deployment, Measurement[]>(deployments.map((d) => [d, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const d of round % 2 === 1 ? deployments : [...deployments].reverse()) {
        const m = await exchangeRound(targets.get(d)!, d.users, { connections, seconds });
        console.log(
          `round ${round}  ${d.name.padEnd(44)} ${m.perSecond.toFixed(0).padStart(5)}/s  p50 ${formatLatency(m.p50)} ms  p99 ${formatLatency(m.p99)} ms  CPU ${m.cpuMicrosPerOp.toFixed(0)} µs/op  failed ${m.failures}`,
        );
        mustSucceed(d.name, m);
        results.get(d)!.push(m);
      }
    }
    const s = summarise(results.get(small)!);
    const l = summarise(results.get(large)!);
    const row = (d: Deployment, m: Measurement) =>
      `| ${d.name} | ${(d.dbBytes / 2 ** 20).toFixed(1)} | ${m.perSecond.toFixed(0)} | ${formatLatency(m.p50)} | ${formatLatency(m.p99)} | ${m.cpuMicrosPerOp.toFixed(0)} | ${m.peakRssMiB.toFixed(0)} | ${m.failures} |`;
    sizeResults.push(
      row(small, s),
      row(large, l),
      `| **${engine}: large / small throughput ${(l.perSecond / s.perSecond).toFixed(2)}**, CPU per exchange ${(l.cpuMicrosPerOp / s.cpuMicrosPerOp).toFixed(2)}, p99 ${(l.p99 / s.p99).toFixed(2)} | | | | | | | |`,
    );
    await small.cleanup();
    await large.cleanup();
  }
  console.log(
    `\nMedians of ${rounds} rounds × ${seconds} s, ${connections} connections (large: ${active} active users over as many organisations; small: all):\n`,
  );
  console.log("| deployment | database MiB | exchanges/s | p50 ms | p99 ms | server CPU µs per exchange | peak RSS MiB | non-2xx |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const line of sizeResults) console.log(line);
}

if (parts.includes("rss")) {
  console.log(`\nRSS over a long run: SQLite, 1 organisation, ${rssUsers} users, ${connections} connections`);
  const setup = newServiceSetup();
  const service = await startService(setup);
  const users: BenchUser[] = Array.from({ length: rssUsers }, (_, g) => ({ g, d: 0 }));
  await configureOrganisation(service, setup, { name: "Bench", domain: "d0.bench.test", issuer, userEmails: users.map(emailOf) });
  const target: Target = { name: "service", url: service.url, pid: service.pid };
  await exchangeEachUserOnce(target, users, connections);
  const heapNote = async () => {
    const heap = await heapUsedMiB(service.url);
    return heap === undefined ? "" : `, JS heap used ${heap.toFixed(0)} MiB`;
  };
  console.log(`  after start and ${rssUsers} warm-up exchanges: RSS ${rssMiB(service.pid).toFixed(0)} MiB${await heapNote()}`);
  let done = 0;
  const atMark: number[] = [];
  const since = performance.now();
  for (const mark of rssMarks) {
    const m = await exchangeRound(target, users, { connections, amount: mark - done });
    mustSucceed("service", m);
    done += m.ops;
    const rss = rssMiB(service.pid);
    atMark.push(rss);
    const minutes = ((performance.now() - since) / 60_000).toFixed(1);
    console.log(
      `  after ${done} exchanges (${minutes} min): RSS ${rss.toFixed(0)} MiB (peak ${peakRssMiB(service.pid).toFixed(0)} MiB${await heapNote()}); ${m.perSecond.toFixed(0)} exchanges/s over the last ${m.ops}`,
    );
  }
  if (atMark.length > 1) {
    console.log(
      `  RSS growth from ${rssMarks[0]} to ${rssMarks.at(-1)} exchanges: ${(((atMark.at(-1)! - atMark[0]!) / atMark[0]!) * 100).toFixed(0)}%`,
    );
  }
  await service.stop();
  if (!keep) rmSync(setup.dataDir, { recursive: true, force: true });
}

await provider.started.stop();
