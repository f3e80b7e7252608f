import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { Writable } from "node:stream";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import "@fastify/swagger";
import { startProviderWatch } from "./admin/provider-watch-schedule.ts";
import type { Config } from "./config.ts";
import { createBreaker } from "./domain/breaker.ts";
import type { ShortLivedState } from "./domain/ports/short-lived-state.ts";
import { adminApi } from "./http/admin/admin-api.ts";
import { consoleRoutes } from "./http/admin/console-routes.ts";
import { credentialFailures } from "./http/credential-failures.ts";
import { installAbuseLimits } from "./http/abuse-limits.ts";
import { installErrorHandling } from "./http/error-handling.ts";
import { clientErrorHandler, frameworkErrors, refuseUnstorableStrings } from "./http/request-hygiene.ts";
import { markInvalidUtf8Path, refuseInvalidUtf8 } from "./http/utf8-hygiene.ts";
import { registerApiDocs } from "./http/public/docs-routes.ts";
import { registerSecurityHeaders } from "./http/security-headers.ts";
import { exchangeRoutes } from "./http/public/exchange-routes.ts";
import { healthRoutes } from "./http/public/health-routes.ts";
import { createMetrics, type Metrics } from "./http/public/metrics.ts";
import { setupSessionRoutes } from "./http/public/setup-session-routes.ts";
import { signInRoutes } from "./http/public/sign-in-routes.ts";
import { tokenRoutes } from "./http/public/token-routes.ts";
import { webRoutes } from "./http/public/web-routes.ts";
import { createSecretBox } from "./keys/secret-box.ts";
import { createSigningKeys } from "./keys/signing-keys.ts";
import { createDiscovery } from "./oauth/discovery.ts";
import { createIdTokenVerifier } from "./oauth/id-token.ts";
import { createOutboundFetch } from "./oauth/outbound.ts";
import { readProviderSnapshot } from "./oauth/provider-documents.ts";
import { authSessions } from "./signin/flow.ts";
import { cachedOrganisations, cachedProviders } from "./signin/cached-lookups.ts";
import { accountLockout } from "./signin/lockout.ts";
import { createSessionTokens, type SessionTokens } from "./signin/session-tokens.ts";
import { createMemoryState } from "./state/memory-state.ts";
import { connectRedis, createRedisState, redisWindowCounters } from "./state/redis-state.ts";
import { openDatabase, pingDatabase } from "./store/database.ts";
import { checkEncryptionKey } from "./store/encryption-key-check.ts";
import { createStore, type Store } from "./store/store.ts";

export interface AppOptions {
  /** Where log lines go (tests capture them); default stdout. */
  readonly logStream?: Writable;
  /** The clock of short-lived state (tests move it to expire sessions and states). */
  readonly now?: () => number;
  /**
   * An HTTP server already listening (main.ts binds the port before anything else). The app
   * serves on it instead of making its own: pass `server.routing` its requests once ready;
   * `close()` closes it. Without it, listen with `app.server.listen`.
   */
  readonly server?: Server;
}

export interface App {
  readonly server: FastifyInstance;
  readonly store: Store;
  readonly state: ShortLivedState;
  readonly metrics: Metrics;
  readonly config: Config;
  /** The service's own access/refresh tokens: issue, refresh, logout, verify, keys. */
  readonly sessionTokens: SessionTokens;
  close(): Promise<void>;
}

/** Names that hold credentials wherever the service might log them. */
const SECRET_FIELDS = [
  "clientSecret",
  "nextClientSecret",
  "code",
  "access_token",
  "id_token",
  "refresh_token",
  "accessToken",
  "idToken",
  "refreshToken",
  "code_verifier",
  "password",
];

/**
 * Paths redacted from every log line: credentials never reach the logs. Explicit paths only:
 * pino's wildcard paths walk every logged object and cost several times a whole line (the
 * request serializer below already leaves out headers and bodies; these are the second guard).
 */
export const REDACTED_LOG_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-session-token"]',
  'res.headers["set-cookie"]',
  'res.headers["x-session-token"]',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((name) => `body.${name}`),
  "settings.clientSecret",
  "provider.clientSecret",
];

/** Builds the service from a validated Config. Never listens: `main.ts` does. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  // The logger exists once the server does; a connection that breaks before that is only replaced.
  const logger: { current?: FastifyBaseLogger } = {};
  const onConnectionError = (error: Error) =>
    logger.current?.warn({ backend: "database", cause: error.message }, "database connection lost; it is replaced");
  // One breaker per backend: after a timeout it is left alone for a second, so a request waits once.
  const breakerOf = (backend: "PostgreSQL" | "Redis", timeoutMs: number) =>
    createBreaker({
      probeMs: 2 * timeoutMs,
      onOpen: (cause) =>
        logger.current?.warn(
          { backend, cause: cause instanceof Error ? cause.message : String(cause) },
          `${backend} is not reachable or not answering; requests that need it answer 503 until it is`,
        ),
      onClose: () => logger.current?.info({ backend }, `${backend} is reachable again`),
    });
  const databaseBreaker = breakerOf("PostgreSQL", config.databaseTimeoutMs);
  const redisBreaker = breakerOf("Redis", config.redisTimeoutMs);
  const db = await openDatabase(config.database, {
    breaker: databaseBreaker,
    timeoutMs: config.databaseTimeoutMs,
    onConnectionError,
    migrate: config.migrateAtStart,
  });
  const secrets = createSecretBox(config.encryptionKey, config.previousEncryptionKeys);
  try {
    await checkEncryptionKey(db, secrets);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  // The sign-in reads organisations and providers through short-lived caches; the admin API
  // reads what is stored, and its writes go through the caches, which they clear at once.
  const stored = createStore(db, secrets);
  const cache = { ttlMs: config.lookupCacheMs, ...(options.now && { now: options.now }) };
  const organisations = cachedOrganisations(stored.organisations, cache);
  const providers = cachedProviders(stored.providers, cache);
  const store: Store = {
    ...stored,
    organisations: { ...stored.organisations, create: organisations.create },
    // Every write through the cache (which clears it); only the sign-in's read stays uncached here.
    providers: { ...providers, configured: stored.providers.configured },
  };
  const metrics = createMetrics({
    token: config.metricsToken,
    configured: {
      providersOf: async (orgId) =>
        (await store.organisations.get(orgId)) ? (await store.providers.list(orgId)).map((p) => p.providerName) : undefined,
    },
  });
  // Every audit record is also counted, so /metrics and the audit trail agree.
  const audit = {
    async record(event: Parameters<typeof store.audit.record>[0]): Promise<void> {
      await metrics.recordSignIn(event);
      await store.audit.record(event);
    },
  };
  const signingKeys = createSigningKeys({ repository: store.signingKeys, secrets, refreshTokenTtlSeconds: config.refreshTokenTtlSeconds });
  const sessionTokens = createSessionTokens({ keys: signingKeys, sessions: store.refreshTokens, users: store.users, audit, config });
  const outbound = createOutboundFetch({
    timeoutMs: config.outboundTimeoutMs,
    maxResponseBytes: 1024 * 1024,
    allowInsecureLoopback: config.allowInsecureLoopbackProviders,
    networkAllow: config.providerNetworkAllow,
  });
  const onProviderCall = (provider: string, endpoint: string, seconds: number) => {
    metrics.observeProviderCall(provider, endpoint, seconds);
    server.log.debug({ provider, endpoint, ms: Math.round(seconds * 1000) }, "provider call");
  };
  const discovery = createDiscovery({
    outbound,
    timeoutMs: config.outboundTimeoutMs,
    allowInsecureLoopback: config.allowInsecureLoopbackProviders,
    onProviderCall,
  });
  const idTokens = createIdTokenVerifier({ outbound, timeoutMs: config.outboundTimeoutMs, onProviderCall });
  const state = config.redisUrl
    ? createRedisState(config.redisUrl, { timeoutMs: config.redisTimeoutMs, breaker: redisBreaker })
    : createMemoryState(options.now, { maxEntries: config.memoryStateMaxEntries });
  // Every exchange leaves a redeemed-token mark for 30 minutes: in memory they get a cap of their
  // own, so a busy hour of exchanges never pushes out the sign-ins in progress (Redis expires them).
  const redeemedMarks = config.redisUrl ? state : createMemoryState(options.now, { maxEntries: config.memoryStateMaxEntries });
  const sessions = authSessions(state);
  const lockout = accountLockout(state, { threshold: config.lockoutThreshold, blockSeconds: config.lockoutSeconds });

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
    // X-Forwarded-For is believed only from the configured proxies.
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    // Parser and router errors answer AuthError JSON like every other failure.
    clientErrorHandler,
    frameworkErrors,
    // Path segments that are not UTF-8 are marked before routing, so the refusal can name them.
    rewriteUrl: markInvalidUtf8Path,
    ...(options.server && { serverFactory: () => options.server! }),
  });
  logger.current = server.log;
  server.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  installErrorHandling(server);
  refuseUnstorableStrings(server);
  refuseInvalidUtf8(server);
  const limitCounters = config.redisUrl && config.rateLimitPerMinute > 0 ? connectRedis(config.redisUrl, config.redisTimeoutMs) : undefined;
  if (config.rateLimitPerMinute > 0)
    await installAbuseLimits(server, {
      perMinute: config.rateLimitPerMinute,
      ...(limitCounters && { shared: redisWindowCounters(limitCounters, redisBreaker) }),
    });
  await registerSecurityHeaders(server, { corsOrigins: config.corsOrigins, publicUrl: config.publicUrl });
  await registerApiDocs(server, config.publicUrl);
  metrics.install(server);
  if (config.redisUrl) {
    // The service starts anyway and answers 503 where it needs Redis until Redis answers.
    await state
      .ping()
      .catch(() =>
        server.log.warn(
          { backend: "shared state" },
          "Redis (REDIS_URL) cannot be reached at start; requests that need it answer 503 until it can",
        ),
      );
  }
  await server.register(healthRoutes({ database: () => pingDatabase(db), sharedState: () => state.ping() }));
  const deps = { ...store, organisations, providers, audit, discovery, idTokens, state, redeemedMarks, sessions, lockout };
  await server.register(exchangeRoutes(deps));
  await server.register(signInRoutes({ ...deps, tokens: sessionTokens }));
  await server.register(tokenRoutes({ sessionTokens }));
  await server.register(webRoutes({ publicUrl: config.publicUrl }));
  const refusals = credentialFailures(config.adminAuthFailuresPerMinute, { counters: state, audit: store.audit, now: options.now });
  await server.register(setupSessionRoutes(store, refusals));
  // Organisation admins: the service's own access token, and the user as stored at each request.
  const orgAdmins = { users: store.users, signInSessions: store.refreshTokens, verifyAccessToken: sessionTokens.verifyAccessToken };
  const consoleSessions = { sessions: store.consoleSessions, adminToken: config.adminToken };
  await server.register(consoleRoutes({ publicUrl: config.publicUrl, sessions: consoleSessions, orgAdmins, credentialFailures: refusals }));
  await server.register(
    adminApi({
      adminToken: config.adminToken,
      publicUrl: config.publicUrl,
      consoleSessions,
      credentialFailures: refusals,
      orgAdmins,
      administration: { ...store, discovery, keys: signingKeys, sealedSecrets: store.sealedSecrets },
      providerCheck: { ...store, discovery, idTokens, outbound },
      testSignIn: { ...store, discovery, idTokens, state },
      allowInsecureLoopback: config.allowInsecureLoopbackProviders,
      networkAllow: config.providerNetworkAllow,
    }),
  );

  const watch = startProviderWatch({
    intervalSeconds: config.providerWatchIntervalSeconds,
    webhook: config.providerWatchWebhook,
    state,
    watch: { ...store, readSnapshot: (settings) => readProviderSnapshot(outbound, settings) },
    onChange: (event) => metrics.recordProviderChange(event.orgId, event.provider),
    log: server.log,
  });

  return {
    server,
    store,
    state,
    metrics,
    config,
    sessionTokens,
    async close() {
      // In-flight requests finish; keep-alive connections that go idle meanwhile are closed
      // as they do, so the close does not wait for their keep-alive timeout.
      const idle = setInterval(() => server.server.closeIdleConnections(), 100);
      try {
        // Fastify closes only a server it listened on: stop accepting and let in-flight requests finish first.
        const given = options.server;
        if (given?.listening) await new Promise<void>((resolve) => given.close(() => resolve()));
        await server.close();
      } finally {
        clearInterval(idle);
      }
      await watch?.stop();
      await state.close();
      if (redeemedMarks !== state) await redeemedMarks.close();
      await limitCounters?.quit().catch(() => limitCounters.disconnect());
      await db.destroy();
    },
  };
}
