import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as oidc from "openid-client";
import { authorizationUrl, newPkcePair } from "../../src/oauth/authorization.ts";
import { redeemCode } from "../../src/oauth/token.ts";
import { closedPortUrl } from "../support/faulty-servers.ts";
import { CLIENT_ID, configuredProvider, connect, providerClients, startProvider } from "../support/provider-connections.ts";
import { REDIRECT_URI } from "../support/sign-in-fixture.ts";

describe("oauth/authorization: the provider's authorization URL (RFC 6749 §4.1.1)", () => {
  test("carries the code flow, our client, the redirect URI, the provider's scope, state, the S256 challenge and the nonce", async () => {
    const base = await closedPortUrl();
    const connection = await connect(
      providerClients(),
      configuredProvider({
        scope: "openid email",
        authorizationUrl: `${base}/authorize?tenant=acme`,
        tokenEndpoint: `${base}/token`,
        userInfoEndpoint: `${base}/user`,
      }),
    );
    const url = authorizationUrl(connection, { redirectUri: REDIRECT_URI, state: "st", nonce: "nn", codeChallenge: "cc" });
    assert.equal(url.origin + url.pathname, `${base}/authorize`);
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      tenant: "acme",
      client_id: CLIENT_ID,
      response_type: "code",
      redirect_uri: REDIRECT_URI,
      scope: "openid email",
      state: "st",
      code_challenge: "cc",
      code_challenge_method: "S256",
      nonce: "nn",
    });
    assert.equal(
      authorizationUrl(connection, { redirectUri: REDIRECT_URI, state: "st", nonce: undefined, codeChallenge: "cc" }).searchParams.has(
        "nonce",
      ),
      false,
    );
    const hinted = authorizationUrl(connection, {
      redirectUri: REDIRECT_URI,
      state: "st",
      nonce: undefined,
      codeChallenge: "cc",
      loginHint: "jane@acme.test",
      prompt: "login",
    });
    assert.equal(hinted.searchParams.get("login_hint"), "jane@acme.test");
    assert.equal(hinted.searchParams.get("prompt"), "login");
  });

  test("the PKCE pair: a fresh 43-character verifier each time, and its S256 challenge as RFC 7636 §4.2 (and openid-client) compute it", async () => {
    const first = await newPkcePair();
    const second = await newPkcePair();
    assert.match(first.codeVerifier, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(first.codeVerifier, second.codeVerifier);
    assert.equal(first.codeChallenge, await oidc.calculatePKCECodeChallenge(first.codeVerifier));
  });

  test("a real provider accepts it: following it signs the user in and the code redeems with the verifier", async (t) => {
    const provider = await startProvider({ requirePkce: true });
    t.after(() => provider.close());
    const connection = await connect(providerClients(), configuredProvider({ issuer: provider.issuer }));
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const url = authorizationUrl(connection, {
      redirectUri: REDIRECT_URI,
      state: "state-1",
      nonce: "nonce-1",
      codeChallenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    });
    assert.equal(url.origin + url.pathname, provider.endpoints.authorization);
    const back = await provider.authorize({
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      login: "alice-sub",
      authorizationUrl: url.href,
    });
    assert.ok("code" in back, JSON.stringify(back));
    assert.equal(back.state, "state-1");
    const tokens = await redeemCode(connection, { code: back.code, redirectUri: REDIRECT_URI, codeVerifier, expectedNonce: "nonce-1" });
    assert.ok(tokens.ok, tokens.ok ? "" : tokens.message);
  });
});
