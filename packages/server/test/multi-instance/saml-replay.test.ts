import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test, type TestContext } from "node:test";
import { ownPostgresSchema } from "../support/postgres-schema.ts";
import { jsonClient } from "../support/service.ts";
import { startSamlIdp } from "../support/saml-idp.ts";
import { ada, SAML_PROVIDER, SAML_REDIRECT_URI, samlProviderInput } from "../support/saml-sign-in-fixture.ts";
import { freePort, spawnService, temporaryDataDir } from "../support/spawned-service.ts";

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
// In CI both are set: there the test must run, and fails loudly if they are missing.
const skip =
  (!databaseUrl || !redisUrl) && !process.env.CI
    ? "not applicable: TEST_DATABASE_URL and TEST_REDIS_URL are not set (CI sets them)"
    : false;

type Instance = ReturnType<typeof jsonClient> & { readonly url: string };

/** Two service processes behind one PUBLIC_URL, on one PostgreSQL database and one Redis. */
async function twoInstances(t: TestContext): Promise<[Instance, Instance]> {
  const adminToken = randomBytes(24).toString("hex");
  const shared = {
    DATABASE_URL: await ownPostgresSchema(t, databaseUrl!),
    REDIS_URL: redisUrl!,
    ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    ADMIN_TOKEN: adminToken,
    PUBLIC_URL: `http://127.0.0.1:${await freePort()}`,
    ALLOW_INSECURE_LOOPBACK_PROVIDERS: "true",
    DEMO: "off",
    PORT: "0",
  };
  const spawned = [0, 1].map(() => spawnService(t, { ...shared, DATA_DIR: temporaryDataDir(t) }));
  const [a, b] = await Promise.all(
    spawned.map(async (service) => {
      const [, url] = await service.waitFor(/listening on (http:\/\/\S+)/);
      return { url: url!, ...jsonClient(url!, adminToken) };
    }),
  );
  return [a!, b!];
}

/** What the load balancer does: the ACS URL's path, on one instance. */
const acsOn = (instance: Instance, acsUrl: string) => `${instance.url}${new URL(acsUrl).pathname}`;

test(
  "across two instances on PostgreSQL and Redis, a SAML response is accepted once, and a sign-in may move between them",
  { skip, timeout: 300_000 },
  async (t) => {
    const idp = await startSamlIdp({ user: ada });
    t.after(() => idp.close());
    const [a, b] = await twoInstances(t);
    const org = await a.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Corp", domains: ["corp.test"] });
    assert.equal(org.status, 201, org.text);
    const put = await b.admin<{ spEntityId: string; acsUrl: string }>(
      "PUT",
      `/api/v1/orgs/${org.body.id}/saml-providers/${SAML_PROVIDER}`,
      samlProviderInput(idp, { allowIdpInitiated: true }),
    );
    assert.equal(put.status, 201, put.text);
    const sp = put.body;

    await t.test("the same response posted to both instances at once gives one code; the other is SAML_REPLAYED", async () => {
      const response = await idp.response({ sp });
      const answers = await Promise.all([a, b].map((instance) => idp.post(acsOn(instance, sp.acsUrl), response)));
      const statuses = answers.map((r) => r.status).sort();
      assert.deepEqual(statuses, [303, 401]);
      const refused = answers.find((r) => r.status === 401)!;
      assert.equal(((await refused.json()) as { error: string }).error, "SAML_REPLAYED");
    });

    await t.test("authorize on A, the IdP posts to B, exchange on A, authenticate on B", async () => {
      const init = await a.request("POST", "/userAccount/initAuth", { email: ada.email });
      const session = init.headers.get("x-session-token")!;
      const query = new URLSearchParams({ provider: SAML_PROVIDER, email: ada.email, redirectUri: SAML_REDIRECT_URI });
      const started = await a.request<{ authorizationUrl: string; state: string }>(
        "GET",
        `/userAccount/oauth/authorize?${query}`,
        undefined,
        {
          "x-session-token": session,
        },
      );
      assert.equal(started.status, 200, started.text);
      assert.equal((await fetch(started.body.authorizationUrl)).status, 200);
      const request = idp.requests.at(-1)!;
      const posted = await idp.post(acsOn(b, sp.acsUrl), await idp.response({ sp, requestId: request.id }), request.relayState);
      assert.equal(posted.status, 303, await posted.text());
      const back = new URL(posted.headers.get("location")!).searchParams;
      assert.equal(back.get("state"), started.body.state);
      const exchanged = await a.request<{ access_token: string; id_token: string }>(
        "POST",
        "/userAccount/oauth/exchange",
        { code: back.get("code"), state: back.get("state"), email: ada.email, provider: SAML_PROVIDER, redirectUri: SAML_REDIRECT_URI },
        { "x-session-token": session },
      );
      assert.equal(exchanged.status, 200, exchanged.text);
      const signedIn = await b.request(
        "POST",
        "/userAccount/authenticate",
        {
          method: "samlSso",
          provider: SAML_PROVIDER,
          credentials: { accessToken: exchanged.body.access_token, idToken: exchanged.body.id_token },
        },
        { "x-session-token": session },
      );
      assert.equal(signedIn.status, 200, signedIn.text);
      assert.equal(signedIn.body.message, "Fully authenticated");
    });
  },
);
