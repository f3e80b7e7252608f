import type { FastifyBaseLogger } from "fastify";
import type { Config } from "../config.ts";
import { type Breaker, createBreaker } from "../domain/breaker.ts";
import type { SecretBox } from "../domain/ports/keys.ts";
import type {
  AuthStepRepository,
  IdentityLinkRepository,
  OrganisationRepository,
  ProviderRepository,
  UserRepository,
} from "../domain/ports/repositories.ts";
import type { SamlProviderRepository } from "../domain/ports/saml-providers.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import { createSecretBox } from "../keys/secret-box.ts";
import { cachedAuthSteps, cachedOrganisations, cachedProviders, cachedSamlProviders, cachedUserLookups } from "../signin/cached-lookups.ts";
import { createMemoryState } from "../state/memory-state.ts";
import { connectRedis, createRedisState } from "../state/redis-state.ts";
import { type Db, openDatabase, storedChangesOf } from "../store/database.ts";
import { pollLookupChanges } from "../store/lookup-changes.ts";
import { checkEncryptionKey } from "../store/encryption-key-check.ts";
import { createStore, type Store } from "../store/store.ts";
import type { AppOptions } from "../app.ts";

/** The server's logger, once there is a server: backends that fail before that are only replaced. */
export interface LateLogger {
  current?: FastifyBaseLogger;
}

export interface Breakers {
  readonly database: Breaker;
  readonly redis: Breaker;
}

/** One breaker per backend: after a timeout it is left alone for a while, so a request waits once. */
export function backendBreakers(config: Config, logger: LateLogger): Breakers {
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
  return { database: breakerOf("PostgreSQL", config.databaseTimeoutMs), redis: breakerOf("Redis", config.redisTimeoutMs) };
}

/**
 * The sign-in's reads of organisations, providers (OAuth and SAML) and sign-in steps, remembered for
 * LOOKUP_CACHE_MS, or on SQLite until what is stored changes; on SQLite its user reads too
 * (signin/cached-lookups.ts).
 */
export interface CachedLookups {
  readonly organisations: OrganisationRepository;
  readonly providers: ProviderRepository;
  readonly authSteps: AuthStepRepository;
  readonly samlProviders: SamlProviderRepository;
  readonly users: UserRepository;
  readonly links: IdentityLinkRepository;
}

export interface OpenedStore {
  readonly db: Db;
  /** Stops reading PostgreSQL's change count for the caches (store/lookup-changes.ts), before the database closes. */
  readonly stopPolling?: () => void;
  /**
   * What the administration uses: reads what is stored (never a cached copy), and writes through
   * the caches, which forget everything at once.
   */
  readonly store: Store;
  readonly cached: CachedLookups;
  /** Seals secrets at rest (the signing keys' too). */
  readonly secrets: SecretBox;
}

/** The database (migrated when configured), the sealed secrets checked against the key, and the caches over it. */
export async function openStore(config: Config, options: AppOptions, logger: LateLogger, breaker: Breaker): Promise<OpenedStore> {
  const db = await openDatabase(config.database, {
    breaker,
    timeoutMs: config.databaseTimeoutMs,
    onConnectionError: (error: Error) =>
      logger.current?.warn({ backend: "database", cause: error.message }, "database connection lost; it is replaced"),
    migrate: config.migrateAtStart,
  });
  const secrets = createSecretBox(config.encryptionKey, config.previousEncryptionKeys);
  try {
    await checkEncryptionKey(db, secrets);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const stored = createStore(db, secrets, config.publicUrl);
  // SQLite tells every change at once; on PostgreSQL the change count is read every LOOKUP_CACHE_MS.
  const sqliteChanges = storedChangesOf(db);
  const polled = sqliteChanges || config.lookupCacheMs <= 0 ? undefined : pollLookupChanges(db, config.lookupCacheMs);
  const changes = sqliteChanges ?? polled;
  const ttl = { ttlMs: config.lookupCacheMs, ...(options.clock && { now: options.clock.now }), ...(changes && { changes }) };
  const cached = {
    ...cachedUserLookups(stored.users, stored.links, ttl),
    organisations: cachedOrganisations(stored.organisations, ttl),
    providers: cachedProviders(stored.providers, ttl),
    authSteps: cachedAuthSteps(stored.authSteps, ttl),
    samlProviders: cachedSamlProviders(stored.samlProviders, ttl),
  };
  const store: Store = {
    ...stored,
    // Every organisation write goes through the cache (which clears it); the reads stay uncached.
    organisations: {
      ...cached.organisations,
      get: stored.organisations.get,
      list: stored.organisations.list,
      findByDomain: stored.organisations.findByDomain,
    },
    // Every provider write goes through the cache (which clears it); the reads stay uncached.
    providers: { ...cached.providers, configured: stored.providers.configured, list: stored.providers.list },
    authSteps: { ...cached.authSteps, get: stored.authSteps.get },
    samlProviders: { ...cached.samlProviders, configured: stored.samlProviders.configured, list: stored.samlProviders.list },
  };
  return { db, store, cached, secrets, ...(polled && { stopPolling: polled.stop }) };
}

export interface SharedState {
  /** Sign-in sessions, authorization requests, lockout counters, limiter counts: in memory, or Redis. */
  readonly state: ShortLivedState;
  /** The exchange's redeemed-token marks: in memory a state of their own (see connectState). */
  readonly redeemedMarks: ShortLivedState;
  /** The rate limiter's Redis connection, when limits are shared through Redis. */
  readonly limitCounters: ReturnType<typeof connectRedis> | undefined;
}

export function connectState(config: Config, options: AppOptions, breaker: Breaker): SharedState {
  const state = config.redisUrl
    ? createRedisState(config.redisUrl, { timeoutMs: config.redisTimeoutMs, breaker })
    : createMemoryState(options.clock?.now, { maxEntries: config.memoryStateMaxEntries });
  // Every exchange leaves a redeemed-token mark for 30 minutes: in memory they get a cap of their
  // own, so a busy hour of exchanges never pushes out the sign-ins in progress (Redis expires them).
  const redeemedMarks = config.redisUrl ? state : createMemoryState(options.clock?.now, { maxEntries: config.memoryStateMaxEntries });
  const limitCounters = config.redisUrl && config.rateLimitPerMinute > 0 ? connectRedis(config.redisUrl, config.redisTimeoutMs) : undefined;
  return { state, redeemedMarks, limitCounters };
}

/** The service starts without Redis, and answers 503 where it needs it until Redis answers. */
export async function warnWithoutRedis(config: Config, shared: SharedState, log: FastifyBaseLogger): Promise<void> {
  if (!config.redisUrl) return;
  await shared.state
    .ping()
    .catch(() =>
      log.warn({ backend: "shared state" }, "Redis (REDIS_URL) cannot be reached at start; requests that need it answer 503 until it can"),
    );
}

/** Closes the backends, after the server. */
export async function closeBackends(opened: OpenedStore, shared: SharedState): Promise<void> {
  const { state, redeemedMarks, limitCounters } = shared;
  await state.close();
  if (redeemedMarks !== state) await redeemedMarks.close();
  await limitCounters?.quit().catch(() => limitCounters.disconnect());
  opened.stopPolling?.();
  await opened.db.destroy();
}
