/**
 * Load and what it cost: autocannon drives the exchange; a small keep-alive client drives
 * whole sign-ins. Around each round the server process's CPU time and memory are read from
 * /proc, so "CPU per exchange" is the server's own, not the load generator's or the provider's.
 */
import { Agent, request } from "node:http";
import autocannon, { type Result } from "autocannon";
import { cpuMicros, peakRssMiB, rssMiB } from "./proc.ts";
import { PROVIDER_NAME, REDIRECT_URI } from "./service.ts";

/** A provider user: `user<g>@d<d>.bench.test`, subject `sub-<g>` (see bench/provider.ts). */
export interface BenchUser {
  readonly g: number;
  readonly d: number;
}
export const emailOf = (u: BenchUser): string => `user${u.g}@d${u.d}.bench.test`;

export interface Target {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
}

export interface Measurement {
  readonly ops: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuMicrosPerOp: number;
  /** VmHWM at the end of the round: the process's peak so far. */
  readonly peakRssMiB: number;
  readonly rssMiB: number;
  /** Non-2xx answers, transport errors and timeouts. */
  readonly failures: number;
  /**
   * Whole sign-ins only: this (load) process's own CPU per sign-in. It plays every client and
   * browser hop, so when it nears a core of its own the rate says more about it than about the server.
   */
  readonly driverMicrosPerOp?: number;
  readonly firstFailure?: string;
}

const EXCHANGE_PATH = "/userAccount/oauth/exchange";
let sequence = 0;
const runTag = Date.now().toString(36);

/** A distinct code for `user` on every call; the provider redeems it for that user. */
export function nextCode(user: BenchUser): string {
  return `u${user.g}.${user.d}.${runTag}-${++sequence}`;
}

export function exchangeBody(user: BenchUser, extra: Record<string, string> = {}): string {
  return JSON.stringify({ code: nextCode(user), email: emailOf(user), provider: PROVIDER_NAME, redirectUri: REDIRECT_URI, ...extra });
}

// ---------------------------------------------------------------- a small keep-alive client

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export function send(agent: Agent, method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method,
        agent,
        headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export function keepAliveAgent(connections: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function pool(connections: number, work: () => Promise<boolean>): Promise<void> {
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (await work());
    }),
  );
}

// ---------------------------------------------------------------- checks and warm-up

/** One exchange per user (`connections` at a time); any answer but 200 with tokens throws. */
export async function exchangeEachUserOnce(target: Target, users: readonly BenchUser[], connections: number): Promise<void> {
  const agent = keepAliveAgent(connections);
  let next = 0;
  await pool(connections, async () => {
    if (next >= users.length) return false;
    const user = users[next++]!;
    const answer = await send(agent, "POST", `${target.url}${EXCHANGE_PATH}`, { "content-type": "application/json" }, exchangeBody(user));
    const tokens = answer.status === 200 ? (JSON.parse(answer.text) as { access_token?: unknown; id_token?: unknown }) : {};
    if (typeof tokens.access_token !== "string" || typeof tokens.id_token !== "string") {
      throw new Error(`${target.name}: the exchange for ${emailOf(user)} answered ${answer.status}: ${answer.text.slice(0, 400)}`);
    }
    return true;
  });
  agent.destroy();
}

// ---------------------------------------------------------------- the exchange under load

/**
 * `connections` keep-alive connections posting the seed's exchange body, each with a distinct
 * code, round-robin over `users`, for `seconds` (or until `amount` requests).
 */
export async function exchangeRound(
  target: Target,
  users: readonly BenchUser[],
  options: { connections: number; seconds?: number; amount?: number },
): Promise<Measurement> {
  let i = 0;
  const cpuBefore = cpuMicros(target.pid);
  const result: Result = await autocannon({
    url: target.url,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.seconds ?? 5 }),
    timeout: 30,
    requests: [
      {
        method: "POST",
        path: EXCHANGE_PATH,
        headers: { "content-type": "application/json" },
        setupRequest: (req) => ({ ...req, body: exchangeBody(users[i++ % users.length]!) }),
      },
    ],
  });
  const cpu = cpuMicros(target.pid) - cpuBefore;
  const ops = result["2xx"];
  const failures = result.non2xx + result.errors + result.timeouts;
  let firstFailure: string | undefined;
  if (failures > 0) {
    // autocannon counts failures but keeps no bodies: ask once more, to say what went wrong.
    const agent = keepAliveAgent(1);
    const probe = await send(
      agent,
      "POST",
      `${target.url}${EXCHANGE_PATH}`,
      { "content-type": "application/json" },
      exchangeBody(users[0]!),
    ).catch((error: Error) => ({ status: 0, text: error.message }));
    agent.destroy();
    firstFailure = `non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}; a probe answered ${probe.status}: ${probe.text.slice(0, 300)}`;
  }
  return {
    ops,
    seconds: result.duration,
    perSecond: ops / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMicrosPerOp: cpu / Math.max(1, ops),
    peakRssMiB: peakRssMiB(target.pid),
    rssMiB: rssMiB(target.pid),
    failures,
    ...(firstFailure !== undefined && { firstFailure }),
  };
}

// ---------------------------------------------------------------- whole sign-ins

/**
 * One whole sign-in, as a browser and a client app would do it, minus the page at the provider:
 * initAuth → oauth/authorize (with the session) → the provider's authorization endpoint (which
 * signs in the `login_hint` user and redirects with code and state) → oauth/exchange with state
 * → authenticate with the tokens. Throws on anything unexpected.
 */
/** One whole sign-in of `user` against the service at `serviceUrl`: the service's tokens. */
export async function signInOnce(
  serviceUrl: string,
  serviceAgent: Agent,
  providerAgent: Agent,
  user: BenchUser,
): Promise<{ accessToken: string; refreshToken: string }> {
  const email = emailOf(user);
  const json = { "content-type": "application/json" };
  const init = await send(serviceAgent, "POST", `${serviceUrl}/userAccount/initAuth`, json, JSON.stringify({ email }));
  const session = init.headers["x-session-token"];
  if (init.status !== 200 || typeof session !== "string") throw new Error(`initAuth answered ${init.status}: ${init.text.slice(0, 300)}`);
  const withSession = { "x-session-token": session };
  const query = new URLSearchParams({ provider: PROVIDER_NAME, email, redirectUri: REDIRECT_URI });
  const authorize = await send(serviceAgent, "GET", `${serviceUrl}/userAccount/oauth/authorize?${query}`, {
    ...withSession,
    accept: "application/json",
  });
  if (authorize.status !== 200) throw new Error(`oauth/authorize answered ${authorize.status}: ${authorize.text.slice(0, 300)}`);
  const { authorizationUrl, state } = JSON.parse(authorize.text) as { authorizationUrl: string; state: string };
  const atProvider = await send(providerAgent, "GET", authorizationUrl);
  const location = atProvider.headers.location;
  if (atProvider.status !== 302 || typeof location !== "string")
    throw new Error(`the provider's authorization endpoint answered ${atProvider.status}: ${atProvider.text.slice(0, 300)}`);
  const callback = new URL(location);
  const code = callback.searchParams.get("code");
  if (!code || callback.searchParams.get("state") !== state)
    throw new Error(`the provider redirected without code or with another state: ${location}`);
  const exchange = await send(
    serviceAgent,
    "POST",
    `${serviceUrl}${EXCHANGE_PATH}`,
    { ...json, ...withSession },
    JSON.stringify({ code, email, provider: PROVIDER_NAME, redirectUri: REDIRECT_URI, state }),
  );
  if (exchange.status !== 200) throw new Error(`oauth/exchange answered ${exchange.status}: ${exchange.text.slice(0, 300)}`);
  const tokens = JSON.parse(exchange.text) as { access_token: string; id_token: string };
  const authenticate = await send(
    serviceAgent,
    "POST",
    `${serviceUrl}/userAccount/authenticate`,
    { ...json, ...withSession },
    JSON.stringify({
      method: "oauth",
      credentials: { accessToken: tokens.access_token, idToken: tokens.id_token },
      email,
      provider: PROVIDER_NAME,
    }),
  );
  const final = authenticate.status === 200 ? (JSON.parse(authenticate.text) as { accessToken?: unknown; refreshToken?: unknown }) : {};
  if (typeof final.accessToken !== "string" || typeof final.refreshToken !== "string")
    throw new Error(`authenticate answered ${authenticate.status}: ${authenticate.text.slice(0, 300)}`);
  return { accessToken: final.accessToken, refreshToken: final.refreshToken };
}

/** One whole sign-in of `user` at the system at `url`, through its agent and the provider's; throws on anything unexpected. */
export type SignInOnce = (url: string, systemAgent: Agent, providerAgent: Agent, user: BenchUser) => Promise<unknown>;

/**
 * Whole sign-ins by `connections` concurrent clients for `seconds`; a failed one counts and is
 * reported. The service's sign-in unless another system's `once` is given (bench/lib/better-auth.ts).
 */
export async function signInRound(
  target: Target,
  users: readonly BenchUser[],
  options: { connections: number; seconds: number; amount?: number },
  once: SignInOnce = signInOnce,
): Promise<Measurement> {
  const serviceAgent = keepAliveAgent(options.connections);
  const providerAgent = keepAliveAgent(options.connections);
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let i = 0;
  const cpuBefore = cpuMicros(target.pid);
  const driverBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  await pool(options.connections, async () => {
    if (performance.now() >= deadline || i >= (options.amount ?? Infinity)) return false;
    const user = users[i++ % users.length]!;
    const t0 = performance.now();
    try {
      await once(target.url, serviceAgent, providerAgent, user);
      latencies.push(performance.now() - t0);
    } catch (error) {
      failures++;
      firstFailure ??= `${emailOf(user)}: ${(error as Error).message}`;
    }
    return true;
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuMicros(target.pid) - cpuBefore;
  const driver = process.cpuUsage(driverBefore);
  serviceAgent.destroy();
  providerAgent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    ops: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMicrosPerOp: cpu / Math.max(1, latencies.length),
    peakRssMiB: peakRssMiB(target.pid),
    rssMiB: rssMiB(target.pid),
    failures,
    ...(firstFailure !== undefined && { firstFailure }),
    driverMicrosPerOp: (driver.user + driver.system) / Math.max(1, latencies.length),
  };
}

// ---------------------------------------------------------------- summaries

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Medians over rounds (peak RSS: the largest), failures summed. */
export function summarise(rounds: readonly Measurement[]): Measurement {
  const firstFailure = rounds.find((r) => r.firstFailure !== undefined)?.firstFailure;
  return {
    ops: rounds.reduce((n, r) => n + r.ops, 0),
    seconds: rounds.reduce((n, r) => n + r.seconds, 0),
    perSecond: median(rounds.map((r) => r.perSecond)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    cpuMicrosPerOp: median(rounds.map((r) => r.cpuMicrosPerOp)),
    peakRssMiB: Math.max(...rounds.map((r) => r.peakRssMiB)),
    rssMiB: rounds.at(-1)?.rssMiB ?? NaN,
    failures: rounds.reduce((n, r) => n + r.failures, 0),
    ...(firstFailure !== undefined && { firstFailure }),
    ...(rounds.every((r) => r.driverMicrosPerOp !== undefined) && { driverMicrosPerOp: median(rounds.map((r) => r.driverMicrosPerOp!)) }),
  };
}

export function formatLatency(ms: number): string {
  return ms < 10 ? ms.toFixed(1) : ms.toFixed(0);
}
