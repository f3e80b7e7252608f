import { Redis } from "ioredis";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";

const INCREMENT = "local v = redis.call('INCR', KEYS[1]) if v == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return v";

/** Compare-and-consume in one script: Redis runs it atomically, so no other client interleaves. */
const TAKE_IF_BOUND = `local v = redis.call('GET', KEYS[1])
if not v then return {0} end
local ok, record = pcall(cjson.decode, v)
if not ok or type(record) ~= 'table' then return {1} end
for i = 1, #ARGV do
  if record.binding == ARGV[i] then redis.call('DEL', KEYS[1]) return {2, v} end
end
return {1}`;

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
    async takeIfBound(key, bindings) {
      const [found, value] = (await redis.eval(TAKE_IF_BOUND, 1, k(key), ...bindings)) as [number, string?];
      if (found === 2 && value !== undefined) return { kind: "taken", value };
      return found === 0 ? { kind: "absent" } : { kind: "refused" };
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
