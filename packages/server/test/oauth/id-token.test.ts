import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import { redeemCode } from "../../src/oauth/token.ts";
import { closedPortUrl, startJsonServer } from "../support/faulty-servers.ts";
import { CLIENT_ID, codeFrom, configuredProvider, connect, providerClients, startProvider } from "../support/provider-connections.ts";
import { REDIRECT_URI } from "../support/sign-in-fixture.ts";

const now = () => Math.floor(Date.now() / 1000);

/**
 * A provider that publishes one RS256 key and announces RS256 only, and a verifier connected to
 * it. `sign` makes ID tokens with the published key unless told another; one negative test per
 * rule of OIDC Core §3.1.3.7 follows.
 */
async function publishingProvider(t: TestContext, options: { jwksUri?: boolean } = {}) {
  const published = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(published.publicKey)), kid: "published", alg: "RS256", use: "sig" };
  let issuer = "";
  const server = await startJsonServer((req) => {
    if (req.url === "/.well-known/openid-configuration") {
      return {
        status: 200,
        body: {
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          ...(options.jwksUri !== false && { jwks_uri: `${issuer}/jwks` }),
          id_token_signing_alg_values_supported: ["RS256"],
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
        },
      };
    }
    if (req.url === "/jwks") return { status: 200, body: { keys: [jwk] } };
    return { status: 404, body: { error: "not_found" } };
  });
  issuer = server.url;
  t.after(() => server.close());
  const clients = providerClients();
  const connection = await connect(clients, configuredProvider({ issuer }));
  const good = () => ({
    iss: issuer,
    aud: CLIENT_ID,
    sub: "eve",
    email: "eve@forge.test",
    email_verified: true,
    iat: now(),
    exp: now() + 300,
  });
  const sign = (claims: Record<string, unknown>, key: CryptoKey = published.privateKey, header: { alg?: string; kid?: string } = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "published", ...header }).sign(key);
  const verify = (idToken: string, expectedNonce?: string) => clients.idTokens.verify(connection, idToken, expectedNonce);
  return { server, clients, connection, good, sign, verify, published: published.privateKey };
}

/** Asserts the verification failed as INVALID_ID_TOKEN. */
function refused(result: { ok: boolean; error?: string; message?: string }, why: string) {
  assert.equal(result.ok ? "accepted" : result.error, "INVALID_ID_TOKEN", why);
}

describe("oauth/id-token: ID tokens are verified with jose against the provider's JWKS, failing closed", () => {
  test("a correctly signed token with the right claims is accepted and its claims answered (control)", async (t) => {
    const p = await publishingProvider(t);
    const result = await p.verify(await p.sign(p.good()));
    assert.ok(result.ok, result.ok ? "" : result.message);
    assert.equal(result.value.sub, "eve");
    assert.deepEqual(p.clients.calls, ["test-idp discovery", "test-idp jwks"]);
  });

  test("the signature: a key the provider does not publish, under its kid or another, is refused", async (t) => {
    const p = await publishingProvider(t);
    const rogue = await generateKeyPair("RS256");
    refused(await p.verify(await p.sign(p.good(), rogue.privateKey)), "the published kid, another key");
    refused(await p.verify(await p.sign(p.good(), rogue.privateKey, { kid: "rogue" })), "an unknown kid");
    const [header, payload] = (await p.sign(p.good())).split(".");
    refused(await p.verify(`${header}.${payload}.${"A".repeat(342)}`), "a forged signature");
  });

  test("the algorithm is pinned to the provider's: `none`, HS256 with the client secret, or an unannounced ES256 are refused", async (t) => {
    const p = await publishingProvider(t);
    refused(await p.verify(new UnsecuredJWT(p.good()).encode()), "alg none");
    const secret = new TextEncoder().encode("s3cret-Client-Value-4b9e2");
    refused(
      await p.verify(await new SignJWT(p.good()).setProtectedHeader({ alg: "HS256" }).sign(secret)),
      "HS256 keyed with the client secret",
    );
    const ec = await generateKeyPair("ES256");
    refused(await p.verify(await p.sign(p.good(), ec.privateKey, { alg: "ES256" })), "ES256, not announced");
  });

  const claimCases: [string, (good: Record<string, unknown>) => Record<string, unknown>][] = [
    ["iss: another issuer", (good) => ({ ...good, iss: "https://evil.example" })],
    ["aud: another client", (good) => ({ ...good, aud: "someone-else" })],
    ["aud: several audiences, azp another client", (good) => ({ ...good, aud: ["other-app", CLIENT_ID], azp: "other-app" })],
    ["aud: several audiences, no azp", (good) => ({ ...good, aud: ["other-app", CLIENT_ID] })],
    ["azp: another authorized party, though the one audience is us", (good) => ({ ...good, azp: "other-app" })],
    ["exp: expired beyond the clock tolerance", (good) => ({ ...good, iat: now() - 7200, exp: now() - 3600 })],
    ["exp: missing", ({ exp: _exp, ...good }) => good],
    ["iat: missing", ({ iat: _iat, ...good }) => good],
    ["sub: missing", ({ sub: _sub, ...good }) => good],
  ];
  for (const [name, claims] of claimCases) {
    test(`${name} → INVALID_ID_TOKEN`, async (t) => {
      const p = await publishingProvider(t);
      refused(await p.verify(await p.sign(claims(p.good()))), name);
    });
  }

  test("several audiences are fine when the authorized party (azp) is us", async (t) => {
    const p = await publishingProvider(t);
    assert.ok((await p.verify(await p.sign({ ...p.good(), aud: [CLIENT_ID, "other-app"], azp: CLIENT_ID }))).ok);
  });

  test("nonce: when one was sent it must come back; a token without it or with another is refused", async (t) => {
    const p = await publishingProvider(t);
    refused(await p.verify(await p.sign({ ...p.good(), nonce: "injected" }), "sent"), "another nonce");
    refused(await p.verify(await p.sign(p.good()), "sent"), "no nonce");
    assert.ok((await p.verify(await p.sign({ ...p.good(), nonce: "sent" }), "sent")).ok);
  });

  test("a provider that publishes no keys (no jwks_uri) cannot have its ID tokens accepted", async (t) => {
    const p = await publishingProvider(t, { jwksUri: false });
    refused(await p.verify(await p.sign(p.good())), "no jwks_uri");
  });

  test("keys that cannot be fetched are the provider's failure, not a refusal of the token → PROVIDER_UNAVAILABLE", async (t) => {
    const p = await publishingProvider(t);
    const gone = await closedPortUrl();
    const connection = { ...p.connection, metadata: { ...p.connection.metadata, jwks_uri: `${gone}/jwks` } };
    const result = await p.clients.idTokens.verify(connection, await p.sign(p.good()), undefined);
    assert.equal(result.ok ? "ok" : result.error, "PROVIDER_UNAVAILABLE");
    assert.equal((await p.clients.idTokens.reloadKeys(connection)).ok, false);
    assert.ok((await p.clients.idTokens.reloadKeys(p.connection)).ok);
  });

  test("a real provider's ID token verifies, and so does one signed with a key it rotated to just after the keys were fetched", async (t) => {
    const provider = await startProvider();
    t.after(() => provider.close());
    const clients = providerClients();
    const connection = await connect(clients, configuredProvider({ issuer: provider.issuer }));
    const idToken = async () => {
      const tokens = await redeemCode(connection, { code: await codeFrom(provider, "alice-sub"), redirectUri: REDIRECT_URI });
      assert.ok(tokens.ok && tokens.value.idToken);
      return tokens.value.idToken;
    };
    const first = await clients.idTokens.verify(connection, await idToken(), undefined);
    assert.ok(first.ok, first.ok ? "" : first.message);
    assert.equal(first.value.email, "alice@acme.test");
    await provider.rotateKeys({ keepPrevious: false });
    const rotated = await clients.idTokens.verify(connection, await idToken(), undefined);
    assert.ok(rotated.ok, rotated.ok ? "" : `${rotated.error}: ${rotated.message}`);
    assert.equal(clients.calls.filter((c) => c.endsWith(" jwks")).length, 2, "the unknown kid refetched the keys once");
  });

  test("an unknown kid refetches one provider's keys at most once per interval: made-up kids cannot hammer the provider", async (t) => {
    const provider = await startProvider();
    t.after(() => provider.close());
    let now = Date.now();
    const clients = providerClients({ unknownKeyRefetchIntervalMs: 60_000, clock: { now: () => now } });
    const connection = await connect(clients, configuredProvider({ issuer: provider.issuer }));
    const idToken = async () => {
      const tokens = await redeemCode(connection, { code: await codeFrom(provider, "alice-sub"), redirectUri: REDIRECT_URI });
      assert.ok(tokens.ok && tokens.value.idToken);
      return tokens.value.idToken;
    };
    assert.ok((await clients.idTokens.verify(connection, await idToken(), undefined)).ok);
    await provider.rotateKeys({ keepPrevious: false });
    assert.ok((await clients.idTokens.verify(connection, await idToken(), undefined)).ok, "the first unknown kid refetches");
    await provider.rotateKeys({ keepPrevious: false });
    const again = await idToken();
    for (let i = 0; i < 5; i++)
      refused(await clients.idTokens.verify(connection, again, undefined), "another unknown kid within the interval");
    assert.equal(clients.calls.filter((c) => c.endsWith(" jwks")).length, 2, "one fetch, one refetch, then none within the interval");
    now += 59_999;
    refused(await clients.idTokens.verify(connection, again, undefined), "still within the interval");
    now += 1;
    assert.ok((await clients.idTokens.verify(connection, again, undefined)).ok, "an interval on, an unknown kid refetches again");
    assert.equal(clients.calls.filter((c) => c.endsWith(" jwks")).length, 3);
  });
});

describe("oauth/id-token: the header and the time claims, checked over node:crypto as jose checked them", () => {
  test("a critical header extension the service does not understand is refused (RFC 7515 §4.1.11); b64 as true is understood", async (t) => {
    const p = await publishingProvider(t);
    const signed = (header: Record<string, unknown>, crit: Record<string, boolean>) =>
      new SignJWT(p.good()).setProtectedHeader({ alg: "RS256", kid: "published", ...header }).sign(p.published, { crit });
    refused(
      await p.verify(
        await signed({ crit: ["https://ext.example/must"], "https://ext.example/must": 1 }, { "https://ext.example/must": true }),
      ),
      "an unknown extension",
    );
    assert.ok((await p.verify(await signed({ crit: ["b64"], b64: true }, {}))).ok, "b64 true (control)");
  });

  test("a payload changed after signing is refused", async (t) => {
    const p = await publishingProvider(t);
    const [header, , signature] = (await p.sign(p.good())).split(".");
    const changed = Buffer.from(JSON.stringify({ ...p.good(), sub: "mallory" })).toString("base64url");
    refused(await p.verify(`${header}.${changed}.${signature}`), "a changed payload");
  });

  test("nbf in the future beyond the clock tolerance, or a time claim that is not a number, is refused", async (t) => {
    const p = await publishingProvider(t);
    refused(await p.verify(await p.sign({ ...p.good(), nbf: now() + 600 })), "nbf in the future");
    assert.ok((await p.verify(await p.sign({ ...p.good(), nbf: now() + 10 }))).ok, "nbf within the tolerance (control)");
    refused(await p.verify(await p.sign({ ...p.good(), exp: String(now() + 300) })), "exp as a string");
    refused(await p.verify(await p.sign({ ...p.good(), iat: null })), "iat null");
  });
});
