import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, readConfig } from "../src/config.ts";

describe("configuration from the environment", () => {
  test("defaults: port 3000, ./data, an SQLite file in it, 10 s outbound timeout, insecure providers off", () => {
    const config = readConfig({}, "/srv/app");
    assert.equal(config.port, 3000);
    assert.equal(config.dataDir, "/srv/app/data");
    assert.deepEqual(config.database, { kind: "sqlite", path: "/srv/app/data/pipeshub-auth.sqlite" });
    assert.equal(config.outboundTimeoutMs, 10_000);
    assert.equal(config.allowInsecureLoopbackProviders, false);
    assert.equal(config.publicUrl, "http://127.0.0.1:3000");
    assert.ok(Object.isFrozen(config));
  });

  test("DATABASE_URL selects PostgreSQL", () => {
    assert.deepEqual(readConfig({ DATABASE_URL: "postgres://u:p@127.0.0.1/db" }).database, {
      kind: "postgres",
      url: "postgres://u:p@127.0.0.1/db",
    });
  });

  test("the events webhook: EVENTS_WEBHOOK_URL/SECRET, the former PROVIDER_WATCH_WEBHOOK_* names still read, the new names winning", () => {
    const secret = "a-webhook-secret-of-length";
    assert.equal(readConfig({}).eventsWebhook, undefined);
    assert.deepEqual(readConfig({ EVENTS_WEBHOOK_URL: "https://hooks.example/in", EVENTS_WEBHOOK_SECRET: secret }).eventsWebhook, {
      url: "https://hooks.example/in",
      secret,
    });
    assert.deepEqual(
      readConfig({ PROVIDER_WATCH_WEBHOOK_URL: "https://old.example/in", PROVIDER_WATCH_WEBHOOK_SECRET: secret }).eventsWebhook,
      {
        url: "https://old.example/in",
        secret,
      },
    );
    const both = readConfig({ EVENTS_WEBHOOK_URL: "https://new.example/in", PROVIDER_WATCH_WEBHOOK_URL: "https://old.example/in" });
    assert.equal(both.eventsWebhook?.url, "https://new.example/in");
    assert.throws(() => readConfig({ EVENTS_WEBHOOK_URL: "ftp://x" }), /EVENTS_WEBHOOK_URL/);
  });

  const bad: [Record<string, string>, string, RegExp][] = [
    [{ PORT: "eighty" }, "PORT", /whole number/],
    [{ PORT: "70000" }, "PORT", /between/],
    [{ OUTBOUND_TIMEOUT_MS: "5" }, "OUTBOUND_TIMEOUT_MS", /between/],
    [{ PUBLIC_URL: "not a url" }, "PUBLIC_URL", /absolute URL/],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL", /postgres/],
    [{ ENCRYPTION_KEY: "short" }, "ENCRYPTION_KEY", /32 bytes/],
    [{ ADMIN_TOKEN: "tiny" }, "ADMIN_TOKEN", /16 characters/],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL", /one of/],
    [{ ALLOW_INSECURE_LOOPBACK_PROVIDERS: "yes" }, "ALLOW_INSECURE_LOOPBACK_PROVIDERS", /true/],
    [{ PROVIDER_NETWORK_ALLOW: "10.0.0.0/33" }, "PROVIDER_NETWORK_ALLOW", /prefix length/],
    [{ PROVIDER_NETWORK_ALLOW: "idp.corp.internal,http://x" }, "PROVIDER_NETWORK_ALLOW", /"http:\/\/x" is not a host name/],
    // node:dns takes addresses only: a resolver named by host name would itself need resolving.
    [{ DNS_SERVERS: "10.0.0.2,dns.corp.internal" }, "DNS_SERVERS", /"dns\.corp\.internal"/],
    [{ DNS_SERVERS: "10.0.0.2:70000" }, "DNS_SERVERS", /IP:port/],
    [{ DNS_SERVERS: "[10.0.0.2]:53" }, "DNS_SERVERS", /IP:port/],
    [{ DNS_TIMEOUT_MS: "10" }, "DNS_TIMEOUT_MS", /between/],
  ];
  for (const [env, variable, problem] of bad) {
    test(`a bad ${variable} is refused, naming the variable`, () => {
      assert.throws(
        () => readConfig(env),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.variable === variable &&
          problem.test(error.message) &&
          error.message.startsWith(`${variable}: `),
      );
    });
  }

  test("DNS_SERVERS: addresses with an optional port, for the domain proofs' TXT lookups; default the system's resolver, re-checked every 600 s", () => {
    const defaults = readConfig({});
    assert.deepEqual([defaults.dnsServers, defaults.dnsTimeoutMs, defaults.domainCheckIntervalSeconds], [[], 3000, 600]);
    const given = readConfig({ DNS_SERVERS: "10.0.0.2, 127.0.0.1:5353,::1,[::1]:53", DOMAIN_CHECK_INTERVAL_SECONDS: "0" });
    assert.deepEqual(given.dnsServers, ["10.0.0.2", "127.0.0.1:5353", "::1", "[::1]:53"]);
    assert.equal(given.domainCheckIntervalSeconds, 0);
  });

  test("ENCRYPTION_KEY accepts 64 hex characters or base64", () => {
    assert.equal(readConfig({ ENCRYPTION_KEY: "ab".repeat(32) }).encryptionKey?.length, 32);
    assert.equal(readConfig({ ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") }).encryptionKey?.length, 32);
  });
});
