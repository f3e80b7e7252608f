/**
 * CPU per provider call through the outbound layer: the keep-alive `node:http` agents with one
 * deadline per call (packages/server/src/oauth/outbound.ts) against the former wrapper around the
 * global fetch with AbortSignal.timeout + AbortSignal.any, both POSTing a token request to a
 * loopback token endpoint in another process (so only the caller's CPU is counted).
 *
 * Run: node bench/outbound.bench.ts [calls=5000] [rounds=3]
 */
import { fork } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createOutboundFetch, type OutboundFetch } from "../packages/server/src/oauth/outbound.ts";

if (process.argv[2] === "--token-endpoint") {
  const body = JSON.stringify({ access_token: "a".repeat(40), token_type: "Bearer", expires_in: 3600, id_token: "x".repeat(900) });
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body));
  });
  server.listen(0, "127.0.0.1", () => process.send!((server.address() as AddressInfo).port));
} else {
  await main();
}

/** The former outbound: global fetch, a deadline signal per call (never cleared), the caller's merged in, body re-wrapped. */
function formerOutbound(timeoutMs: number, maxBytes: number): OutboundFetch {
  return async (input, init = {}) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    const response = await fetch(input, { ...init, body: init.body as BodyInit, redirect: "manual", signal });
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > maxBytes) throw new Error("too large");
      chunks.push(chunk);
    }
    return new Response(Buffer.concat(chunks), { status: response.status, headers: response.headers });
  };
}

async function measure(outbound: OutboundFetch, url: string, calls: number): Promise<{ cpuUs: number; wallUs: number }> {
  const form = () =>
    new URLSearchParams({ grant_type: "authorization_code", code: "c".repeat(43), redirect_uri: "https://app.example/cb" });
  // openid-client passes its own timeout signal on every call.
  const call = async () => (await outbound(url, { method: "POST", body: form(), signal: AbortSignal.timeout(30_000) })).json();
  for (let i = 0; i < 200; i++) await call(); // warm up
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < calls; i++) await call();
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / calls, wallUs: ((performance.now() - started) * 1000) / calls };
}

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 5_000);
  const rounds = Number(process.argv[3] ?? 3);
  const child = fork(import.meta.filename, ["--token-endpoint"], { stdio: "inherit" });
  const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve(m as number)));
  const url = `http://127.0.0.1:${port}/token`;
  const subjects: [string, OutboundFetch][] = [
    [
      "node:http agents, one cleared deadline",
      createOutboundFetch({ timeoutMs: 10_000, maxResponseBytes: 1024 * 1024, allowInsecureLoopback: true }),
    ],
    ["global fetch + AbortSignal.timeout/any", formerOutbound(10_000, 1024 * 1024)],
  ];
  console.log(`${calls} token POSTs per round, ${rounds} rounds, loopback, sequential`);
  for (let round = 1; round <= rounds; round++) {
    for (const [name, outbound] of subjects) {
      const { cpuUs, wallUs } = await measure(outbound, url, calls);
      console.log(
        `round ${round}  ${name.padEnd(40)} CPU ${cpuUs.toFixed(1).padStart(6)} µs/call  wall ${wallUs.toFixed(1).padStart(6)} µs/call`,
      );
    }
  }
  child.kill();
}
