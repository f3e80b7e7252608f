import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { test } from "node:test";
import type { TestContext } from "node:test";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { authorizeWithScriptedBrowser, startOidcProviderServer } from "../src/index.ts";
import type { AuthorizeParams, AuthorizeResult, OidcProviderServer, OidcProviderServerOptions } from "../src/index.ts";

const REDIRECT = "http://127.0.0.1:1/callback";
const alice = { sub: "alice", email: "alice@example.com", email_verified: true, name: "Alice Liddell" };
const bob = { sub: "bob", email: "bob@example.com", email_verified: false };
const basicClient = { client_id: "basic-app", client_secret: "basic-secret", redirect_uris: [REDIRECT] };
const postClient = {
  client_id: "post-app",
  client_secret: "post-secret",
  redirect_uris: [REDIRECT],
  token_endpoint_auth_method: "client_secret_post" as const,
};

/** The server, plus `authorize`: its pages driven by the scripted browser. */
type DrivenProvider = OidcProviderServer & { authorize(p: AuthorizeParams): Promise<AuthorizeResult> };

async function provider(t: TestContext, extra: Partial<OidcProviderServerOptions> = {}): Promise<DrivenProvider> {
  const server = await startOidcProviderServer({
    clients: [basicClient, postClient],
    users: [alice, bob],
    label: "Test provider",
    ...extra,
  });
  t.after(() => server.close());
  const authorize = (p: AuthorizeParams) => authorizeWithScriptedBrowser(server.issuer, p);
  // Object.create keeps the server's getters (live counters, current key ids) working.
  return Object.assign(Object.create(server) as OidcProviderServer, { authorize });
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;
}

function codeOf(r: AuthorizeResult): string {
  assert.ok("code" in r, `expected a code, got ${JSON.stringify(r)}`);
  return r.code;
}

interface TokenResponse {
  status: number;
  json: Record<string, unknown>;
}

async function redeem(
  p: DrivenProvider,
  code: string,
  opts: { auth?: "basic" | "post"; client?: { client_id: string; client_secret: string }; verifier?: string } = {},
): Promise<TokenResponse> {
  const client = opts.client ?? basicClient;
  const form = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT });
  if (opts.verifier) form.set("code_verifier", opts.verifier);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if ((opts.auth ?? "basic") === "basic") {
    headers.authorization = basic(client.client_id, client.client_secret);
  } else {
    form.set("client_id", client.client_id);
    form.set("client_secret", client.client_secret);
  }
  const res = await fetch(p.endpoints.token, { method: "POST", headers, body: form });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test("a code from authorize() is redeemable exactly once", async (t) => {
  const p = await provider(t);
  const r = await p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "alice", state: "st-1" });
  const code = codeOf(r);
  assert.equal(r.state, "st-1");
  assert.equal(r.iss, p.issuer);
  assert.ok(r.callbackUrl.startsWith(`${REDIRECT}?`));

  const first = await redeem(p, code);
  assert.equal(first.status, 200, JSON.stringify(first.json));
  assert.equal(first.json.token_type, "Bearer");
  assert.equal(typeof first.json.access_token, "string");
  assert.equal(typeof first.json.id_token, "string");
  assert.equal(typeof first.json.expires_in, "number");

  const second = await redeem(p, code);
  assert.equal(second.status, 400);
  assert.equal(second.json.error, "invalid_grant");
  assert.equal(p.tokenRequests, 2);
});

test("discovery document advertises the endpoints", async (t) => {
  const p = await provider(t);
  const res = await fetch(p.endpoints.discovery);
  assert.equal(res.status, 200);
  const meta = (await res.json()) as Record<string, unknown>;
  assert.equal(meta.issuer, p.issuer);
  assert.equal(meta.authorization_endpoint, p.endpoints.authorization);
  assert.equal(meta.token_endpoint, p.endpoints.token);
  assert.equal(meta.userinfo_endpoint, p.endpoints.userinfo);
  assert.equal(meta.jwks_uri, p.endpoints.jwks);
  assert.equal(meta.authorization_response_iss_parameter_supported, true);
  assert.deepEqual(meta.code_challenge_methods_supported, ["S256"]);
});

test("the ID token verifies against the JWKS and carries email, email_verified, name, nonce", async (t) => {
  const p = await provider(t);
  const code = codeOf(await p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "alice", nonce: "n-123" }));
  const tok = await redeem(p, code);
  assert.equal(tok.status, 200, JSON.stringify(tok.json));
  const jwks = createRemoteJWKSet(new URL(p.endpoints.jwks));
  const { payload, protectedHeader } = await jwtVerify(String(tok.json.id_token), jwks, {
    issuer: p.issuer,
    audience: basicClient.client_id,
  });
  assert.equal(protectedHeader.alg, "RS256");
  assert.equal(payload.sub, "alice");
  assert.equal(payload.email, "alice@example.com");
  assert.equal(payload.email_verified, true);
  assert.equal(payload.name, "Alice Liddell");
  assert.equal(payload.nonce, "n-123");

  // userinfo answers the same claims for an openid access token
  const ui = await fetch(p.endpoints.userinfo, { headers: { authorization: `Bearer ${String(tok.json.access_token)}` } });
  assert.equal(ui.status, 200);
  assert.deepEqual(await ui.json(), { sub: "alice", email: "alice@example.com", email_verified: true, name: "Alice Liddell" });
});

test("idTokenSigningAlg: ES256 signs ID tokens with the published EC key", async (t) => {
  const p = await provider(t, { idTokenSigningAlg: "ES256" });
  const tok = await redeem(p, codeOf(await p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "alice" })));
  const { protectedHeader } = await jwtVerify(String(tok.json.id_token), createRemoteJWKSet(new URL(p.endpoints.jwks)), {
    issuer: p.issuer,
  });
  assert.equal(protectedHeader.alg, "ES256");
  assert.equal(protectedHeader.kid, p.signingKeyIds.ES256);
});

test("setUser changes the claims of tokens minted afterwards", async (t) => {
  const p = await provider(t);
  p.setUser({ ...alice, email: "alice@new.example", email_verified: false });
  const tok = await redeem(p, codeOf(await p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "alice" })));
  const jwks = createRemoteJWKSet(new URL(p.endpoints.jwks));
  const { payload } = await jwtVerify(String(tok.json.id_token), jwks, { issuer: p.issuer });
  assert.equal(payload.email, "alice@new.example");
  assert.equal(payload.email_verified, false);
});

test("client_secret_post works for a post client and basic is refused for it", async (t) => {
  const p = await provider(t);
  const authz = () => p.authorize({ clientId: postClient.client_id, redirectUri: REDIRECT, login: "bob" });

  const refused = await redeem(p, codeOf(await authz()), { client: postClient, auth: "basic" });
  assert.equal(refused.status, 401, JSON.stringify(refused.json));
  assert.equal(refused.json.error, "invalid_client");

  const ok = await redeem(p, codeOf(await authz()), { client: postClient, auth: "post" });
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  assert.equal(typeof ok.json.id_token, "string");

  // and the other way round: the basic client cannot use client_secret_post
  const basicViaPost = await redeem(
    p,
    codeOf(await p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "bob" })),
    { auth: "post" },
  );
  assert.equal(basicViaPost.status, 401);
  assert.equal(basicViaPost.json.error, "invalid_client");

  // a wrong secret is refused too
  const wrong = await redeem(p, codeOf(await p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "bob" })), {
    client: { client_id: basicClient.client_id, client_secret: "nope" },
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.error, "invalid_client");
});

test("requirePkce refuses an authorization request without a challenge and verifies the verifier", async (t) => {
  const p = await provider(t, { requirePkce: true });
  const noChallenge = await p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "alice", state: "s" });
  assert.ok("error" in noChallenge, JSON.stringify(noChallenge));
  assert.equal(noChallenge.error, "invalid_request");
  assert.equal(noChallenge.state, "s");
  assert.equal(p.tokenRequests, 0);

  const verifier = randomBytes(32).toString("base64url");
  const codeChallenge = createHash("sha256").update(verifier).digest("base64url");
  const authz = () => p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "alice", codeChallenge });

  const missingVerifier = await redeem(p, codeOf(await authz()));
  assert.equal(missingVerifier.status, 400);
  assert.equal(missingVerifier.json.error, "invalid_grant");

  const wrongVerifier = await redeem(p, codeOf(await authz()), { verifier: randomBytes(32).toString("base64url") });
  assert.equal(wrongVerifier.status, 400);
  assert.equal(wrongVerifier.json.error, "invalid_grant");

  const ok = await redeem(p, codeOf(await authz()), { verifier });
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
});

test("without requirePkce a challenge is optional but still verified when sent", async (t) => {
  const p = await provider(t);
  assert.equal(
    (await redeem(p, codeOf(await p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "alice" })))).status,
    200,
  );

  const verifier = randomBytes(32).toString("base64url");
  const codeChallenge = createHash("sha256").update(verifier).digest("base64url");
  const code = codeOf(await p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "alice", codeChallenge }));
  const bad = await redeem(p, code);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error, "invalid_grant");
});

test("deny: true yields a real access_denied redirect from the provider", async (t) => {
  const p = await provider(t);
  const r = await p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "alice", state: "xyz", deny: true });
  assert.ok("error" in r, JSON.stringify(r));
  assert.equal(r.error, "access_denied");
  assert.equal(r.state, "xyz");
  assert.equal(r.iss, p.issuer);
  assert.ok(r.callbackUrl.startsWith(`${REDIRECT}?`));
});

test("authorize() follows an authorization URL built by someone else", async (t) => {
  const p = await provider(t);
  const url = new URL(p.endpoints.authorization);
  url.search = new URLSearchParams({
    client_id: basicClient.client_id,
    redirect_uri: REDIRECT,
    response_type: "code",
    scope: "openid email",
    state: "from-url",
  }).toString();
  const r = await p.authorize({ clientId: "ignored", redirectUri: "ignored", login: "bob", authorizationUrl: url.href });
  assert.equal(r.state, "from-url");
  const tok = await redeem(p, codeOf(r));
  assert.equal(tok.status, 200);
  assert.equal(tok.json.scope, "openid email");
});

test("the provider refuses unknown redirect_uris and unknown users (authorize throws)", async (t) => {
  const p = await provider(t);
  await assert.rejects(
    p.authorize({ clientId: basicClient.client_id, redirectUri: "http://127.0.0.1:1/evil", login: "alice" }),
    /redirect_uri/,
  );
  await assert.rejects(p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "mallory" }), /unknown user/);
});

test("a plain OAuth 2.0 scope yields no id_token and the plain user API answers the user's claims", async (t) => {
  const p = await provider(t);
  const r = await p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "bob", scope: "email profile" });
  const tok = await redeem(p, codeOf(r));
  assert.equal(tok.status, 200, JSON.stringify(tok.json));
  assert.equal(typeof tok.json.access_token, "string");
  assert.equal(tok.json.id_token, undefined);
  assert.equal(typeof tok.json.expires_in, "number");

  const res = await fetch(p.endpoints.plainUserApi, { headers: { authorization: `Bearer ${String(tok.json.access_token)}` } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { sub: "bob", email: "bob@example.com", email_verified: false, name: null });

  const noToken = await fetch(p.endpoints.plainUserApi);
  assert.equal(noToken.status, 401);
  const badToken = await fetch(p.endpoints.plainUserApi, { headers: { authorization: "Bearer not-a-token" } });
  assert.equal(badToken.status, 401);
  assert.equal(p.plainUserApiRequests, 3);
});

test("access tokens expire after accessTokenTtlSeconds", async (t) => {
  const p = await provider(t, { accessTokenTtlSeconds: 1 });
  const tok = await redeem(
    p,
    codeOf(await p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "bob", scope: "email" })),
  );
  assert.equal(tok.json.expires_in, 1);
  await new Promise((r) => setTimeout(r, 1100));
  const res = await fetch(p.endpoints.plainUserApi, { headers: { authorization: `Bearer ${String(tok.json.access_token)}` } });
  assert.equal(res.status, 401);
});

test("rotateKeys signs new ID tokens with a new kid, keeping the old key published", async (t) => {
  const p = await provider(t);
  const before = p.signingKeyIds.RS256;
  const code = codeOf(await p.authorize({ clientId: basicClient.client_id, redirectUri: REDIRECT, login: "alice" }));
  await p.rotateKeys();
  assert.notEqual(p.signingKeyIds.RS256, before);
  // a code issued before the rotation is still redeemable
  const tok = await redeem(p, code);
  assert.equal(tok.status, 200);
  assert.equal(decodeProtectedHeader(String(tok.json.id_token)).kid, p.signingKeyIds.RS256);
  const { keys } = (await (await fetch(p.endpoints.jwks)).json()) as { keys: { kid: string }[] };
  const kids = keys.map((k) => k.kid);
  assert.ok(kids.includes(before) && kids.includes(p.signingKeyIds.RS256));

  await p.rotateKeys({ keepPrevious: false });
  const { keys: after } = (await (await fetch(p.endpoints.jwks)).json()) as { keys: { kid: string }[] };
  assert.equal(after.length, 2);
});

test("openid-client 6 discovers the provider and completes the code flow (basic and post clients)", async (t) => {
  const p = await provider(t);
  for (const [client, auth] of [
    [basicClient, oidc.ClientSecretBasic(basicClient.client_secret)],
    [postClient, oidc.ClientSecretPost(postClient.client_secret)],
  ] as const) {
    const config = await oidc.discovery(new URL(p.issuer), client.client_id, undefined, auth, {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: "openid email profile",
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    const r = await p.authorize({ clientId: "", redirectUri: "", login: "alice", authorizationUrl: authorizationUrl.href });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(r.callbackUrl), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    assert.equal(typeof tokens.expires_in, "number");
    const claims = tokens.claims();
    assert.equal(claims?.sub, "alice");
    assert.equal(claims?.email, "alice@example.com");
    assert.equal(claims?.email_verified, true);
    assert.equal(claims?.name, "Alice Liddell");
  }
});
