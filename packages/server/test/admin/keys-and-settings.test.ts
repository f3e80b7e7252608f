/**
 * What the operator reads of the service itself: its signing keys (public facts only) and its
 * effective settings (never a secret).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EnvironmentSchema, testConfig } from "../../src/config.ts";
import { effectiveSettings } from "../../src/wiring/effective-settings.ts";
import { assertAuthError, startService } from "../support/service.ts";

type KeyBody = { kid: string; alg: string; createdAt: string; retiredAt: string | null; current: boolean };

describe("GET /api/v1/keys: the service's signing keys", () => {
  test("lists the published keys newest first, which one signs, and when a rotation retired the other; public facts only", async (t) => {
    const service = await startService(t);
    const first = await service.admin<KeyBody[]>("GET", "/api/v1/keys");
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.length, 1, "a key is made when there is none, as for the JWKS");
    const [only] = first.body;
    assert.deepEqual(Object.keys(only!).sort(), ["alg", "createdAt", "current", "kid", "retiredAt"], "no key material");
    assert.deepEqual([only!.alg, only!.current, only!.retiredAt], ["ES256", true, null]);

    const rotated = await service.admin<{ kid: string }>("POST", "/api/v1/keys/rotate");
    assert.equal(rotated.status, 200, rotated.text);
    const after = await service.admin<KeyBody[]>("GET", "/api/v1/keys");
    assert.deepEqual(
      after.body.map((k) => [k.kid, k.current, k.retiredAt === null]),
      [
        [rotated.body.kid, true, true],
        [only!.kid, false, false],
      ],
    );
    assert.ok(Date.parse(after.body[1]!.retiredAt!) >= Date.parse(only!.createdAt));
    const jwks = await service.request<{ keys: { kid: string }[] }>("GET", "/.well-known/jwks.json");
    assert.deepEqual(
      jwks.body.keys.map((k) => k.kid),
      after.body.map((k) => k.kid),
      "the same keys the JWKS publishes",
    );
    assertAuthError(await service.request("GET", "/api/v1/keys"), 401, "UNAUTHORIZED");
  });
});

describe("GET /api/v1/settings: the service's effective settings", () => {
  const adminToken = "operator-admin-token-5f1e9c7a";
  const metricsToken = "metrics-token-0a9b8c7d6e5f";
  const webhookSecret = "webhook-secret-1234abcd5678";
  const encryptionKey = Buffer.alloc(32, 0xab);

  test("names every variable with its value; the secrets only as {set}, and none of their values anywhere in the answer", async (t) => {
    const service = await startService(t, {
      adminToken,
      encryptionKey,
      metricsToken,
      eventsWebhook: { url: "https://hooks.example/in?token=hook-url-token-99&team=ops", secret: webhookSecret },
      corsOrigins: ["https://app.example"],
    });
    const answer = await service.admin<Record<string, unknown>>("GET", "/api/v1/settings");
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(Object.keys(answer.body).sort(), Object.keys(EnvironmentSchema.properties).sort(), "every variable, by name");
    for (const secret of [
      adminToken,
      metricsToken,
      webhookSecret,
      "hook-url-token-99",
      encryptionKey.toString("hex"),
      encryptionKey.toString("base64"),
    ])
      assert.equal(answer.text.includes(secret), false, `a secret is in the answer: ${secret.slice(0, 6)}…`);
    assert.deepEqual(
      [answer.body.ADMIN_TOKEN, answer.body.ENCRYPTION_KEY, answer.body.METRICS_TOKEN, answer.body.PROVIDER_WATCH_WEBHOOK_SECRET],
      [{ set: true }, { set: true }, { set: true }, { set: true }],
    );
    assert.equal(answer.body.PROVIDER_WATCH_WEBHOOK_URL, "https://hooks.example/in?token=***&team=ops");
    assert.deepEqual(
      [
        answer.body.DATABASE_URL,
        answer.body.REDIS_URL,
        answer.body.LOOKUP_CACHE_MS,
        answer.body.MIGRATE_AT_START,
        answer.body.CORS_ORIGINS,
      ],
      ["sqlite::memory:", null, 5000, true, ["https://app.example"]],
      "values as typed, defaults included, null when unset",
    );
    assertAuthError(await service.request("GET", "/api/v1/settings"), 401, "UNAUTHORIZED");
  });

  test("the database's and Redis's URLs keep everything but their passwords; an unset secret is {set: false}", () => {
    const settings = effectiveSettings(
      testConfig({
        database: { kind: "postgres", url: "postgres://auth:db-pass-77@db.internal:5432/auth?sslmode=require" },
        redisUrl: "rediss://default:redis-pass-88@cache.internal:6380/2",
        metricsToken: undefined,
      }),
    );
    assert.equal(settings.DATABASE_URL, "postgres://auth:***@db.internal:5432/auth?sslmode=require");
    assert.equal(settings.REDIS_URL, "rediss://default:***@cache.internal:6380/2");
    assert.deepEqual([settings.METRICS_TOKEN, settings.PROVIDER_WATCH_WEBHOOK_SECRET], [{ set: false }, { set: false }]);
    assert.equal(JSON.stringify(settings).includes("pass-"), false);
  });
});
