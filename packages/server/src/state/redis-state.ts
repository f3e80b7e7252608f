import { Redis, ReplyError } from "ioredis";
import { BackendUnavailableError } from "../domain/backend-unavailable.ts";
import { type Breaker, createBreaker, notAskedAgainYet } from "../domain/breaker.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";

/** INCRBY and its expiry in one script, so no caller sees a count another has not yet written or a counter without a lifetime. */
const INCREMENT = [
  "local v = redis.call('INCRBY', KEYS[1], ARGV[2])",
  "if v <= 0 then redis.call('DEL', KEYS[1]) return 0 end",
  "if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end",
  "return v",
].join(" ");

/** A Redis client for counters beside the state (the rate limits'): the same deadlines, never queueing. */
export function connectRedis(url: string, timeoutMs = 2000): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  // Errors surface on the commands that need Redis; the client reconnects by itself.
  redis.on("error", () => undefined);
  return redis;
}

/**
 * One call to Redis through its breaker: refused at once while the breaker is open; a timeout or
 * a lost connection opens it. Either way the caller gets `BackendUnavailableError`.
 */
async function throughBreaker<T>(breaker: Breaker, run: () => Promise<T>): Promise<T> {
  if (!breaker.allow()) throw new BackendUnavailableError("shared state", { cause: notAskedAgainYet("Redis") });
  try {
    const result = await run();
    breaker.succeeded();
    return result;
  } catch (error) {
    // A reply error is Redis refusing the command: unexpected, not an outage.
    if (error instanceof ReplyError) {
      breaker.succeeded();
      throw error;
    }
    breaker.failed(error);
    throw new BackendUnavailableError("shared state", { cause: error });
  }
}

/** INCR in a fixed window that starts with its first request; answers the count and the window's milliseconds left. */
const COUNT_IN_WINDOW = [
  "local v = redis.call('INCR', KEYS[1])",
  "local ttl = redis.call('PTTL', KEYS[1])",
  "if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end",
  "return {v, ttl}",
].join(" ");

/**
 * The rate limits' counters in Redis, shared by every instance, on a client of their own
 * (`connectRedis`) behind Redis's breaker: while it is open they throw `BackendUnavailableError`
 * at once, and the limits count in memory instead (http/abuse-limits.ts).
 */
export function redisWindowCounters(redis: Redis, breaker: Breaker, prefix = "pipeshub-auth:rate-limit:") {
  return {
    async count(key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
      const [current, ttl] = (await throughBreaker(breaker, () =>
        redis.eval(COUNT_IN_WINDOW, 1, prefix + key, String(Math.max(1, Math.ceil(windowMs)))),
      )) as [number, number];
      return { current, ttl };
    },
  };
}

/** Compare-and-consume in one script: Redis runs it atomically, so no other client interleaves. */
const TAKE_IF_BOUND = `local v = redis.call('GET', KEYS[1])
if not v then return {0} end
local ok, record = pcall(cjson.decode, v)
if not ok or type(record) ~= 'table' then return {1} end
for i = 1, #ARGV do
  if record.binding == ARGV[i] then redis.call('DEL', KEYS[1]) return {2, v} end
end
return {1}`;

/** How the Redis client treats an unavailable server. */
export interface RedisStateOptions {
  /** Keys are prefixed so a Redis can be shared. */
  readonly prefix?: string;
  /** Deadline to connect and of every command; a command waits at most this long for a connection. */
  readonly timeoutMs?: number;
  /** Redis's circuit breaker, shared with the rate limits' counters (default: one of its own); its `onOpen` and `onClose` say when Redis stops and starts answering. */
  readonly breaker?: Breaker;
}

/**
 * Shared state in Redis, for several instances. When Redis is down, frozen or unreachable, a
 * command fails within `timeoutMs` with `BackendUnavailableError` (nothing is queued), and the
 * breaker then fails the next ones at once for a second, so a request that needs several waits
 * once; the client keeps reconnecting by itself and commands work again as soon as it is back.
 */
export function createRedisState(url: string, options: RedisStateOptions = {}): ShortLivedState {
  const prefix = options.prefix ?? "pipeshub-auth:";
  const timeoutMs = options.timeoutMs ?? 2000;
  const breaker = options.breaker ?? createBreaker();
  const redis = new Redis(url, {
    lazyConnect: false,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  // Errors surface on the commands that need Redis (and open the breaker); the client reconnects by itself.
  redis.on("error", () => undefined);
  // A connection made again has had Redis answer its handshake: no need to wait for the breaker's probe.
  redis.on("ready", () => breaker.succeeded());

  function connected(): Promise<void> {
    if (redis.status === "ready") return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        redis.off("ready", onReady);
        reject(new Error(`no connection to Redis within ${timeoutMs} ms (${redis.status})`));
      }, timeoutMs);
      redis.once("ready", onReady);
    });
  }
  const command = <T>(run: () => Promise<T>): Promise<T> =>
    throughBreaker(breaker, async () => {
      await connected();
      return run();
    });

  const k = (key: string) => prefix + key;
  return {
    async set(key, value, ttlMs) {
      await command(() => redis.set(k(key), value, "PX", Math.max(1, Math.ceil(ttlMs))));
    },
    async get(key) {
      return (await command(() => redis.get(k(key)))) ?? undefined;
    },
    async take(key) {
      return (await command(() => redis.getdel(k(key)))) ?? undefined;
    },
    async takeIfBound(key, bindings) {
      const [found, value] = (await command(() => redis.eval(TAKE_IF_BOUND, 1, k(key), ...bindings))) as [number, string?];
      if (found === 2 && value !== undefined) return { kind: "taken", value };
      return found === 0 ? { kind: "absent" } : { kind: "refused" };
    },
    async delete(key) {
      await command(() => redis.del(k(key)));
    },
    async increment(key, ttlMs, by = 1) {
      return Number(await command(() => redis.eval(INCREMENT, 1, k(key), String(Math.max(1, Math.ceil(ttlMs))), String(Math.trunc(by)))));
    },
    async ping() {
      await command(() => redis.ping());
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
