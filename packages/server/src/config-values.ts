// The kinds of value the environment's variables hold: each a string checked by refinements
// (their messages are the one-line errors an operator sees, after the variable's name) and
// decoded to its typed value.
import { isIP } from "node:net";
import { resolve } from "node:path";
import { Type } from "typebox";
import type { DatabaseLocation } from "./domain/database-location.ts";

/** A bad setting: names the variable and what is wrong with it. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = "ConfigError";
    this.variable = variable;
  }
}

/** A secret token chosen by the operator: at least 16 characters. */
export const secretToken = (description: string) =>
  Type.Refine(
    Type.String({ description }),
    (v) => v.length >= 16,
    () => "must be at least 16 characters",
  );

/** Parses a 32-byte key given as 64 hex characters or base64/base64url. */
export function parseEncryptionKey(raw: string, variable = "ENCRYPTION_KEY"): Buffer {
  const key = decodeKey(raw);
  if (key.length !== 32) throw new ConfigError(variable, "must be 32 bytes, as 64 hex characters or base64");
  return key;
}

export function decodeKey(raw: string): Buffer {
  const trimmed = raw.trim();
  return /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64url");
}

export const wholeNumber = (min: number, max: number, fallback: number, description: string) =>
  Type.Decode(
    Type.Refine(
      Type.Refine(
        Type.String({ description, default: String(fallback) }),
        (v) => /^\d+$/.test(v),
        (v) => `must be a whole number, got "${v}"`,
      ),
      (v) => Number(v) >= min && Number(v) <= max,
      (v) => `must be between ${min} and ${max}, got ${Number(v)}`,
    ),
    (v) => Number(v),
  );

export const flag = (fallback: boolean, description: string) =>
  Type.Decode(
    Type.Refine(
      Type.String({ description, default: String(fallback) }),
      (v) => ["true", "1", "false", "0"].includes(v),
      (v) => `must be "true" or "false", got "${v}"`,
    ),
    (v) => v === "true" || v === "1",
  );

export const absoluteUrl = (protocols: readonly string[], description: string) =>
  Type.Refine(
    Type.Refine(
      Type.String({ description }),
      (v) => URL.canParse(v),
      () => "must be an absolute URL",
    ),
    (v) => !URL.canParse(v) || protocols.includes(new URL(v).protocol),
    () => `must use ${protocols.map((p) => p.replace(":", "")).join(" or ")}`,
  );

export const oneOf = <T extends string>(values: readonly T[], fallback: T, problem: string, description: string) =>
  Type.Decode(
    Type.Refine(
      Type.String({ description, default: fallback }),
      (v) => (values as readonly string[]).includes(v),
      () => problem,
    ),
    (v) => v as T,
  );

/** A comma-separated list whose every entry passes `valid`; decoded to the trimmed entries. */
export const commaList = (valid: (entry: string) => boolean, problem: (entry: string) => string, description: string) =>
  Type.Decode(
    Type.Refine(
      Type.String({ description }),
      (v) => splitList(v).every(valid),
      (v) => problem(splitList(v).find((entry) => !valid(entry)) ?? v),
    ),
    (v): readonly string[] => Object.freeze(splitList(v)),
  );

function splitList(v: string): string[] {
  return v
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

/** An IP address, or one with a CIDR prefix length. */
export function isAddressOrCidr(entry: string): boolean {
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** A DNS server as node:dns `setServers` takes it: an IP address, `IPv4:port` or `[IPv6]:port`. */
export function isDnsServer(entry: string): boolean {
  const port = (p: string) => /^\d{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(entry);
  if (bracketed) return isIP(bracketed[1]!) === 6 && port(bracketed[2]!);
  if (isIP(entry) !== 0) return true;
  const [address = "", given = "", ...rest] = entry.split(":");
  return rest.length === 0 && isIP(address) === 4 && port(given);
}

/** DNS_SERVERS: where domain claims' TXT records are looked up. */
export const dnsServerList = commaList(
  isDnsServer,
  (e) => `must be a comma-separated list of DNS servers as IP or IP:port ([IPv6]:port), got "${e}"`,
  "DNS servers for the domain-claim TXT lookups, e.g. 10.0.0.2,10.0.0.3:5353 (default: the system's resolver)",
);

/** An origin as browsers send it: scheme, host and port only. */
export const isOrigin = (entry: string) =>
  URL.canParse(entry) && ["http:", "https:"].includes(new URL(entry).protocol) && new URL(entry).origin === entry;

const POSTGRES_PREFIXES = ["postgres://", "postgresql://"];

/** `DATABASE_URL`: postgres:// or postgresql:// for PostgreSQL, sqlite:<path> (or sqlite::memory:) for SQLite. */
export const databaseUrl = Type.Decode(
  Type.Refine(
    Type.Refine(
      Type.String({ description: "postgres://… for PostgreSQL, sqlite:<path> for SQLite (default DATA_DIR/pipeshub-auth.sqlite)" }),
      (v) => POSTGRES_PREFIXES.some((p) => v.startsWith(p)) || v.startsWith("sqlite:"),
      () => "must start with postgres://, postgresql:// or sqlite:",
    ),
    (v) => !v.startsWith("sqlite:") || sqlitePath(v) !== "",
    () => "sqlite: needs a file path, e.g. sqlite:./data/auth.sqlite",
  ),
  (v): DatabaseLocation => {
    if (!v.startsWith("sqlite:")) return { kind: "postgres", url: v };
    const path = sqlitePath(v);
    return { kind: "sqlite", path: path === ":memory:" ? path : resolve(path) };
  },
);

function sqlitePath(url: string): string {
  return url.slice("sqlite:".length).replace(/^\/\//, "");
}
