import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { redeemCode } from "../../src/oauth/token.ts";
import { fetchUserinfo } from "../../src/oauth/userinfo.ts";
import { startJsonServer, type ScriptedResponse } from "../support/faulty-servers.ts";
import { codeFrom, configuredProvider, connect, providerClients, startProvider } from "../support/provider-connections.ts";
import { REDIRECT_URI } from "../support/sign-in-fixture.ts";

/** A real provider, connected as OpenID Connect (discovered userinfo) or plain OAuth 2.0 (its GitHub-style user API), and an access token for alice. */
async function signedInAtProvider(t: TestContext, shape: "openid" | "plain") {
  const provider = await startProvider();
  t.after(() => provider.close());
  const settings =
    shape === "openid"
      ? { issuer: provider.issuer }
      : {
          scope: "openid email",
          authorizationUrl: provider.endpoints.authorization,
          tokenEndpoint: provider.endpoints.token,
          userInfoEndpoint: provider.endpoints.plainUserApi,
        };
  const connection = await connect(providerClients(), configuredProvider(settings));
  const tokens = await redeemCode(connection, { code: await codeFrom(provider, "alice-sub"), redirectUri: REDIRECT_URI });
  assert.ok(tokens.ok, tokens.ok ? "" : tokens.message);
  return { provider, connection, accessToken: tokens.value.accessToken };
}

/** A configured userinfo endpoint (a protected resource) that answers as scripted. */
async function scriptedUserApi(t: TestContext, answer: ScriptedResponse) {
  const seen: (string | undefined)[] = [];
  const server = await startJsonServer((req) => {
    seen.push(req.headers.authorization as string | undefined);
    return answer;
  });
  t.after(() => server.close());
  const connection = await connect(
    providerClients(),
    configuredProvider({
      scope: "email",
      authorizationUrl: `${server.url}/authorize`,
      tokenEndpoint: `${server.url}/token`,
      userInfoEndpoint: `${server.url}/user`,
    }),
  );
  return { seen, fetch: (expectedSubject?: string) => fetchUserinfo(connection, "at-123", expectedSubject) };
}

describe("oauth/userinfo: asking the provider who the access token's user is", () => {
  test("an OpenID Connect provider's userinfo endpoint (OIDC Core §5.3) answers the user's claims", async (t) => {
    const { provider, connection, accessToken } = await signedInAtProvider(t, "openid");
    const claims = await fetchUserinfo(connection, accessToken, undefined);
    assert.ok(claims.ok, claims.ok ? "" : claims.message);
    assert.equal(claims.value.sub, "alice-sub");
    assert.equal(claims.value.email, "alice@acme.test");
    assert.equal(provider.userinfoRequests, 1);
  });

  test("bound to a subject, claims about another subject are refused (OIDC Core §5.3.2) → PROVIDER_ERROR", async (t) => {
    const { connection, accessToken } = await signedInAtProvider(t, "openid");
    assert.ok((await fetchUserinfo(connection, accessToken, "alice-sub")).ok);
    const other = await fetchUserinfo(connection, accessToken, "mallory-sub");
    assert.equal(other.ok ? "ok" : other.error, "PROVIDER_ERROR");
  });

  test("a plain OAuth 2.0 user API is read as a protected resource with the bearer token (RFC 6750)", async (t) => {
    const { provider, connection, accessToken } = await signedInAtProvider(t, "plain");
    const claims = await fetchUserinfo(connection, accessToken, undefined);
    assert.ok(claims.ok, claims.ok ? "" : claims.message);
    assert.equal(claims.value.email, "alice@acme.test");
    assert.equal(provider.plainUserApiRequests, 1);
    assert.equal(provider.userinfoRequests, 0);
  });

  test("a token the provider does not know → 401 → USERINFO_FAILED, not a refused code", async (t) => {
    const { connection } = await signedInAtProvider(t, "openid");
    const refused = await fetchUserinfo(connection, "not-a-token", undefined);
    assert.equal(refused.ok ? "ok" : refused.error, "USERINFO_FAILED");
    const plain = await signedInAtProvider(t, "plain");
    const refusedPlain = await fetchUserinfo(plain.connection, "not-a-token", undefined);
    assert.equal(refusedPlain.ok ? "ok" : refusedPlain.error, "USERINFO_FAILED");
  });

  test("a configured endpoint: the bearer token is sent; 403 → USERINFO_FAILED; 500 → PROVIDER_ERROR; not JSON → PROVIDER_ERROR", async (t) => {
    const ok = await scriptedUserApi(t, { status: 200, body: { id: 42, email: "a@b.test" } });
    const claims = await ok.fetch();
    assert.ok(claims.ok);
    assert.equal(claims.value.id, 42);
    assert.deepEqual(ok.seen, ["Bearer at-123"]);
    assert.equal(
      ((await (await scriptedUserApi(t, { status: 403, body: { message: "forbidden" } })).fetch()) as { error?: string }).error,
      "USERINFO_FAILED",
    );
    assert.equal(
      ((await (await scriptedUserApi(t, { status: 500, body: "<html>down</html>" })).fetch()) as { error?: string }).error,
      "PROVIDER_ERROR",
    );
    assert.equal(
      ((await (await scriptedUserApi(t, { status: 200, body: "{not json" })).fetch()) as { error?: string }).error,
      "PROVIDER_ERROR",
    );
  });

  test("a configured endpoint bound to a subject refuses claims for another `sub` → PROVIDER_ERROR", async (t) => {
    const api = await scriptedUserApi(t, { status: 200, body: { sub: "someone-else", email: "a@b.test" } });
    assert.equal(((await api.fetch("the-id-token-sub")) as { error?: string }).error, "PROVIDER_ERROR");
    assert.ok((await api.fetch("someone-else")).ok);
  });
});
