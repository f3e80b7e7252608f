import type { Config, Environment } from "../config.ts";
import type { EffectiveSettings } from "../http/admin/settings-routes.ts";

type SettingValue = EffectiveSettings[string];

/** Query parameters whose values may be credentials, whatever the URL is for. */
const SECRET_QUERY = /pass|secret|token|key|sig|auth/i;

/** A URL with its password (and any secret-looking query value) replaced by `***`. */
export function withoutPassword(url: string): string {
  if (!URL.canParse(url)) return "***";
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY.test(name)) parsed.searchParams.set(name, "***");
  }
  return parsed.toString();
}

const secret = (value: unknown) => ({ set: value !== undefined && value !== null && value !== "" });

/**
 * The validated Config as the operator reads it: every variable of EnvironmentSchema by name (the
 * Record's type makes a new variable fail to compile until it is listed here), with its value in
 * effect. Secrets only say whether they are set; URLs lose their passwords.
 */
export function effectiveSettings(config: Config): EffectiveSettings {
  const settings: Record<keyof Environment, SettingValue> = {
    PORT: config.port,
    HOST: config.host,
    DATA_DIR: config.dataDir,
    PUBLIC_URL: config.publicUrl,
    LOG_LEVEL: config.logLevel,
    ADMIN_TOKEN: secret(config.adminToken),
    DEMO: config.demo,
    DATABASE_URL: config.database.kind === "sqlite" ? `sqlite:${config.database.path}` : withoutPassword(config.database.url),
    ENCRYPTION_KEY: secret(config.encryptionKey),
    MIGRATE_AT_START: config.migrateAtStart,
    OUTBOUND_TIMEOUT_MS: config.outboundTimeoutMs,
    ALLOW_INSECURE_LOOPBACK_PROVIDERS: config.allowInsecureLoopbackProviders,
    PROVIDER_NETWORK_ALLOW: [...config.providerNetworkAllow.hosts, ...config.providerNetworkAllow.ranges],
    REDIS_URL: config.redisUrl === undefined ? null : withoutPassword(config.redisUrl),
    DATABASE_TIMEOUT_MS: config.databaseTimeoutMs,
    REDIS_TIMEOUT_MS: config.redisTimeoutMs,
    TOKEN_AUDIENCE: config.tokenAudience,
    ACCESS_TOKEN_TTL_SECONDS: config.accessTokenTtlSeconds,
    REFRESH_TOKEN_TTL_SECONDS: config.refreshTokenTtlSeconds,
    LOCKOUT_THRESHOLD: config.lockoutThreshold,
    LOCKOUT_SECONDS: config.lockoutSeconds,
    RATE_LIMIT_PER_MINUTE: config.rateLimitPerMinute,
    ADMIN_AUTH_FAILURES_PER_MINUTE: config.adminAuthFailuresPerMinute,
    TRUST_PROXY: [...config.trustProxy],
    MEMORY_STATE_MAX_ENTRIES: config.memoryStateMaxEntries,
    LOOKUP_CACHE_MS: config.lookupCacheMs,
    METRICS_TOKEN: secret(config.metricsToken),
    PROVIDER_WATCH_INTERVAL_SECONDS: config.providerWatchIntervalSeconds,
    EVENTS_WEBHOOK_URL: config.eventsWebhook ? withoutPassword(config.eventsWebhook.url) : null,
    EVENTS_WEBHOOK_SECRET: secret(config.eventsWebhook?.secret),
    // The former names, still read: what is in effect, as under the new names.
    PROVIDER_WATCH_WEBHOOK_URL: config.eventsWebhook ? withoutPassword(config.eventsWebhook.url) : null,
    PROVIDER_WATCH_WEBHOOK_SECRET: secret(config.eventsWebhook?.secret),
    CORS_ORIGINS: [...config.corsOrigins],
    DNS_SERVERS: [...config.dnsServers],
    DNS_TIMEOUT_MS: config.dnsTimeoutMs,
    DOMAIN_CHECK_INTERVAL_SECONDS: config.domainCheckIntervalSeconds,
  };
  return settings;
}
