/**
 * A second `npm start` on a port already in use must not hurt the first: it binds the port
 * before it touches DATA_DIR, and stops with one line. Both services are started as `npm start`
 * starts them (node packages/server/src/main.ts), as child processes on one port and one DATA_DIR.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { buildApp } from "../src/app.ts";
import { readConfig, testConfig } from "../src/config.ts";
import { keepsStateInDataDir, LOCK_FILE } from "../src/data-dir-lock.ts";
import { bindPort, PortInUseError, withBoundPort } from "../src/free-port.ts";
import { freePort, type SpawnedService, spawnService, temporaryDataDir } from "./support/spawned-service.ts";
import { driveAuthorization } from "./support/test-provider.ts";

const listening = /listening on (http:\/\/\S+)/;
const inUse = (port: number) => `pipeshub-auth: port ${port} is in use — is pipeshub-auth already running?\n`;

/** Every file in the directory: name → size, modification time and content hash. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = statSync(path);
    files[name] = `${stat.size} ${stat.mtimeMs} ${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
  }
  return files;
}

/** The exit code, or a failure when the process is still running after `ms`. */
async function exitsWithin(service: SpawnedService, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms; stdout: ${service.out()} stderr: ${service.err()}`)), ms);
  });
  try {
    return await Promise.race([service.exited(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  assert.ok(response.ok, `${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The demo sign-in, end to end, as the sign-in page does it (the demo provider's pages driven over HTTP). */
async function demoSignIn(url: string) {
  const email = "demo@example.com";
  const init = await fetch(`${url}/userAccount/initAuth`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  const session = init.headers.get("x-session-token")!;
  const options = await json<{ oauthProviders: { providerName: string; authorizationUrl: string }[] }>(init);
  assert.deepEqual(
    options.oauthProviders.map((p) => p.providerName),
    ["demo", "demo-saml"],
  );
  const redirectUri = `${url}/callback`;
  const query = new URLSearchParams({ provider: "demo", email, redirectUri });
  const { authorizationUrl, state } = await json<{ authorizationUrl: string; state: string }>(
    await fetch(`${url}/userAccount/oauth/authorize?${query}`, { headers: { "x-session-token": session } }),
  );
  const callback = await driveAuthorization(new URL(authorizationUrl).origin, {
    authorizationUrl,
    login: email,
    password: "demo",
    clientId: "",
    redirectUri: "",
  });
  assert.ok("code" in callback, JSON.stringify(callback));
  assert.equal(callback.state, state);
  const headers = { "content-type": "application/json", "x-session-token": session };
  const tokens = await json<{ access_token: string; id_token?: string }>(
    await fetch(`${url}/userAccount/oauth/exchange`, {
      method: "POST",
      headers,
      body: JSON.stringify({ code: callback.code, email, provider: "demo", redirectUri, state }),
    }),
  );
  const signedIn = await json<{ message: string; accessToken?: string }>(
    await fetch(`${url}/userAccount/authenticate`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        method: "oauth",
        credentials: { accessToken: tokens.access_token, idToken: tokens.id_token },
        email,
        provider: "demo",
      }),
    }),
  );
  assert.equal(signedIn.message, "Fully authenticated");
  assert.ok(signedIn.accessToken);
}

async function holdPort(t: TestContext): Promise<number> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => holder.close(() => resolve())));
  const address = holder.address();
  return typeof address === "object" && address ? address.port : 0;
}

describe("a second start on a port in use", { timeout: 120_000 }, () => {
  test("exits 1 with one line, leaves DATA_DIR as it was, and the first still signs in at its demo provider", async (t) => {
    const dataDir = temporaryDataDir(t);
    const port = await freePort();
    const first = spawnService(t, { DATA_DIR: dataDir, PORT: String(port), DEMO: "auto" });
    const url = (await first.waitFor(listening))[1]!;
    const issuer = (await first.waitFor(/Demo provider:\s+(http:\/\/\S+)/))[1]!;
    const demoJson = readFileSync(join(dataDir, "demo.json"));
    const before = snapshot(dataDir);

    const second = spawnService(t, { DATA_DIR: dataDir, PORT: String(port), DEMO: "auto" });
    assert.equal(await exitsWithin(second, 10_000), 1);
    assert.equal(second.err(), inUse(port));
    assert.equal(second.out(), "");
    assert.deepEqual(readFileSync(join(dataDir, "demo.json")), demoJson, "demo.json is unchanged, byte for byte");
    assert.deepEqual(snapshot(dataDir), before, "nothing in DATA_DIR was written: no secrets, no database, no demo state");

    // The first is unharmed: its demo provider is still where its organisation's settings say.
    const provider = (
      await json<{ issuer: string }>(
        await first.admin(`${url}/api/v1/orgs/${JSON.parse(demoJson.toString("utf8")).orgId}/oauth-providers/demo`),
      )
    ).issuer;
    assert.equal(provider, issuer);
    await demoSignIn(url);
    assert.equal(await first.stop(), 0);
  });

  test("held by something else, on a fresh start: DATA_DIR is not even created", async (t) => {
    const port = await holdPort(t);
    const dataDir = join(temporaryDataDir(t), "data");
    const service = spawnService(t, { DATA_DIR: dataDir, PORT: String(port), DEMO: "auto" });
    assert.equal(await exitsWithin(service, 10_000), 1);
    assert.equal(service.err(), inUse(port));
    assert.equal(existsSync(dataDir), false);
  });
});

/** A pid no process has: a child that has already exited. */
async function deadPid(): Promise<number> {
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid!;
}

describe("a second start on the same DATA_DIR and another port", { timeout: 120_000 }, () => {
  test("exits 1 at once with one line naming the first's pid, port and the folder; DATA_DIR unchanged; the first still signs in", async (t) => {
    const dataDir = temporaryDataDir(t);
    const port = await freePort();
    const first = spawnService(t, { DATA_DIR: dataDir, PORT: String(port), DEMO: "auto" });
    const url = (await first.waitFor(listening))[1]!;
    await first.waitFor(/Demo provider:/);
    const before = snapshot(dataDir);
    const lock = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), "utf8")) as { pid: number; port: number };
    assert.equal(lock.port, port);

    const second = spawnService(t, { DATA_DIR: dataDir, PORT: String(await freePort()), DEMO: "auto" });
    assert.equal(await exitsWithin(second, 10_000), 1);
    assert.equal(
      second.err(),
      `pipeshub-auth: DATA_DIR ${dataDir} is in use by pipeshub-auth process ${lock.pid}, serving port ${port} — one process per data folder: stop that one, or give this one another DATA_DIR\n`,
    );
    assert.equal(second.out(), "");
    assert.deepEqual(snapshot(dataDir), before, "nothing in DATA_DIR was written: no secrets, no database, no demo state, the lock kept");

    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    await demoSignIn(url);
    assert.equal(await first.stop(), 0);
    assert.equal(existsSync(join(dataDir, LOCK_FILE)), false, "a clean exit removes the lock");
  });

  test("a lock left by a killed process is taken over", async (t) => {
    const dataDir = temporaryDataDir(t);
    const killed = await deadPid();
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ pid: killed, port: 1 }));
    const service = spawnService(t, { DATA_DIR: dataDir, PORT: "0", DEMO: "off" });
    const url = (await service.waitFor(listening))[1]!;
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const lock = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), "utf8")) as { pid: number; port: number };
    assert.notEqual(lock.pid, killed);
    assert.equal(lock.port, Number(new URL(url).port));
    assert.equal(await service.stop(), 0);
  });

  test("SIGKILLed, its lock is taken over by the next start", async (t) => {
    const dataDir = temporaryDataDir(t);
    const first = spawnService(t, { DATA_DIR: dataDir, PORT: "0", DEMO: "off" });
    await first.waitFor(listening);
    first.kill("SIGKILL");
    await first.exited();
    assert.ok(existsSync(join(dataDir, LOCK_FILE)), "a killed process leaves its lock");
    const next = spawnService(t, { DATA_DIR: dataDir, PORT: "0", DEMO: "off" });
    const url = (await next.waitFor(listening))[1]!;
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal(await next.stop(), 0);
  });

  test("only where the process keeps state: PostgreSQL with both secrets given and no demo takes no lock", () => {
    const env = {
      DATA_DIR: "/srv/data",
      ENCRYPTION_KEY: "a".repeat(64),
      ADMIN_TOKEN: "t".repeat(24),
      PUBLIC_URL: "https://auth.acme.test",
    };
    const postgres = { ...env, DATABASE_URL: "postgres://db.acme.test/auth" };
    assert.equal(keepsStateInDataDir(readConfig({ ...postgres, DEMO: "off" })), false);
    assert.equal(keepsStateInDataDir(readConfig(postgres)), false, "no demo can run on a public URL that is not loopback");
    assert.equal(keepsStateInDataDir(readConfig({ ...postgres, PUBLIC_URL: "http://127.0.0.1:3000" })), true, "the demo may run");
    assert.equal(keepsStateInDataDir(readConfig({ ...postgres, ENCRYPTION_KEY: "" })), true, "a generated encryption key");
    assert.equal(keepsStateInDataDir(readConfig({ ...postgres, ADMIN_TOKEN: "" })), true, "a generated admin token");
    assert.equal(keepsStateInDataDir(readConfig(env)), true, "the SQLite file in DATA_DIR");
    assert.equal(keepsStateInDataDir(readConfig({ ...env, DATABASE_URL: "sqlite:/elsewhere/auth.sqlite" })), false);
  });
});

describe("the port bound first (src/free-port.ts)", () => {
  test("answers 503 SERVICE_UNAVAILABLE as JSON until the app serves on it; closing the app closes it", async (t) => {
    const bound = await bindPort("127.0.0.1", 0);
    t.after(() => bound.server.close());
    const url = `http://127.0.0.1:${bound.port}`;
    const early = await fetch(`${url}/healthz`);
    assert.equal(early.status, 503);
    assert.equal(early.headers.get("retry-after"), "1");
    assert.deepEqual(await early.json(), {
      error: "SERVICE_UNAVAILABLE",
      message: "pipeshub-auth is starting. Try again in a moment.",
      code: "HTTP_SERVICE_UNAVAILABLE",
      statusCode: 503,
    });
    await assert.rejects(
      bindPort("127.0.0.1", bound.port),
      (error: unknown) => error instanceof PortInUseError && error.port === bound.port,
    );

    const app = await buildApp(testConfig(), { server: bound.server });
    await app.server.ready();
    bound.serve(app.server.routing);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const missing = await fetch(`${url}/nowhere`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: string }).error, "NOT_FOUND");
    await app.close();
    assert.equal(bound.server.listening, false);
    await assert.rejects(fetch(`${url}/healthz`));
  });

  test("PORT=0: the public URL names the port bound; an explicit PUBLIC_URL is kept", () => {
    const draft = readConfig({ PORT: "0" });
    assert.equal(withBoundPort(draft, 41234).publicUrl, "http://127.0.0.1:41234");
    assert.equal(withBoundPort(draft, 41234).port, 41234);
    const explicit = readConfig({ PORT: "0", PUBLIC_URL: "https://auth.acme.test" });
    assert.equal(withBoundPort(explicit, 41234).publicUrl, "https://auth.acme.test");
    const fixed = readConfig({ PORT: "3000" });
    assert.equal(withBoundPort(fixed, 3000), fixed);
  });
});
