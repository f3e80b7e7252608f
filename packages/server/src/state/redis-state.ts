import { Redis } from "ioredis";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";

/** INCRBY and its expiry in one script, so no caller sees a count another has not yet written or a counter without a lifetime. */
const INCREMENT = [
  "local v = redis.call('INCRBY', KEYS[1], ARGV[2])",
  "if v <= 0 then redis.call('DEL', KEYS[1]) return 0 end",
  "if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end",
  "return v",
].join(" ");

/** Shared state in Redis, for several instances. Keys are prefixed so a Redis can be shared. */
export function createRedisState(url: string, prefix = "pipeshub-auth:"): ShortLivedState {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  // Errors surface on the commands that need Redis; the client reconnects by itself.
  redis.on("error", () => undefined);
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
    async increment(key, ttlMs, by = 1) {
      return Number(await redis.eval(INCREMENT, 1, k(key), String(Math.max(1, Math.ceil(ttlMs))), String(Math.trunc(by))));
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
