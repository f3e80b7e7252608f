import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import * as oidc from "openid-client";
import { redeemCode } from "../../src/oauth/token.ts";
import { startHangingServer, startJsonServer } from "../support/faulty-servers.ts";
import { CLIENT_ID, codeFrom, configuredProvider, connect, providerClients, startProvider } from "../support/provider-connections.ts";
import { REDIRECT_URI } from "../support/sign-in-fixture.ts";
import { generateKeyPair, SignJWT } from "jose";

/** A plain OAuth 2.0 provider whose token endpoint answers as `answer` says. */
async function scriptedTokenEndpoint(t: TestContext, answer: Parameters<typeof startJsonServer>[0], timeoutMs?: number) {
  const server = await startJsonServer(answer);
  t.after(() => server.close());
  const clients = providerClients(timeoutMs === undefined ? {} : { timeoutMs });
  const connection = await connect(
    clients,
    configuredProvider({
      scope: "email",
      authorizationUrl: `${server.url}/authorize`,
      tokenEndpoint: `${server.url}/token`,
      userInfoEndpoint: `${server.url}/user`,
    }),
  );
  return { server, redeem: () => redeemCode(connection, { code: "a-code", redirectUri: REDIRECT_URI }) };
}

/**
 * An OpenID provider whose token endpoint answers `answer(idToken)`: the ID token has the claims
 * openid-client checks right (changed by `claims`), so only what the test changes is wrong.
 */
async function scriptedOidcTokenEndpoint(
  t: TestContext,
  answer: (idToken: string) => { status: number; body: Record<string, unknown> },
  claims: (good: Record<string, unknown>) => Record<string, unknown> = (good) => good,
) {
  const { privateKey } = await generateKeyPair("RS256");
  let issuer = "";
  const server = await startJsonServer(async (req) => {
    if (req.url === "/.well-known/openid-configuration")
      return {
        status: 200,
        body: { issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks` },
      };
    const now = Math.floor(Date.now() / 1000);
    const good = { iss: issuer, aud: CLIENT_ID, sub: "alice-sub", iat: now, exp: now + 300 };
    return answer(await new SignJWT(claims(good)).setProtectedHeader({ alg: "RS256" }).sign(privateKey));
  });
  issuer = server.url;
  t.after(() => server.close());
  const connection = await connect(providerClients(), configuredProvider({ issuer }));
  return () => redeemCode(connection, { code: "a-code", redirectUri: REDIRECT_URI });
}

describe("oauth/token: redeeming an authorization code (RFC 6749 §4.1.3)", () => {
  test("a real provider's code is redeemed: access token, ID token, Bearer, lifetime", async (t) => {
    const provider = await startProvider();
    t.after(() => provider.close());
    const connection = await connect(providerClients(), configuredProvider({ issuer: provider.issuer }));
    const tokens = await redeemCode(connection, { code: await codeFrom(provider, "alice-sub"), redirectUri: REDIRECT_URI });
    assert.ok(tokens.ok, tokens.ok ? "" : tokens.message);
    assert.equal(typeof tokens.value.accessToken, "string");
    assert.equal(typeof tokens.value.idToken, "string");
    assert.equal(tokens.value.tokenType, "Bearer");
    assert.equal(typeof tokens.value.expiresIn, "number");
  });

  test("a code works once: the second time the provider refuses it → INVALID_GRANT naming invalid_grant", async (t) => {
    const provider = await startProvider();
    t.after(() => provider.close());
    const connection = await connect(providerClients(), configuredProvider({ issuer: provider.issuer }));
    const code = await codeFrom(provider, "alice-sub");
    assert.ok((await redeemCode(connection, { code, redirectUri: REDIRECT_URI })).ok);
    const again = await redeemCode(connection, { code, redirectUri: REDIRECT_URI });
    assert.ok(!again.ok);
    assert.equal(again.error, "INVALID_GRANT");
    assert.equal(again.extra?.providerError, "invalid_grant");
  });

  test("the client authenticates as configured: client_secret_post where the provider registered it; basic is refused → invalid_client", async (t) => {
    const provider = await startProvider({ authMethod: "client_secret_post" });
    t.after(() => provider.close());
    const clients = providerClients();
    const post = await connect(clients, configuredProvider({ issuer: provider.issuer, tokenEndpointAuthMethod: "client_secret_post" }));
    assert.ok((await redeemCode(post, { code: await codeFrom(provider, "alice-sub"), redirectUri: REDIRECT_URI })).ok);
    const basic = await connect(clients, configuredProvider({ issuer: provider.issuer, tokenEndpointAuthMethod: "client_secret_basic" }));
    const refused = await redeemCode(basic, { code: await codeFrom(provider, "alice-sub"), redirectUri: REDIRECT_URI });
    assert.ok(!refused.ok);
    assert.equal(refused.error, "INVALID_GRANT");
    assert.equal(refused.extra?.providerError, "invalid_client");
  });

  test("the PKCE verifier goes with the code (RFC 7636 §4.5): without it a provider that requires PKCE refuses", async (t) => {
    const provider = await startProvider({ requirePkce: true });
    t.after(() => provider.close());
    const connection = await connect(providerClients(), configuredProvider({ issuer: provider.issuer }));
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const codeChallenge = await oidc.calculatePKCECodeChallenge(codeVerifier);
    assert.ok(
      (
        await redeemCode(connection, {
          code: await codeFrom(provider, "alice-sub", { codeChallenge }),
          redirectUri: REDIRECT_URI,
          codeVerifier,
        })
      ).ok,
    );
    const without = await redeemCode(connection, {
      code: await codeFrom(provider, "alice-sub", { codeChallenge }),
      redirectUri: REDIRECT_URI,
    });
    assert.equal(without.ok ? "ok" : without.error, "INVALID_GRANT");
  });

  test("the ID token must carry the nonce of the authorization request (OIDC Core §3.1.3.7 step 11) → INVALID_ID_TOKEN", async (t) => {
    const provider = await startProvider();
    t.after(() => provider.close());
    const connection = await connect(providerClients(), configuredProvider({ issuer: provider.issuer }));
    const code = await codeFrom(provider, "alice-sub", { nonce: "the-nonce-sent" });
    const refused = await redeemCode(connection, { code, redirectUri: REDIRECT_URI, expectedNonce: "another-nonce" });
    assert.ok(!refused.ok);
    assert.equal(refused.error, "INVALID_ID_TOKEN");
    const accepted = await redeemCode(connection, {
      code: await codeFrom(provider, "alice-sub", { nonce: "n-2" }),
      redirectUri: REDIRECT_URI,
      expectedNonce: "n-2",
    });
    assert.ok(accepted.ok);
  });

  test("an `iss` that is not the provider's (RFC 9207 mix-up defence) is refused before the code is sent → PROVIDER_ERROR", async (t) => {
    const provider = await startProvider();
    t.after(() => provider.close());
    const connection = await connect(providerClients(), configuredProvider({ issuer: provider.issuer }));
    assert.equal(connection.metadata.authorization_response_iss_parameter_supported, true, "the test provider announces RFC 9207");
    const refused = await redeemCode(connection, {
      code: await codeFrom(provider, "alice-sub"),
      redirectUri: REDIRECT_URI,
      issuer: "https://mix-up.example",
    });
    assert.equal(refused.ok ? "ok" : refused.error, "PROVIDER_ERROR");
    assert.equal(provider.tokenRequests, 0, "refused before the code was sent");
  });

  test("a token endpoint answering 500 HTML → PROVIDER_ERROR; one that redirects is not followed → PROVIDER_ERROR", async (t) => {
    const html = await scriptedTokenEndpoint(t, () => ({
      status: 500,
      body: "<html>oops</html>",
      headers: { "content-type": "text/html" },
    }));
    assert.equal(((await html.redeem()) as { error?: string }).error, "PROVIDER_ERROR");
    const redirect = await scriptedTokenEndpoint(t, () => ({
      status: 302,
      body: "",
      headers: { location: "https://elsewhere.example/token" },
    }));
    assert.equal(((await redirect.redeem()) as { error?: string }).error, "PROVIDER_ERROR");
  });

  test("a refusal sent with 200 and an OAuth error body (GitHub's way) is still the provider's refusal → INVALID_GRANT naming it", async (t) => {
    const github = await scriptedTokenEndpoint(t, () => ({
      status: 200,
      body: { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." },
    }));
    const refused = await github.redeem();
    assert.ok(!refused.ok);
    assert.equal(refused.error, "INVALID_GRANT");
    assert.equal(refused.extra?.providerError, "bad_verification_code");
  });

  test("an error body with a 400 (RFC 6749 §5.2) → INVALID_GRANT naming the provider's code; with a 5xx → PROVIDER_ERROR", async (t) => {
    const refused = await (await scriptedTokenEndpoint(t, () => ({ status: 400, body: { error: "invalid_grant" } }))).redeem();
    assert.equal(refused.ok ? "ok" : `${refused.error} ${refused.extra?.providerError}`, "INVALID_GRANT invalid_grant");
    const failing = await (await scriptedTokenEndpoint(t, () => ({ status: 503, body: { error: "temporarily_unavailable" } }))).redeem();
    assert.equal(failing.ok ? "ok" : failing.error, "PROVIDER_ERROR");
  });

  test("an answer is taken only as openid-client would take it: 200, a Bearer token, members of their types, no nonce unasked", async (t) => {
    const tokens = (idToken: string) => ({ access_token: "at", token_type: "Bearer", expires_in: 300, id_token: idToken });
    const control = await (await scriptedOidcTokenEndpoint(t, (idToken) => ({ status: 200, body: tokens(idToken) })))();
    assert.ok(control.ok, control.ok ? "" : control.message);
    const created = await (await scriptedOidcTokenEndpoint(t, (idToken) => ({ status: 201, body: tokens(idToken) })))();
    assert.equal(created.ok ? "ok" : created.error, "PROVIDER_ERROR", "a 201");
    const mac = await (
      await scriptedOidcTokenEndpoint(t, (idToken) => ({ status: 200, body: { ...tokens(idToken), token_type: "mac" } }))
    )();
    assert.equal(mac.ok ? "ok" : mac.error, "PROVIDER_ERROR", "a token type other than Bearer");
    const noAccessToken = await (
      await scriptedOidcTokenEndpoint(t, (idToken) => ({ status: 200, body: { ...tokens(idToken), access_token: "" } }))
    )();
    assert.equal(noAccessToken.ok ? "ok" : noAccessToken.error, "PROVIDER_ERROR", "an empty access token");
    const lifetime = await (
      await scriptedOidcTokenEndpoint(t, (idToken) => ({ status: 200, body: { ...tokens(idToken), expires_in: "soon" } }))
    )();
    assert.equal(lifetime.ok ? "ok" : lifetime.error, "PROVIDER_ERROR", "a lifetime that is not a number");
    const authTime = await (
      await scriptedOidcTokenEndpoint(
        t,
        (idToken) => ({ status: 200, body: tokens(idToken) }),
        (good) => ({ ...good, auth_time: "today" }),
      )
    )();
    assert.equal(authTime.ok ? "ok" : authTime.error, "INVALID_ID_TOKEN", "an auth_time that is not a number");
    const unasked = await (
      await scriptedOidcTokenEndpoint(
        t,
        (idToken) => ({ status: 200, body: tokens(idToken) }),
        (good) => ({ ...good, nonce: "injected" }),
      )
    )();
    assert.equal(unasked.ok ? "ok" : unasked.error, "INVALID_ID_TOKEN", "a nonce in an ID token nobody asked one for");
  });

  test("a token endpoint that never answers → PROVIDER_TIMEOUT", async (t) => {
    const hanging = await startHangingServer();
    t.after(() => hanging.close());
    const connection = await connect(
      providerClients({ timeoutMs: 300 }),
      configuredProvider({
        scope: "email",
        authorizationUrl: `${hanging.url}/authorize`,
        tokenEndpoint: `${hanging.url}/token`,
        userInfoEndpoint: `${hanging.url}/user`,
      }),
    );
    const slow = await redeemCode(connection, { code: "a-code", redirectUri: REDIRECT_URI });
    assert.equal(slow.ok ? "ok" : slow.error, "PROVIDER_TIMEOUT");
  });

  test("the code, redirect URI and client credentials are what reach the token endpoint", async (t) => {
    const seen: { body: string; authorization: string | undefined }[] = [];
    const endpoint = await scriptedTokenEndpoint(t, (req) => {
      seen.push({ body: req.body, authorization: req.headers.authorization as string | undefined });
      return { status: 200, body: { access_token: "at-1", token_type: "bearer" } };
    });
    const tokens = await endpoint.redeem();
    assert.ok(tokens.ok);
    assert.equal(tokens.value.tokenType, "Bearer", "RFC 6750 spells the scheme Bearer");
    assert.equal(tokens.value.idToken, undefined);
    const form = new URLSearchParams(seen[0]!.body);
    assert.equal(form.get("grant_type"), "authorization_code");
    assert.equal(form.get("code"), "a-code");
    assert.equal(form.get("redirect_uri"), REDIRECT_URI);
    assert.match(seen[0]!.authorization ?? "", /^Basic /);
  });
});
