import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { TestContext } from "node:test";
import { ownPostgresSchema } from "./postgres-schema.ts";
import { jsonClient } from "./service.ts";
import { REDIRECT_URI } from "./sign-in-fixture.ts";
import { freePort, spawnService, temporaryDataDir } from "./spawned-service.ts";
import type { TestProvider, TestUser } from "./test-provider.ts";

/** One of two service processes, by name, with a JSON client. */
export type Instance = ReturnType<typeof jsonClient> & { readonly name: string };

/**
 * Two service processes as a deployment runs them: each its own DATA_DIR, one PostgreSQL
 * database (a schema of its own), one Redis, the same ENCRYPTION_KEY, ADMIN_TOKEN and PUBLIC_URL.
 */
export async function twoServiceInstances(
  t: TestContext,
  databaseUrl: string,
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<{ a: Instance; b: Instance; publicUrl: string }> {
  const database = await ownPostgresSchema(t, databaseUrl);
  const adminToken = randomBytes(24).toString("hex");
  const publicUrl = `http://127.0.0.1:${await freePort()}`;
  const shared = {
    DATABASE_URL: database,
    REDIS_URL: redisUrl,
    ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    ADMIN_TOKEN: adminToken,
    PUBLIC_URL: publicUrl,
    ALLOW_INSECURE_LOOPBACK_PROVIDERS: "true",
    DEMO: "off",
    PORT: "0",
    ...env,
  };
  const spawned = [
    spawnService(t, { ...shared, DATA_DIR: temporaryDataDir(t) }),
    spawnService(t, { ...shared, DATA_DIR: temporaryDataDir(t) }),
  ];
  const [a, b] = await Promise.all(
    spawned.map(async (service, i) => {
      const [, url] = await service.waitFor(/listening on (http:\/\/\S+)/);
      return { name: i === 0 ? "A" : "B", ...jsonClient(url!, adminToken) };
    }),
  );
  return { a: a!, b: b!, publicUrl };
}

/** A whole sign-in of `user` through the organisation's provider `acme-idp`, on `instance`: the service's tokens. */
export async function signInOn(
  instance: Instance,
  provider: TestProvider,
  user: TestUser,
): Promise<{ accessToken: string; refreshToken: string }> {
  const init = await instance.request("POST", "/userAccount/initAuth", { email: user.email });
  assert.equal(init.status, 200, init.text);
  const session = { "x-session-token": init.headers.get("x-session-token")! };
  const query = new URLSearchParams({ provider: "acme-idp", email: user.email, redirectUri: REDIRECT_URI });
  const started = await instance.request<{ authorizationUrl: string; state: string }>(
    "GET",
    `/userAccount/oauth/authorize?${query}`,
    undefined,
    session,
  );
  assert.equal(started.status, 200, started.text);
  const callback = await provider.authorize({
    authorizationUrl: started.body.authorizationUrl,
    login: user.sub,
    clientId: "",
    redirectUri: "",
  });
  assert.ok("code" in callback, JSON.stringify(callback));
  const exchange = { code: callback.code, email: user.email, provider: "acme-idp", redirectUri: REDIRECT_URI, state: started.body.state };
  const exchanged = await instance.request<{ access_token: string; id_token: string }>(
    "POST",
    "/userAccount/oauth/exchange",
    exchange,
    session,
  );
  assert.equal(exchanged.status, 200, exchanged.text);
  const credentials = { accessToken: exchanged.body.access_token, idToken: exchanged.body.id_token };
  const final = await instance.request<{ accessToken: string; refreshToken: string }>(
    "POST",
    "/userAccount/authenticate",
    { method: "oauth", credentials },
    session,
  );
  assert.equal(final.status, 200, final.text);
  return final.body;
}
