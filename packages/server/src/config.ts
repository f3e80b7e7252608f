import { isAbsolute, resolve } from "node:path";
import { type StaticDecode, Type } from "typebox";
import { Value } from "typebox/value";
import {
  absoluteUrl,
  commaList,
  ConfigError,
  databaseUrl,
  decodeKey,
  flag,
  isAddressOrCidr,
  dnsServerList,
  isOrigin,
  oneOf,
  parseEncryptionKey,
  secretToken,
  wholeNumber,
} from "./config-values.ts";
import { NO_NETWORK_EXCEPTIONS, parseProviderNetworkAllowList, type ProviderNetworkAllowList } from "./domain/provider-network.ts";
import type { DatabaseLocation } from "./domain/database-location.ts";

export type { DatabaseLocation };
export { ConfigError, parseEncryptionKey };

/** Log levels pino understands. */
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/**
 * The service's whole configuration, validated once at start and frozen.
 * Secrets that may be generated (`encryptionKey`, `adminToken`) are resolved by
 * `materialiseSecrets` before the app is built, so every `Config` is complete.
 */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly database: DatabaseLocation;
  /** Seals every new secret; `previousEncryptionKeys` (the rest of ENCRYPTION_KEY's list) still open old ones. */
  readonly encryptionKey: Buffer;
  readonly previousEncryptionKeys: readonly Buffer[];
  /** Apply pending database migrations at start (else refuse to start on an older schema). */
  readonly migrateAtStart: boolean;
  readonly adminToken: string;
  readonly outboundTimeoutMs: number;
  readonly logLevel: LogLevel;
  /** Allows plain-http providers on 127.0.0.1/::1 only (demo and tests). Never on by default. */
  readonly allowInsecureLoopbackProviders: boolean;
  /** Private host names and CIDR ranges providers may nevertheless be at (PROVIDER_NETWORK_ALLOW). */
  readonly providerNetworkAllow: ProviderNetworkAllowList;
  readonly redisUrl: string | undefined;
  /** Deadlines of PostgreSQL (connect, statement) and Redis (connect, command): past them a request answers 503. */
  readonly databaseTimeoutMs: number;
  readonly redisTimeoutMs: number;
  readonly demo: "auto" | "off";
  /** `aud` of the service's own access and refresh tokens. */
  readonly tokenAudience: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /** Consecutive failed `authenticate` attempts that block an account, and for how long. */
  readonly lockoutThreshold: number;
  readonly lockoutSeconds: number;
  /** Requests per minute per client address and endpoint, and per email and sign-in endpoint; 0: no limits. */
  readonly rateLimitPerMinute: number;
  /** Refused admin credentials per minute per client address, over every admin route together, before it gets 429; 0: not limited. */
  readonly adminAuthFailuresPerMinute: number;
  /** Proxies whose `X-Forwarded-For` is believed (addresses or CIDRs); empty: none, the peer is the client. */
  readonly trustProxy: readonly string[];
  /** Hard cap on the in-memory state's entries (pending sign-ins, states, counters); the oldest go first. */
  readonly memoryStateMaxEntries: number;
  /** How long an instance reuses an organisation or provider it read; other instances' admin changes reach it within this (0: off). */
  readonly lookupCacheMs: number;
  /** Bearer token `/metrics` requires; undefined: `/metrics` is open. */
  readonly metricsToken: string | undefined;
  /** Browser origins allowed to call the API cross-origin; empty: CORS off. */
  readonly corsOrigins: readonly string[];
  /** How often the provider watch re-reads discovery documents and keys; 0: never. */
  readonly providerWatchIntervalSeconds: number;
  /** Where events (provider changes, users disabled or deleted) are posted, and the secret their HMAC signature uses. */
  readonly eventsWebhook: { readonly url: string; readonly secret: string | undefined } | undefined;
  /** Domain claims' TXT lookups: at these servers (empty: the system's resolver), each try's deadline, how often pending ones are re-checked (0: never). */
  readonly dnsServers: readonly string[];
  readonly dnsTimeoutMs: number;
  readonly domainCheckIntervalSeconds: number;
}

/** The settings read from the environment; `encryptionKey`/`adminToken` may still be missing. */
export type ConfigDraft = Omit<Config, "encryptionKey" | "adminToken"> & {
  readonly encryptionKey: Buffer | undefined;
  readonly adminToken: string | undefined;
};

/**
 * The environment the service reads, as one schema: each variable's check, default and typed
 * value. In the order the variables are checked: the first bad one is the one reported.
 */
export const EnvironmentSchema = Type.Object({
  PORT: wholeNumber(0, 65535, 3000, "TCP port to listen on (0: any free port)"),
  HOST: Type.String({ default: "127.0.0.1", description: "Address to listen on" }),
  DATA_DIR: Type.String({ default: "./data", description: "Where the SQLite file and generated secrets live" }),
  PUBLIC_URL: Type.Optional(
    absoluteUrl(["http:", "https:"], "The service's URL as clients see it; the tokens' issuer (default http://HOST:PORT)"),
  ),
  LOG_LEVEL: oneOf(LOG_LEVELS, "info", `must be one of ${LOG_LEVELS.join(", ")}`, "pino log level"),
  ADMIN_TOKEN: Type.Optional(secretToken("Bearer token of the admin API (default generated into DATA_DIR)")),
  DEMO: oneOf(["auto", "off"] as const, "auto", 'must be "auto" or "off"', "auto: a demo provider on a fresh loopback start; off: never"),
  DATABASE_URL: Type.Optional(databaseUrl),
  ENCRYPTION_KEY: Type.Optional(
    Type.Decode(
      Type.Refine(
        Type.String({
          description:
            "32-byte key sealing secrets at rest, hex or base64; a comma-separated list while rotating: the first seals, any opens (default generated into DATA_DIR)",
        }),
        (v) => v.split(",").every((k) => decodeKey(k).length === 32),
        () => "must be 32 bytes, as 64 hex characters or base64 (or a comma-separated list of such keys)",
      ),
      (v) => v.split(",").map((k) => parseEncryptionKey(k)),
    ),
  ),
  MIGRATE_AT_START: flag(true, "Apply pending database migrations at start (false: run `npm run migrate` before starting)"),
  OUTBOUND_TIMEOUT_MS: wholeNumber(100, 120_000, 10_000, "Deadline of every call to a provider"),
  ALLOW_INSECURE_LOOPBACK_PROVIDERS: flag(false, "Allow plain-http providers on 127.0.0.1/::1 (demo and tests only)"),
  PROVIDER_NETWORK_ALLOW: Type.Optional(
    Type.Decode(
      Type.Refine(
        Type.String({
          description: "Comma-separated host names and CIDR ranges providers may be at although private, e.g. 10.0.0.0/8,idp.corp.internal",
        }),
        (v) => parseProviderNetworkAllowList(v).ok,
        (v) => {
          const parsed = parseProviderNetworkAllowList(v);
          return parsed.ok ? "" : parsed.problem;
        },
      ),
      (v) => {
        const parsed = parseProviderNetworkAllowList(v);
        return parsed.ok ? parsed.value : NO_NETWORK_EXCEPTIONS;
      },
    ),
  ),
  REDIS_URL: Type.Optional(absoluteUrl(["redis:", "rediss:"], "Shared state for several instances (default: in memory)")),
  DATABASE_TIMEOUT_MS: wholeNumber(
    100,
    60_000,
    2000,
    "PostgreSQL: deadline to connect and of every statement; past it a request answers 503",
  ),
  REDIS_TIMEOUT_MS: wholeNumber(100, 60_000, 1500, "Redis: deadline to connect and of every command; past it a request answers 503"),
  TOKEN_AUDIENCE: Type.String({ default: "pipeshub", description: "`aud` of the service's tokens" }),
  ACCESS_TOKEN_TTL_SECONDS: wholeNumber(60, 86_400, 3600, "Access token lifetime"),
  REFRESH_TOKEN_TTL_SECONDS: wholeNumber(300, 90 * 86_400, 7 * 86_400, "Refresh token lifetime"),
  LOCKOUT_THRESHOLD: wholeNumber(1, 100, 5, "Failed authenticate attempts that block an account"),
  LOCKOUT_SECONDS: wholeNumber(1, 86_400, 900, "How long a blocked account stays blocked"),
  RATE_LIMIT_PER_MINUTE: wholeNumber(
    0,
    1_000_000,
    300,
    "Requests per minute per address and endpoint (and per email on sign-in endpoints); 0 turns limits off",
  ),
  ADMIN_AUTH_FAILURES_PER_MINUTE: wholeNumber(
    0,
    10_000,
    20,
    "Refused admin credentials per minute per address over every admin route; past it the address gets 429; 0 turns it off",
  ),
  TRUST_PROXY: Type.Optional(
    commaList(
      isAddressOrCidr,
      (e) => `must be a comma-separated list of IP addresses or CIDRs, got "${e}"`,
      "Proxies whose X-Forwarded-For is believed (default: none)",
    ),
  ),
  MEMORY_STATE_MAX_ENTRIES: wholeNumber(
    100,
    100_000_000,
    100_000,
    "Most entries the in-memory state keeps; the oldest are dropped beyond it",
  ),
  LOOKUP_CACHE_MS: wholeNumber(
    0,
    60_000,
    5_000,
    "How often (ms) an instance on PostgreSQL reads the change count of organisations, providers and sign-in steps, which it reuses while the count stays the same: another instance's changes reach it within this. SQLite sees every change at once (0: no reuse)",
  ),
  METRICS_TOKEN: Type.Optional(secretToken("Bearer token /metrics requires (default: /metrics is open)")),
  PROVIDER_WATCH_INTERVAL_SECONDS: wholeNumber(
    0,
    7 * 86_400,
    3600,
    "How often each provider's discovery document and keys are re-read, changes recorded as events; 0 turns the watch off",
  ),
  EVENTS_WEBHOOK_URL: Type.Optional(
    absoluteUrl(["http:", "https:"], "Where events (provider.changed, user.disabled, user.deleted) are POSTed (default: nowhere)"),
  ),
  EVENTS_WEBHOOK_SECRET: Type.Optional(secretToken("Signs each webhook POST: x-pipeshub-signature = sha256=HMAC(secret, timestamp.body)")),
  PROVIDER_WATCH_WEBHOOK_URL: Type.Optional(absoluteUrl(["http:", "https:"], "The former name of EVENTS_WEBHOOK_URL, still read")),
  PROVIDER_WATCH_WEBHOOK_SECRET: Type.Optional(secretToken("The former name of EVENTS_WEBHOOK_SECRET, still read")),
  DNS_SERVERS: Type.Optional(dnsServerList),
  DNS_TIMEOUT_MS: wholeNumber(100, 30_000, 3000, "Deadline of each of a TXT lookup's two tries"),
  DOMAIN_CHECK_INTERVAL_SECONDS: wholeNumber(0, 7 * 86_400, 600, "How often pending domain claims are re-checked; 0: never"),
  CORS_ORIGINS: Type.Optional(
    commaList(
      isOrigin,
      (e) => `must be a comma-separated list of origins like https://app.example.com (no path, no wildcard), got "${e}"`,
      "Browser origins allowed to call the API (default: none, CORS off)",
    ),
  ),
});

export type Environment = StaticDecode<typeof EnvironmentSchema>;

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the environment. Throws `ConfigError` naming the first bad variable. */
export function readConfig(env: Env, cwd = process.cwd()): ConfigDraft {
  // An empty variable counts as unset, as shells and compose files often leave them.
  const given: Record<string, string> = {};
  for (const name of Object.keys(EnvironmentSchema.properties)) {
    const value = env[name];
    if (value !== undefined && value !== "") given[name] = value;
  }
  const withDefaults = Value.Default(EnvironmentSchema, given);
  const [problem] = Value.Errors(EnvironmentSchema, withDefaults);
  if (problem) throw new ConfigError(problem.instancePath.slice(1), problem.message);
  const e: Environment = Value.Decode(EnvironmentSchema, withDefaults);
  const dataDir = isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(cwd, e.DATA_DIR);
  const database: DatabaseLocation = e.DATABASE_URL ?? { kind: "sqlite", path: resolve(dataDir, "pipeshub-auth.sqlite") };
  return Object.freeze({
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST.includes(":") ? `[${e.HOST}]` : e.HOST}:${e.PORT}`).replace(/\/+$/, ""),
    dataDir,
    database,
    encryptionKey: e.ENCRYPTION_KEY?.[0],
    previousEncryptionKeys: e.ENCRYPTION_KEY?.slice(1) ?? [],
    migrateAtStart: e.MIGRATE_AT_START,
    adminToken: e.ADMIN_TOKEN,
    outboundTimeoutMs: e.OUTBOUND_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    allowInsecureLoopbackProviders: e.ALLOW_INSECURE_LOOPBACK_PROVIDERS,
    providerNetworkAllow: e.PROVIDER_NETWORK_ALLOW ?? NO_NETWORK_EXCEPTIONS,
    redisUrl: e.REDIS_URL,
    databaseTimeoutMs: e.DATABASE_TIMEOUT_MS,
    redisTimeoutMs: e.REDIS_TIMEOUT_MS,
    demo: e.DEMO,
    tokenAudience: e.TOKEN_AUDIENCE,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    lockoutThreshold: e.LOCKOUT_THRESHOLD,
    lockoutSeconds: e.LOCKOUT_SECONDS,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    adminAuthFailuresPerMinute: e.ADMIN_AUTH_FAILURES_PER_MINUTE,
    trustProxy: e.TRUST_PROXY ?? [],
    memoryStateMaxEntries: e.MEMORY_STATE_MAX_ENTRIES,
    lookupCacheMs: e.LOOKUP_CACHE_MS,
    metricsToken: e.METRICS_TOKEN,
    corsOrigins: e.CORS_ORIGINS ?? [],
    providerWatchIntervalSeconds: e.PROVIDER_WATCH_INTERVAL_SECONDS,
    eventsWebhook: eventsWebhookOf(e),
    dnsServers: e.DNS_SERVERS ?? [],
    dnsTimeoutMs: e.DNS_TIMEOUT_MS,
    domainCheckIntervalSeconds: e.DOMAIN_CHECK_INTERVAL_SECONDS,
  });
}

/** The events webhook: EVENTS_WEBHOOK_*, else the former PROVIDER_WATCH_WEBHOOK_* names, so existing deployments keep theirs. */
function eventsWebhookOf(e: Environment): Config["eventsWebhook"] {
  const url = e.EVENTS_WEBHOOK_URL ?? e.PROVIDER_WATCH_WEBHOOK_URL;
  return url === undefined ? undefined : { url, secret: e.EVENTS_WEBHOOK_SECRET ?? e.PROVIDER_WATCH_WEBHOOK_SECRET };
}

/** A complete config for tests and embedders: defaults plus the given overrides. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const draft = readConfig({
    PORT: "0",
    DATABASE_URL: "sqlite::memory:",
    ALLOW_INSECURE_LOOPBACK_PROVIDERS: "true",
    LOG_LEVEL: "silent",
    DEMO: "off",
  });
  return Object.freeze({
    ...draft,
    encryptionKey: Buffer.alloc(32, 7),
    adminToken: "test-admin-token-0123456789",
    outboundTimeoutMs: 2_000,
    // The suites make many requests from 127.0.0.1; the abuse-limit tests turn limits on.
    rateLimitPerMinute: 0,
    // Many suites present wrong admin credentials from 127.0.0.1; the credential-failure tests turn the limit on.
    adminAuthFailuresPerMinute: 0,
    // No background rounds unless a test is about the watch.
    providerWatchIntervalSeconds: 0,
    domainCheckIntervalSeconds: 0,
    ...overrides,
  });
}
