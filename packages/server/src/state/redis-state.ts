import { Redis } from "ioredis";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";

const INCREMENT = "local v = redis.call('INCR', KEYS[1]) if v == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return v";

/** A Redis client as the state uses it (also for the rate limits' counters). */
export function connectRedis(url: string): Redis {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  // Errors surface on the commands that need Redis; the client reconnects by itself.
  redis.on("error", () => undefined);
  return redis;
}

/** Shared state in Redis, for several instances. Keys are prefixed so a Redis can be shared. */
export function createRedisState(url: string, prefix = "pipeshub-auth:"): ShortLivedState {
  const redis = connectRedis(url);
  const k = (key: string) => prefix + key;
  return {
    async set(key, value, ttlMs) {
      await redis.set(k(key), value, "PX", Math.max(1, Math.ceil(ttlMs)));
    },
    async get(key) {
      return (await redis.get(k(key))) ?? undefined;
    },
    async take(key) {
      return (await redis.getdel(k(key))) ?? undefined;
    },
    async delete(key) {
      await redis.del(k(key));
    },
    async increment(key, ttlMs) {
      return Number(await redis.eval(INCREMENT, 1, k(key), String(Math.max(1, Math.ceil(ttlMs)))));
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
