import { isAbsolute, resolve } from "node:path";
import type { DatabaseLocation } from "./store/database.ts";

/** Log levels pino understands. */
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export type { DatabaseLocation };

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
  readonly encryptionKey: Buffer;
  readonly adminToken: string;
  readonly outboundTimeoutMs: number;
  readonly logLevel: LogLevel;
  /** Allows plain-http providers on 127.0.0.1/::1 only (demo and tests). Never on by default. */
  readonly allowInsecureLoopbackProviders: boolean;
  readonly redisUrl: string | undefined;
  readonly demo: "auto" | "off";
  /** `aud` of the service's own access and refresh tokens. */
  readonly tokenAudience: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /** Consecutive failed `authenticate` attempts that block an account, and for how long. */
  readonly lockoutThreshold: number;
  readonly lockoutSeconds: number;
}

/** The settings read from the environment; `encryptionKey`/`adminToken` may still be missing. */
export type ConfigDraft = Omit<Config, "encryptionKey" | "adminToken"> & {
  readonly encryptionKey: Buffer | undefined;
  readonly adminToken: string | undefined;
};

/** A bad setting: names the variable and what is wrong with it. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = "ConfigError";
    this.variable = variable;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new ConfigError(name, `must be "true" or "false", got "${raw}"`);
}

function readUrl(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, "must be an absolute URL");
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must use ${protocols.map((p) => p.replace(":", "")).join(" or ")}`);
  }
  return raw;
}

/** Parses a 32-byte key given as 64 hex characters or base64/base64url. */
export function parseEncryptionKey(raw: string, variable = "ENCRYPTION_KEY"): Buffer {
  const trimmed = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64url");
  if (key.length !== 32) throw new ConfigError(variable, "must be 32 bytes, as 64 hex characters or base64");
  return key;
}

function readDatabase(env: Env, dataDir: string): DatabaseLocation {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === "") return { kind: "sqlite", path: resolve(dataDir, "pipeshub-auth.sqlite") };
  if (raw.startsWith("postgres://") || raw.startsWith("postgresql://")) return { kind: "postgres", url: raw };
  if (raw.startsWith("sqlite:")) {
    const path = raw.slice("sqlite:".length).replace(/^\/\//, "");
    if (path === "") throw new ConfigError("DATABASE_URL", "sqlite: needs a file path, e.g. sqlite:./data/auth.sqlite");
    return { kind: "sqlite", path: path === ":memory:" ? path : resolve(path) };
  }
  throw new ConfigError("DATABASE_URL", "must start with postgres://, postgresql:// or sqlite:");
}

/** Reads and validates the environment. Throws `ConfigError` naming the first bad variable. */
export function readConfig(env: Env, cwd = process.cwd()): ConfigDraft {
  const port = readInteger(env, "PORT", 3000, 0, 65535);
  const host = env.HOST || "127.0.0.1";
  const dataDirRaw = env.DATA_DIR || "./data";
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);
  const publicUrl = (readUrl(env, "PUBLIC_URL", ["http:", "https:"]) ?? `http://${host.includes(":") ? `[${host}]` : host}:${port}`).replace(/\/+$/, "");
  const logLevel = (env.LOG_LEVEL || "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}`);
  const adminToken = env.ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < 16) throw new ConfigError("ADMIN_TOKEN", "must be at least 16 characters");
  const demo = env.DEMO || "auto";
  if (demo !== "auto" && demo !== "off") throw new ConfigError("DEMO", 'must be "auto" or "off"');
  return Object.freeze({
    host,
    port,
    publicUrl,
    dataDir,
    database: readDatabase(env, dataDir),
    encryptionKey: env.ENCRYPTION_KEY ? parseEncryptionKey(env.ENCRYPTION_KEY) : undefined,
    adminToken,
    outboundTimeoutMs: readInteger(env, "OUTBOUND_TIMEOUT_MS", 10_000, 100, 120_000),
    logLevel,
    allowInsecureLoopbackProviders: readBoolean(env, "ALLOW_INSECURE_LOOPBACK_PROVIDERS", false),
    redisUrl: readUrl(env, "REDIS_URL", ["redis:", "rediss:"]),
    demo,
    tokenAudience: env.TOKEN_AUDIENCE || "pipeshub",
    accessTokenTtlSeconds: readInteger(env, "ACCESS_TOKEN_TTL_SECONDS", 3600, 60, 86_400),
    refreshTokenTtlSeconds: readInteger(env, "REFRESH_TOKEN_TTL_SECONDS", 7 * 86_400, 300, 90 * 86_400),
    lockoutThreshold: readInteger(env, "LOCKOUT_THRESHOLD", 5, 1, 100),
    lockoutSeconds: readInteger(env, "LOCKOUT_SECONDS", 900, 1, 86_400),
  });
}

/** A complete config for tests and embedders: defaults plus the given overrides. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const draft = readConfig({ PORT: "0", DATABASE_URL: "sqlite::memory:", ALLOW_INSECURE_LOOPBACK_PROVIDERS: "true", LOG_LEVEL: "silent", DEMO: "off" });
  return Object.freeze({
    ...draft,
    encryptionKey: Buffer.alloc(32, 7),
    adminToken: "test-admin-token-0123456789",
    outboundTimeoutMs: 2_000,
    ...overrides,
  });
}
