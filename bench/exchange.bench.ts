/**
 * npm run bench — the exchange side by side with two yardsticks, in one run, against one fast
 * RS256 OpenID provider (bench/provider.ts), each system in its own process:
 *   floor    bench/floor.ts: keep-alive node:http redeem + node:crypto RS256 check, nothing else;
 *   peer     bench/peer.ts: Express 5 + passport-oauth2 (token + userinfo), the usual way;
 *   service  `node packages/server/src/main.ts`, configured through its admin API only.
 * All three get the seed's body {code, email, provider, redirectUri}, a distinct code each
 * time, over `users` users the service's organisation claims (added through the API). Rounds
 * alternate the systems; each line is a median over rounds. Then whole sign-ins per second
 * (initAuth → authorize → provider → exchange with state → authenticate) against the service,
 * alternating with whole sign-ins at Better Auth (bench/better-auth-peer.ts: start → provider →
 * callback), with the service/Better Auth ratios of rate, CPU per sign-in and p99.
 * Machines here are shared and noisy: read the ratios, which come from the same run.
 *
 * Settings (flag or env): --rounds 3 --seconds 6 --connections 32 --users 1000
 * --warmup-seconds 2, --no-signin, --profile (also profile the service for one more exchange
 * round and one more sign-in round, and print the top self-time functions of each). E.g. `npm run bench -- --seconds 2 --rounds 1`.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  emailOf,
  exchangeEachUserOnce,
  exchangeRound,
  formatLatency,
  type Measurement,
  signInRound,
  summarise,
  type Target,
  type BenchUser,
} from "./lib/load.ts";
import { betterAuthSignInOnce } from "./lib/better-auth.ts";
import { BENCH_DIR, startNode } from "./lib/processes.ts";
import { topSelfTime } from "./lib/profile.ts";
import { READY_LINE, readyDetails } from "./lib/ready.ts";
import { flagSetting, numberSetting } from "./lib/settings.ts";
import { CLIENT_ID, CLIENT_SECRET, configureOrganisation, newServiceSetup, REDIRECT_URI, startService } from "./lib/service.ts";

const rounds = numberSetting("rounds", 3);
const seconds = numberSetting("seconds", 6);
const connections = numberSetting("connections", 32);
const userCount = numberSetting("users", 1000);
const warmupSeconds = numberSetting("warmup-seconds", 2);
const withSignIn = flagSetting("signin", true);
const withProfile = flagSetting("profile", false);

const DOMAIN = "d0.bench.test";
const users: BenchUser[] = Array.from({ length: userCount }, (_, g) => ({ g, d: 0 }));

console.log(
  `pipeshub-auth exchange benchmark: ${rounds} rounds × ${seconds} s, ${connections} connections, ${userCount} users, Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}`,
);

const provider = await startNode(join(BENCH_DIR, "provider.ts"), { env: { ...process.env, CLIENT_ID, CLIENT_SECRET }, ready: READY_LINE });
const { issuer } = readyDetails<{ issuer: string }>(provider.match);
const yardstickEnv = { ...process.env, ISSUER: issuer, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI };
const [floorProcess, peerProcess, betterAuthProcess] = await Promise.all([
  startNode(join(BENCH_DIR, "floor.ts"), { env: yardstickEnv, ready: READY_LINE }),
  startNode(join(BENCH_DIR, "peer.ts"), { env: yardstickEnv, ready: READY_LINE }),
  withSignIn ? startNode(join(BENCH_DIR, "better-auth-peer.ts"), { env: yardstickEnv, ready: READY_LINE }) : undefined,
]);
const setup = newServiceSetup();
const service = await startService(setup);
await configureOrganisation(service, setup, { name: "Bench", domain: DOMAIN, issuer, userEmails: users.map(emailOf) });

const FLOOR = "floor: node:http + node:crypto";
const PEER = "peer: Express 5 + passport-oauth2";
const SERVICE = "service: POST /userAccount/oauth/exchange";
const SIGN_IN = "service: whole sign-ins (4 service + 2 provider requests)";
const BETTER_AUTH = "peer: Better Auth whole sign-ins (2 + 2 provider requests)";
const targets: Target[] = [
  { name: FLOOR, url: readyDetails<{ url: string }>(floorProcess.match).url, pid: floorProcess.started.pid },
  { name: PEER, url: readyDetails<{ url: string }>(peerProcess.match).url, pid: peerProcess.started.pid },
  { name: SERVICE, url: service.url, pid: service.pid },
];
const serviceTarget: Target = { ...targets[2]!, name: SIGN_IN };
const betterAuthTarget: Target | undefined = betterAuthProcess && {
  name: BETTER_AUTH,
  url: readyDetails<{ url: string }>(betterAuthProcess.match).url,
  pid: betterAuthProcess.started.pid,
};

function line(name: string, m: Measurement): string {
  return `${name.padEnd(58)} ${m.perSecond.toFixed(0).padStart(6)}/s  p50 ${formatLatency(m.p50).padStart(5)} ms  p99 ${formatLatency(m.p99).padStart(5)} ms  CPU ${m.cpuMicrosPerOp.toFixed(0).padStart(6)} µs/op  peak RSS ${m.peakRssMiB.toFixed(0).padStart(4)} MiB  failed ${m.failures}${m.driverMicrosPerOp === undefined ? "" : `  driver ${m.driverMicrosPerOp.toFixed(0)} µs/op`}`;
}

function mustSucceed(name: string, m: Measurement): void {
  if (m.failures === 0) return;
  console.error(`\nINVALID: ${name} had ${m.failures} failed requests: ${m.firstFailure ?? ""}`);
  console.error("A benchmark whose requests fail measures nothing; fix the setup and run again.");
  process.exit(1);
}

// Warm-up: every user signs in once everywhere (the service links each identity here), then
// a short load so the JITs and connection pools are warm before anything is measured.
for (const target of targets) {
  await exchangeEachUserOnce(target, users, connections);
  mustSucceed(target.name, await exchangeRound(target, users, { connections, seconds: warmupSeconds }));
}
if (withSignIn) mustSucceed(SIGN_IN, await signInRound(serviceTarget, users, { connections, seconds: warmupSeconds }));
// Better Auth creates each user at their first sign-in: all of them once, so the rounds measure returning users, as for the service.
if (betterAuthTarget)
  mustSucceed(
    BETTER_AUTH,
    await signInRound(betterAuthTarget, users, { connections, seconds: 600, amount: users.length }, betterAuthSignInOnce),
  );

const results = new Map<string, Measurement[]>([
  ...targets.map((t) => [t.name, []] as [string, Measurement[]]),
  [SIGN_IN, []],
  [BETTER_AUTH, []],
]);
for (let round = 1; round <= rounds; round++) {
  // Alternate the order, so no system always runs right after the same neighbour.
  const order = round % 2 === 1 ? targets : [...targets].reverse();
  for (const target of order) {
    const m = await exchangeRound(target, users, { connections, seconds });
    console.log(`round ${round}  ${line(target.name, m)}`);
    mustSucceed(target.name, m);
    results.get(target.name)!.push(m);
  }
  if (betterAuthTarget) {
    const signIns = [
      { name: SIGN_IN, run: () => signInRound(serviceTarget, users, { connections, seconds }) },
      { name: BETTER_AUTH, run: () => signInRound(betterAuthTarget, users, { connections, seconds }, betterAuthSignInOnce) },
    ];
    for (const { name, run } of round % 2 === 1 ? signIns : signIns.reverse()) {
      const m = await run();
      console.log(`round ${round}  ${line(name, m)}`);
      mustSucceed(name, m);
      results.get(name)!.push(m);
    }
  }
}

const floor = summarise(results.get(FLOOR)!);
const peer = summarise(results.get(PEER)!);
const ours = summarise(results.get(SERVICE)!);
const signIns = withSignIn ? summarise(results.get(SIGN_IN)!) : undefined;
const betterAuth = withSignIn ? summarise(results.get(BETTER_AUTH)!) : undefined;
const stats = (await (await fetch(`${issuer}/stats`)).json()) as Record<string, number>;

console.log(
  `\nMedians of ${rounds} rounds × ${seconds} s, ${connections} connections, ${userCount} users (server CPU and RSS from /proc of the server process):\n`,
);
console.log("| system | per second | p50 ms | p99 ms | server CPU µs per op | peak RSS MiB | non-2xx |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
const rows = [
  [FLOOR, floor],
  [PEER, peer],
  [SERVICE, ours],
  ...(signIns && betterAuth ? [[SIGN_IN, signIns] as const, [BETTER_AUTH, betterAuth] as const] : []),
] as const;
for (const [name, m] of rows) {
  console.log(
    `| ${name} | ${m.perSecond.toFixed(0)} | ${formatLatency(m.p50)} | ${formatLatency(m.p99)} | ${m.cpuMicrosPerOp.toFixed(0)} | ${m.peakRssMiB.toFixed(0)} | ${m.failures} |`,
  );
}
console.log("");
console.log(`service / peer throughput          ${(ours.perSecond / peer.perSecond).toFixed(2)}`);
console.log(`service / floor CPU per exchange   ${(ours.cpuMicrosPerOp / floor.cpuMicrosPerOp).toFixed(2)}`);
console.log(`service / floor p99                ${(ours.p99 / floor.p99).toFixed(2)}`);
console.log(
  `peer / floor throughput            ${(peer.perSecond / floor.perSecond).toFixed(2)}   (peer / floor CPU per exchange ${(peer.cpuMicrosPerOp / floor.cpuMicrosPerOp).toFixed(2)})`,
);
if (signIns && betterAuth) {
  console.log(
    `whole sign-ins per second          ${signIns.perSecond.toFixed(0)}   (service CPU ${signIns.cpuMicrosPerOp.toFixed(0)} µs per sign-in; Better Auth ${betterAuth.perSecond.toFixed(0)}/s, ${betterAuth.cpuMicrosPerOp.toFixed(0)} µs)`,
  );
  console.log(`service / Better Auth sign-ins/s  ${(signIns.perSecond / betterAuth.perSecond).toFixed(2)}`);
  console.log(`service / Better Auth CPU per sign-in  ${(signIns.cpuMicrosPerOp / betterAuth.cpuMicrosPerOp).toFixed(2)}`);
  console.log(`service / Better Auth p99         ${(signIns.p99 / betterAuth.p99).toFixed(2)}`);
  console.log(
    `load driver CPU per sign-in       service ${signIns.driverMicrosPerOp?.toFixed(0)} µs, Better Auth ${betterAuth.driverMicrosPerOp?.toFixed(0)} µs (one process plays every client and browser hop)`,
  );
}
console.log(`provider answered: token ${stats.token}, userinfo ${stats.userinfo}, authorize ${stats.authorize}, refused ${stats.refused}`);

await Promise.all([service.stop(), floorProcess.started.stop(), peerProcess.started.stop(), betterAuthProcess?.started.stop()]);
rmSync(setup.dataDir, { recursive: true, force: true });

if (withProfile) {
  // A separate service process under --cpu-prof, so the profiler does not touch the numbers above.
  const profileDir = mkdtempSync(join(tmpdir(), "pipeshub-bench-profile-"));
  const profiled = newServiceSetup();
  const spawnedAt = performance.now();
  const running = await startService(profiled, { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] });
  await configureOrganisation(running, profiled, { name: "Bench", domain: DOMAIN, issuer, userEmails: users.map(emailOf) });
  const target: Target = { name: `${SERVICE} (profiled)`, url: running.url, pid: running.pid };
  await exchangeEachUserOnce(target, users, connections);
  await exchangeRound(target, users, { connections, seconds: warmupSeconds });
  const exchangeFrom = performance.now() - spawnedAt;
  const m = await exchangeRound(target, users, { connections, seconds });
  const exchangeTo = performance.now() - spawnedAt;
  let signInWindow: { from: number; to: number; m: Measurement } | undefined;
  if (withSignIn) {
    await signInRound(target, users, { connections, seconds: warmupSeconds });
    const from = performance.now() - spawnedAt;
    const signIn = await signInRound(target, users, { connections, seconds });
    signInWindow = { from, to: performance.now() - spawnedAt, m: signIn };
  }
  await running.stop();
  rmSync(profiled.dataDir, { recursive: true, force: true });
  const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no .cpuprofile written in ${profileDir}`);
  const report = (what: string, measured: Measurement, from: number, to: number) => {
    const top = topSelfTime(join(profileDir, file), from, to, 20);
    console.log(
      `\nProfile of one ${seconds} s ${what} round (${measured.perSecond.toFixed(0)}/s under the profiler; ${top.busySamples} busy samples, idle ${(top.idle * 100).toFixed(0)}%): top self time`,
    );
    for (const e of top.entries) console.log(`  ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}  ${e.where}`);
    console.log("Self time by where the code lives:");
    for (const a of top.areas) console.log(`  ${(a.share * 100).toFixed(1).padStart(5)}%  ${a.area}`);
  };
  report("exchange", m, exchangeFrom, exchangeTo);
  if (signInWindow) report("whole sign-in", signInWindow.m, signInWindow.from, signInWindow.to);
  console.log(`  (${join(profileDir, file)})`);
}

await provider.started.stop();
