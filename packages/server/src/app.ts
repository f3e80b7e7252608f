import { randomUUID } from "node:crypto";
import type { Writable } from "node:stream";
import Fastify, { type FastifyInstance } from "fastify";
import "@fastify/swagger";
import type { Config } from "./config.ts";
import { adminRoutes } from "./http/admin-routes.ts";
import { installErrorHandling } from "./http/error-handling.ts";
import { exchangeRoutes } from "./http/exchange-routes.ts";
import { healthRoutes } from "./http/health-routes.ts";
import { createSecretBox } from "./keys/secret-box.ts";
import { createOutboundFetch } from "./oauth/outbound.ts";
import { createProviderGateway, type ProviderGateway } from "./oauth/provider-client.ts";
import { openDatabase } from "./store/database.ts";
import { createStore, type Store } from "./store/store.ts";

export interface AppOptions {
  /** Where log lines go (tests capture them); default stdout. */
  readonly logStream?: Writable;
}

export interface App {
  readonly server: FastifyInstance;
  readonly store: Store;
  readonly gateway: ProviderGateway;
  readonly config: Config;
  close(): Promise<void>;
}

/** Paths redacted from every log line: credentials never reach the logs. */
export const REDACTED_LOG_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-session-token"]',
  'res.headers["set-cookie"]',
  'res.headers["x-session-token"]',
  "*.clientSecret",
  "*.code",
  "*.access_token",
  "*.id_token",
  "*.refresh_token",
  "*.accessToken",
  "*.idToken",
  "*.refreshToken",
  "*.code_verifier",
  "*.password",
];

/** Builds the service from a validated Config. Never listens: `main.ts` does. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  const db = await openDatabase(config.database);
  const store = createStore(db, createSecretBox(config.encryptionKey));
  const outbound = createOutboundFetch({ timeoutMs: config.outboundTimeoutMs, maxResponseBytes: 1024 * 1024, allowInsecureLoopback: config.allowInsecureLoopbackProviders });
  const gateway = createProviderGateway({ outbound, timeoutMs: config.outboundTimeoutMs, allowInsecureLoopback: config.allowInsecureLoopbackProviders });

  const server = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" },
      // Query strings can carry codes, states and emails: log the path only.
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, path: req.url.split("?")[0], ip: req.ip }),
      },
      ...(options.logStream && { stream: options.logStream }),
    },
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 64 * 1024,
    trustProxy: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  });
  server.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  installErrorHandling(server);
  await server.register(healthRoutes(db));
  const deps = { ...store, gateway };
  await server.register(exchangeRoutes(deps));
  await server.register(adminRoutes({ store, gateway, adminToken: config.adminToken, allowInsecureLoopback: config.allowInsecureLoopbackProviders }));

  return {
    server,
    store,
    gateway,
    config,
    async close() {
      await server.close();
      await db.destroy();
    },
  };
}
