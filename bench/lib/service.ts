/**
 * The service as an operator runs it: `node packages/server/src/main.ts` in its own process,
 * configured by environment variables and then only through its admin HTTP API. Nothing here
 * imports the service's code, so the benchmark measures whatever the entry point serves.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, REPO_ROOT, type Started, startNode } from "./processes.ts";

export const SERVICE_MAIN = join(REPO_ROOT, "packages/server/src/main.ts");
export const REDIRECT_URI = "https://app.bench.test/callback";
export const CLIENT_ID = "bench-client";
export const CLIENT_SECRET = "bench-secret-0123456789";
export const PROVIDER_NAME = "corp";

/** What stays the same across restarts of one service's data: secrets and where data lives. */
export interface ServiceSetup {
  readonly dataDir: string;
  /** Unset: SQLite in dataDir. */
  readonly databaseUrl?: string;
  readonly adminToken: string;
  /** 64 hex characters; the seeding seals provider secrets with it, as the service does. */
  readonly encryptionKey: string;
}

export function newServiceSetup(databaseUrl?: string): ServiceSetup {
  return {
    dataDir: mkdtempSync(join(tmpdir(), "pipeshub-bench-")),
    ...(databaseUrl !== undefined && { databaseUrl }),
    adminToken: randomBytes(24).toString("hex"),
    encryptionKey: randomBytes(32).toString("hex"),
  };
}

export interface RunningService {
  readonly url: string;
  readonly pid: number;
  readonly process: Started;
  stop(): Promise<void>;
}

/** Starts the service and waits until /healthz answers 200. `nodeArgs` e.g. --cpu-prof. */
export async function startService(
  setup: ServiceSetup,
  options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<RunningService> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: "127.0.0.1",
    PORT: String(port),
    PUBLIC_URL: url,
    DATA_DIR: setup.dataDir,
    ADMIN_TOKEN: setup.adminToken,
    ENCRYPTION_KEY: setup.encryptionKey,
    ALLOW_INSECURE_LOOPBACK_PROVIDERS: "true",
    DEMO: "off",
    LOG_LEVEL: "warn",
    // The load comes from one address: per-address rate limits would answer it 429.
    RATE_LIMIT_PER_MINUTE: "0",
    ...options.env,
  };
  if (setup.databaseUrl !== undefined) env.DATABASE_URL = setup.databaseUrl;
  else delete env.DATABASE_URL;
  const { started } = await startNode(SERVICE_MAIN, { nodeArgs: options.nodeArgs ?? [], env, ready: /listening on/, timeoutMs: 120_000 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) throw new Error(`the service did not become healthy:\n${started.output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, pid: started.pid, process: started, stop: () => started.stop() };
}

/** The admin API; throws with the answer on anything but the expected status. */
export async function admin<T>(
  service: RunningService,
  setup: ServiceSetup,
  method: string,
  path: string,
  body: unknown,
  expect: number[],
): Promise<T> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${setup.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!expect.includes(response.status)) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * One organisation claiming `domain`, with the provider `corp` at `issuer` (OpenID Connect,
 * discovery) and, when `userEmails` is given, those users added through the API (16 at a time).
 * Just-in-time provisioning is off: every exchange signs in a user that exists.
 */
export async function configureOrganisation(
  service: RunningService,
  setup: ServiceSetup,
  options: { name: string; domain: string; issuer: string; userEmails?: readonly string[] },
): Promise<{ orgId: string }> {
  const org = await admin<{ id: string }>(service, setup, "POST", "/api/v1/orgs", { name: options.name, domains: [options.domain] }, [201]);
  await admin(
    service,
    setup,
    "PUT",
    `/api/v1/orgs/${org.id}/oauth-providers/${PROVIDER_NAME}`,
    {
      providerName: PROVIDER_NAME,
      issuer: options.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scope: "openid email profile",
      redirectUris: [REDIRECT_URI],
      enableJit: false,
    },
    [200, 201],
  );
  const emails = options.userEmails ?? [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < emails.length) {
        const email = emails[next++]!;
        await admin(service, setup, "POST", `/api/v1/orgs/${org.id}/users`, { email }, [201]);
      }
    }),
  );
  return { orgId: org.id };
}
