import type { Server } from "node:http";
import type { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { dnsTxtLookup } from "./admin/dns-txt-lookup.ts";
import { startDomainChecks } from "./admin/domain-check-schedule.ts";
import { userEventsWebhook } from "./admin/events-webhook.ts";
import { startProviderWatch } from "./admin/provider-watch-schedule.ts";
import type { Config } from "./config.ts";
import { type Clock, systemClock } from "./domain/ports/clock.ts";
import type { ShortLivedState } from "./domain/ports/short-lived-state.ts";
import type { Metrics } from "./http/public/metrics.ts";
import { readProviderSnapshot } from "./oauth/provider-documents.ts";
import type { SessionTokens } from "./signin/session-tokens.ts";
import type { Store } from "./store/store.ts";
import { backendBreakers, closeBackends, connectState, type LateLogger, openStore, warnWithoutRedis } from "./wiring/backends.ts";
import { registerAdministration, registerSignInRoutes } from "./wiring/routes.ts";
import { closeServer, createServer, installEdges, serviceMetrics } from "./wiring/server.ts";
import { buildSignIn, countedAuditTrail, providerClients } from "./wiring/sign-in.ts";

export { REDACTED_LOG_PATHS } from "./wiring/server.ts";

export interface AppOptions {
  /** Where log lines go (tests capture them); default stdout. */
  readonly logStream?: Writable;
  /** The clock and timers of short-lived state, caches, discovery and the provider watch and the domain re-check (tests move it instead of waiting). */
  readonly clock?: Clock;
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

/**
 * Builds the service from a validated Config (the parts are wired in src/wiring/). Never listens:
 * `main.ts` does.
 */
export async function buildApp(config: Config, given: AppOptions = {}): Promise<App> {
  const clock = given.clock ?? systemClock;
  const options = { ...given, clock };
  const logger: LateLogger = {};
  const breakers = backendBreakers(config, logger);
  const opened = await openStore(config, options, logger, breakers.database);
  const { store } = opened;
  const metrics = serviceMetrics(config, store);
  const audit = countedAuditTrail(store, metrics);
  const clients = providerClients(config, metrics, logger, clock);
  const shared = connectState(config, options, breakers.redis);
  const signIn = buildSignIn(config, opened, shared, audit, clock);

  const server = createServer(config, options);
  logger.current = server.log;
  await installEdges(server, config, { metrics, shared, redisBreaker: breakers.redis });
  await warnWithoutRedis(config, shared, server.log);
  const userEvents = userEventsWebhook(config.eventsWebhook, server.log);
  const lookupTxt = dnsTxtLookup({ servers: config.dnsServers, timeoutMs: config.dnsTimeoutMs });
  const parts = { opened, shared, clients, signIn, audit, lookupTxt, ...(userEvents && { userEvents }) };
  await registerSignInRoutes(server, config, parts);
  await registerAdministration(server, config, options, parts);

  const watch = startProviderWatch({
    intervalSeconds: config.providerWatchIntervalSeconds,
    webhook: config.eventsWebhook,
    state: shared.state,
    watch: { ...store, readSnapshot: (settings) => readProviderSnapshot(clients.outbound, settings) },
    samlWatch: { ...store, outbound: clients.outbound, now: () => new Date(clock.now()) },
    onChange: (event) => metrics.recordProviderChange(event.orgId, event.provider),
    log: server.log,
    clock,
  });

  const domainChecks = startDomainChecks({
    intervalSeconds: config.domainCheckIntervalSeconds,
    deps: { ...store, lookupTxt },
    log: server.log,
    clock,
  });

  return {
    server,
    store,
    state: shared.state,
    metrics,
    config,
    sessionTokens: signIn.sessionTokens,
    async close() {
      await closeServer(server, options.server);
      await watch?.stop();
      await domainChecks?.stop();
      await closeBackends(opened, shared);
    },
  };
}
