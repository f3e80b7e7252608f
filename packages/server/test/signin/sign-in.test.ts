import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createRemoteJWKSet, jwtVerify } from "jose";
import type { RunningService } from "../support/service.ts";
import { assertAuthError, startService } from "../support/service.ts";
import { alice, CLIENT_SECRET, REDIRECT_URI, type SignInFixture, signInFixture } from "../support/sign-in-fixture.ts";
import { startTestProvider } from "../support/test-provider.ts";

type Body = Record<string, unknown>;
const errorOf = (r: { body: unknown }) => (r.body as { error?: string }).error;

async function initAuth(service: RunningService, email?: string) {
  const response = await service.request<Body>("POST", "/userAccount/initAuth", email === undefined ? {} : { email });
  assert.equal(response.status, 200, response.text);
  const token = response.headers.get("x-session-token");
  assert.ok(token && token.length >= 22, "x-session-token carries at least 128 bits");
  return { token, body: response.body };
}

async function authorizeUrl(f: SignInFixture, params: { email?: string; provider?: string; redirectUri?: string; session?: string } = {}) {
  const query = new URLSearchParams({
    provider: params.provider ?? "acme-idp",
    email: params.email ?? alice.email,
    redirectUri: params.redirectUri ?? REDIRECT_URI,
  });
  const response = await f.service.request<{ authorizationUrl: string; state: string }>(
    "GET",
    `/userAccount/oauth/authorize?${query}`,
    undefined,
    params.session ? { "x-session-token": params.session } : {},
  );
  assert.equal(response.status, 200, response.text);
  return response.body;
}

/** The browser's part: follow the service's authorization URL through the provider's login. */
async function signInAtProvider(f: SignInFixture, authorizationUrl: string, login = alice.sub) {
  const result = await f.provider.authorize({ authorizationUrl, login, clientId: "", redirectUri: "" });
  assert.ok("code" in result, JSON.stringify(result));
  return result;
}

async function exchangeWithState(f: SignInFixture, session?: string, email = alice.email) {
  const { authorizationUrl, state } = await authorizeUrl(f, { session, email });
  const callback = await signInAtProvider(f, authorizationUrl);
  assert.equal(callback.state, state);
  return f.exchange({ code: callback.code, email, state }, session);
}

/** Starts the authorization under `session` and sends the exchange with `exchangeSession`. */
async function exchangeWithStateUnder(f: SignInFixture, session: string, exchangeSession: string | undefined) {
  const { authorizationUrl, state } = await authorizeUrl(f, { session });
  const callback = await signInAtProvider(f, authorizationUrl);
  return f.exchange({ code: callback.code, email: alice.email, state }, exchangeSession);
}

async function authenticate(service: RunningService, session: string, body: Body) {
  return service.request<Body>("POST", "/userAccount/authenticate", { method: "oauth", ...body }, { "x-session-token": session });
}

describe("initAuth", () => {
  test("answers a session token header and the organisation's providers in the contract's shape, never the secret", async (t) => {
    const f = await signInFixture(t);
    const { body } = await initAuth(f.service, alice.email);
    assert.equal(body.currentStep, 0);
    assert.deepEqual(body.allowedMethods, ["oauth", "samlSso"]);
    assert.equal(body.jitEnabled, true);
    const oauth = (body.authProviders as { oauth: Body }).oauth;
    assert.equal(oauth.providerName, "acme-idp");
    assert.equal(oauth.clientId, "pipeshub-app");
    assert.equal(oauth.authorizationUrl, f.provider.endpoints.authorization);
    assert.equal(oauth.tokenEndpoint, f.provider.endpoints.token);
    assert.equal((body.oauthProviders as unknown[]).length, 1);
    assert.ok(!JSON.stringify(body).includes(CLIENT_SECRET));
  });

  test("without a body or email, uses the only organisation", async (t) => {
    const f = await signInFixture(t);
    const response = await f.service.request<Body>("POST", "/userAccount/initAuth");
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body.allowedMethods, ["oauth", "samlSso"]);
    assert.equal(response.body.orgName, "Acme");
  });

  test("names the organisation the email signs in to (orgName), and none while it is not known", async (t) => {
    const f = await signInFixture(t);
    assert.equal((await initAuth(f.service, alice.email)).body.orgName, "Acme");
    const other = await f.service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Globex", domains: ["globex.test"] });
    assert.equal(other.status, 201, other.text);
    assert.equal((await initAuth(f.service, "hank@globex.test")).body.orgName, "Globex");
    // Two organisations and no email: which one is not known yet.
    const anonymous = await initAuth(f.service);
    assert.equal("orgName" in anonymous.body, false);
  });

  test("a malformed email is refused", async (t) => {
    const f = await signInFixture(t);
    assert.equal(errorOf(await f.service.request("POST", "/userAccount/initAuth", { email: "not-an-email" })), "VALIDATION_ERROR");
  });
});

describe("GET /userAccount/oauth/authorize", () => {
  test("builds the provider's authorization URL with state, nonce and an S256 code challenge", async (t) => {
    const f = await signInFixture(t);
    const { authorizationUrl, state } = await authorizeUrl(f);
    const url = new URL(authorizationUrl);
    assert.equal(url.origin + url.pathname, f.provider.endpoints.authorization);
    const p = url.searchParams;
    assert.equal(p.get("response_type"), "code");
    assert.equal(p.get("client_id"), "pipeshub-app");
    assert.equal(p.get("redirect_uri"), REDIRECT_URI);
    assert.equal(p.get("scope"), "openid email profile");
    assert.equal(p.get("state"), state);
    assert.equal(p.get("code_challenge_method"), "S256");
    assert.match(p.get("code_challenge") ?? "", /^[\w-]{43}$/);
    assert.ok((p.get("nonce") ?? "").length >= 22);
  });

  test("the email reaches the provider as login_hint; prompt only when asked, one of the OpenID Connect values", async (t) => {
    const f = await signInFixture(t);
    const plain = new URL((await authorizeUrl(f)).authorizationUrl).searchParams;
    assert.equal(plain.get("login_hint"), alice.email);
    assert.equal(plain.has("prompt"), false);
    for (const prompt of ["login", "select_account", "consent", "none"]) {
      const query = new URLSearchParams({ provider: "acme-idp", email: alice.email, redirectUri: REDIRECT_URI, prompt });
      const response = await f.service.request<{ authorizationUrl: string }>("GET", `/userAccount/oauth/authorize?${query}`);
      assert.equal(response.status, 200, response.text);
      const params = new URL(response.body.authorizationUrl).searchParams;
      assert.deepEqual(params.getAll("prompt"), [prompt]);
      assert.equal(params.get("login_hint"), alice.email);
    }
    for (const prompt of ["bogus", "login consent", ""]) {
      const query = new URLSearchParams({ provider: "acme-idp", email: alice.email, redirectUri: REDIRECT_URI, prompt });
      assertAuthError(await f.service.request("GET", `/userAccount/oauth/authorize?${query}`), 400, "VALIDATION_ERROR");
    }
  });

  test("the provider acts on prompt and login_hint: prompt=none with nobody signed in there comes back login_required; prompt=login signs in and redeems", async (t) => {
    const f = await signInFixture(t);
    const url = async (prompt: string) => {
      const query = new URLSearchParams({ provider: "acme-idp", email: alice.email, redirectUri: REDIRECT_URI, prompt });
      return (await f.service.request<{ authorizationUrl: string; state: string }>("GET", `/userAccount/oauth/authorize?${query}`)).body;
    };
    const silent = await url("none");
    const refused = await f.provider.authorize({
      authorizationUrl: silent.authorizationUrl,
      login: alice.sub,
      clientId: "",
      redirectUri: "",
    });
    assert.ok("error" in refused, JSON.stringify(refused));
    assert.equal(refused.error, "login_required");
    assert.equal(refused.state, silent.state);

    const login = await url("login");
    const callback = await signInAtProvider(f, login.authorizationUrl);
    assert.equal(callback.state, login.state);
    assert.equal((await f.exchange({ code: callback.code, email: alice.email, state: login.state })).status, 200);
  });

  test("the OpenAPI document describes prompt with its four values", async (t) => {
    const f = await signInFixture(t);
    type Parameter = { name: string; in: string; required?: boolean; schema: { enum?: string[] } };
    const doc = (await f.service.request<{ paths: Record<string, { get?: { parameters: Parameter[] } }> }>("GET", "/openapi.json")).body;
    const prompt = doc.paths["/userAccount/oauth/authorize"]?.get?.parameters.find((p) => p.name === "prompt");
    assert.ok(prompt, "documented");
    assert.equal(prompt.in, "query");
    assert.notEqual(prompt.required, true);
    assert.deepEqual(prompt.schema.enum, ["login", "select_account", "consent", "none"]);
  });

  test("Accept: text/html gets a 302 to the provider", async (t) => {
    const f = await signInFixture(t);
    const query = new URLSearchParams({ provider: "acme-idp", email: alice.email, redirectUri: REDIRECT_URI });
    const response = await fetch(`${f.service.url}/userAccount/oauth/authorize?${query}`, {
      headers: { accept: "text/html" },
      redirect: "manual",
    });
    assert.equal(response.status, 302);
    assert.ok(response.headers.get("location")?.startsWith(f.provider.endpoints.authorization));
  });

  test("an unregistered redirect URI is refused before anything is stored", async (t) => {
    const f = await signInFixture(t);
    const query = new URLSearchParams({ provider: "acme-idp", email: alice.email, redirectUri: "https://evil.example/cb" });
    assert.equal(errorOf(await f.service.request("GET", `/userAccount/oauth/authorize?${query}`)), "REDIRECT_URI_MISMATCH");
  });
});

describe("exchange with state", () => {
  test("the stored PKCE verifier reaches the provider: a provider that requires PKCE accepts the code", async (t) => {
    const f = await signInFixture(t, { providerOptions: { requirePkce: true } });
    const response = await exchangeWithState(f);
    assert.equal(response.status, 200, response.text);
  });

  test("without the state the verifier is missing, and the provider refuses the same code", async (t) => {
    const f = await signInFixture(t, { providerOptions: { requirePkce: true } });
    const { authorizationUrl } = await authorizeUrl(f);
    const { code } = await signInAtProvider(f, authorizationUrl);
    assert.equal(errorOf(await f.exchange({ code, email: alice.email })), "INVALID_GRANT");
  });

  test("a provider marked requirePkce refuses the stateless exchange with STATE_REQUIRED, before calling the provider", async (t) => {
    const f = await signInFixture(t, { settings: { requirePkce: true } });
    const response = await f.exchange({ code: await f.code(alice.sub), email: alice.email });
    assert.equal(response.status, 400);
    assert.equal(errorOf(response), "STATE_REQUIRED");
    assert.equal(f.provider.tokenRequests, 0);
  });

  test("a state is consumed exactly once: a replay is INVALID_STATE", async (t) => {
    const f = await signInFixture(t);
    const { authorizationUrl, state } = await authorizeUrl(f);
    const { code } = await signInAtProvider(f, authorizationUrl);
    assert.equal((await f.exchange({ code, email: alice.email, state })).status, 200);
    const again = await f.exchange({ code, email: alice.email, state });
    assert.equal(again.status, 400);
    assert.equal(errorOf(again), "INVALID_STATE");
  });

  test("an expired state (older than 10 minutes) is INVALID_STATE", async (t) => {
    let now = Date.now();
    const service = await startService(t, {}, { now: () => now });
    const f = await signInFixture(t, { service });
    const { authorizationUrl, state } = await authorizeUrl(f);
    const { code } = await signInAtProvider(f, authorizationUrl);
    now += 10 * 60 * 1000 + 1;
    assert.equal(errorOf(await f.exchange({ code, email: alice.email, state })), "INVALID_STATE");
  });

  for (const [what, change] of [
    ["another provider", { provider: "other-idp" }],
    ["another redirect URI", { redirectUri: "http://127.0.0.1:5173/other" }],
    ["another email", { email: "bob@acme.test" }],
  ] as const) {
    test(`a state used for ${what} is INVALID_STATE`, async (t) => {
      const f = await signInFixture(t, { settings: { redirectUris: [REDIRECT_URI, "http://127.0.0.1:5173/other"] } });
      await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/oauth-providers/other-idp`, {
        clientId: "pipeshub-app",
        clientSecret: CLIENT_SECRET,
        issuer: f.provider.issuer,
        redirectUris: [REDIRECT_URI, "http://127.0.0.1:5173/other"],
        enableJit: true,
      });
      const { authorizationUrl, state } = await authorizeUrl(f);
      const { code } = await signInAtProvider(f, authorizationUrl);
      const response = await f.exchange({ code, email: alice.email, state, ...change });
      assert.equal(errorOf(response), "INVALID_STATE", response.text);
      assert.equal(f.provider.tokenRequests, 0);
    });
  }

  test("a state started under a session is redeemed only with that session: the code and state of a leaked callback URL are INVALID_STATE", async (t) => {
    // Both travel in the redirect's URL, and the service holds the PKCE verifier: without this
    // binding whoever saw the URL could redeem the code and get the user's tokens.
    const f = await signInFixture(t, { providerOptions: { requirePkce: true } });
    const victim = await initAuth(f.service, alice.email);
    const { authorizationUrl, state } = await authorizeUrl(f, { session: victim.token });
    const { code } = await signInAtProvider(f, authorizationUrl);
    const attacker = await initAuth(f.service, alice.email);
    const stolen = await f.exchange({ code, email: alice.email, state }, attacker.token);
    assert.equal(stolen.status, 400, stolen.text);
    assert.equal(errorOf(stolen), "INVALID_STATE");
    const bare = await exchangeWithStateUnder(f, victim.token, undefined);
    assert.equal(errorOf(bare), "INVALID_STATE", bare.text);
    assert.equal(f.provider.tokenRequests, 0);
    assert.equal((await exchangeWithState(f, victim.token)).status, 200, "the session that started it redeems it (control)");
  });

  test("a state started for one organisation is INVALID_STATE when the email now resolves to another", async (t) => {
    const service = await startService(t);
    const acme = await signInFixture(t, { service, providerName: "sso", domains: ["acme.test"] });
    const bob = { sub: "bob-sub", email: "bob@beta.test", email_verified: true };
    const beta = await signInFixture(t, { service, providerName: "sso", domains: ["beta.test"], users: [bob], clientId: "beta-app" });
    const { authorizationUrl, state } = await authorizeUrl(beta, { provider: "sso", email: bob.email });
    const { code } = await signInAtProvider(beta, authorizationUrl, bob.sub);
    // An admin adds bob to Acme meanwhile: his email now resolves to Acme, whose "sso" is another provider.
    assert.equal((await service.admin("POST", `/api/v1/orgs/${acme.orgId}/users`, { email: bob.email })).status, 201);
    const response = await beta.exchange({ code, email: bob.email, state });
    assert.equal(errorOf(response), "INVALID_STATE", response.text);
    assert.equal(acme.provider.tokenRequests + beta.provider.tokenRequests, 0);
  });

  test("an ID token whose nonce is not the one we sent is refused", async (t) => {
    const f = await signInFixture(t);
    const { authorizationUrl, state } = await authorizeUrl(f);
    const ours = new URL(authorizationUrl).searchParams;
    // The browser is steered to the same request but with an attacker's nonce.
    const tampered = new URL(authorizationUrl);
    tampered.searchParams.set("nonce", "attacker-chosen-nonce");
    const { code } = await signInAtProvider(f, tampered.href);
    assert.notEqual(ours.get("nonce"), "attacker-chosen-nonce");
    const response = await f.exchange({ code, email: alice.email, state });
    assert.equal(response.status, 401, response.text);
    assert.equal(errorOf(response), "INVALID_ID_TOKEN");
  });
});

describe("authenticate", () => {
  test("an unknown or expired session is 404 SESSION_EXPIRED", async (t) => {
    let now = Date.now();
    const service = await startService(t, {}, { now: () => now });
    const f = await signInFixture(t, { service });
    assert.equal(errorOf(await authenticate(service, "no-such-session", { credentials: { accessToken: "x" } })), "SESSION_EXPIRED");
    const { token } = await initAuth(service, alice.email);
    now += 31 * 60 * 1000;
    const response = await authenticate(f.service, token, { credentials: { accessToken: "x" } });
    assert.equal(response.status, 404);
    assert.equal(errorOf(response), "SESSION_EXPIRED");
  });

  test("a method the current step does not allow is METHOD_NOT_ALLOWED; an allowed one not built yet is METHOD_NOT_SUPPORTED", async (t) => {
    const f = await signInFixture(t);
    const { token } = await initAuth(f.service, alice.email);
    assert.equal(
      errorOf(await authenticate(f.service, token, { method: "password", credentials: { password: "x" } })),
      "METHOD_NOT_ALLOWED",
    );
    await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/auth-methods`, {
      authMethod: [{ order: 1, allowedMethods: [{ type: "oauth" }, { type: "password" }] }],
    });
    assert.equal(
      errorOf(await authenticate(f.service, token, { method: "password", credentials: { password: "x" } })),
      "METHOD_NOT_SUPPORTED",
    );
  });

  test("an ID token from another provider is refused", async (t) => {
    const f = await signInFixture(t);
    const foreign = await startTestProvider({
      clients: [{ client_id: "pipeshub-app", client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }],
      users: [alice],
    });
    t.after(() => foreign.close());
    const code = await foreign.authorize({ clientId: "pipeshub-app", redirectUri: REDIRECT_URI, login: alice.sub });
    assert.ok("code" in code);
    const tokens = (await (
      await fetch(foreign.endpoints.token, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`pipeshub-app:${CLIENT_SECRET}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ grant_type: "authorization_code", code: code.code, redirect_uri: REDIRECT_URI }),
      })
    ).json()) as { access_token: string; id_token: string };
    const { token } = await initAuth(f.service, alice.email);
    const response = await authenticate(f.service, token, {
      provider: "acme-idp",
      credentials: { accessToken: tokens.access_token, idToken: tokens.id_token },
    });
    assert.equal(response.status, 401, response.text);
    assert.equal(errorOf(response), "INVALID_ID_TOKEN");
  });

  test("an access token another application got from the same provider does not sign its user in: without an ID token, only tokens this service redeemed count", async (t) => {
    // RFC 6749 §10.16: an access token says nothing about which client it was issued to, so
    // any application the user signed in to at the provider could otherwise sign in as them here.
    const otherRedirect = "http://127.0.0.1:5174/callback";
    const provider = await startTestProvider({
      clients: [
        { client_id: "pipeshub-app", client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] },
        { client_id: "other-app", client_secret: "other-app-Secret-9c1d", redirect_uris: [otherRedirect] },
      ],
      users: [alice],
    });
    t.after(() => provider.close());
    const f = await signInFixture(t, { provider });
    const code = await provider.authorize({ clientId: "other-app", redirectUri: otherRedirect, login: alice.sub });
    assert.ok("code" in code);
    const theirs = (await (
      await fetch(provider.endpoints.token, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from("other-app:other-app-Secret-9c1d").toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ grant_type: "authorization_code", code: code.code, redirect_uri: otherRedirect }),
      })
    ).json()) as { access_token: string };
    const { token } = await initAuth(f.service, alice.email);
    const refused = await authenticate(f.service, token, { provider: "acme-idp", credentials: { accessToken: theirs.access_token } });
    assert.equal(refused.status, 401, refused.text);
    assert.equal(errorOf(refused), "INVALID_TOKEN");
    // The access token from this service's own exchange still identifies her (control).
    const ours = (await exchangeWithState(f, token)).body as { access_token: string };
    const accepted = await authenticate(f.service, token, { provider: "acme-idp", credentials: { accessToken: ours.access_token } });
    assert.equal(accepted.status, 200, accepted.text);
  });

  test("a subject linked to another user is IDENTITY_CONFLICT", async (t) => {
    const impostor = { sub: "impostor", email: alice.email, email_verified: true };
    const f = await signInFixture(t, { users: [alice, impostor] });
    assert.equal((await f.exchange({ code: await f.code(alice.sub), email: alice.email })).status, 200);
    const exchanged = await f.exchange({ code: await f.code("impostor"), email: alice.email });
    assert.equal(errorOf(exchanged), "IDENTITY_CONFLICT");
    // Tokens of the impostor obtained elsewhere do not get in through authenticate either.
    const code = await f.code("impostor");
    const tokens = (await (
      await fetch(f.provider.endpoints.token, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`pipeshub-app:${CLIENT_SECRET}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI }),
      })
    ).json()) as { access_token: string; id_token: string };
    const { token } = await initAuth(f.service, alice.email);
    assert.equal(
      errorOf(await authenticate(f.service, token, { credentials: { accessToken: tokens.access_token, idToken: tokens.id_token } })),
      "IDENTITY_CONFLICT",
    );
  });

  test("malformed requests do not count towards the lockout: nobody can lock an account for free", async (t) => {
    const f = await signInFixture(t);
    const good = (await f.exchange({ code: await f.code(alice.sub), email: alice.email })).body as {
      access_token: string;
      id_token: string;
    };
    const { token } = await initAuth(f.service, alice.email);
    for (let attempt = 1; attempt <= 6; attempt++) {
      assert.equal(errorOf(await authenticate(f.service, token, { credentials: {} })), "VALIDATION_ERROR", `attempt ${attempt}`);
    }
    const response = await authenticate(f.service, token, { credentials: { accessToken: good.access_token, idToken: good.id_token } });
    assert.equal(response.status, 200, response.text);
  });

  test("five failed attempts block the account: the sixth is ACCOUNT_BLOCKED, even with good credentials", async (t) => {
    const f = await signInFixture(t);
    const good = (await f.exchange({ code: await f.code(alice.sub), email: alice.email })).body as {
      access_token: string;
      id_token: string;
    };
    const { token } = await initAuth(f.service, alice.email);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await authenticate(f.service, token, { credentials: { accessToken: good.access_token, idToken: "not.a.jwt" } });
      assert.equal(errorOf(response), "INVALID_ID_TOKEN", `attempt ${attempt}`);
    }
    const sixth = await authenticate(f.service, token, { credentials: { accessToken: good.access_token, idToken: good.id_token } });
    assert.equal(sixth.status, 400);
    assert.equal(errorOf(sixth), "ACCOUNT_BLOCKED");
    const audit = await f.service.admin<{ records: { event: string; error: string | null }[] }>(
      "GET",
      `/api/v1/orgs/${f.orgId}/audit?limit=10`,
    );
    assert.deepEqual(
      audit.body.records.filter((r) => r.event === "authenticate").map((r) => r.error),
      ["ACCOUNT_BLOCKED", ...Array(5).fill("INVALID_ID_TOKEN")],
    );
  });

  test("a two-step organisation answers the multi-step shape after the first step", async (t) => {
    const f = await signInFixture(t);
    const put = await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/auth-methods`, {
      authMethod: [
        { order: 1, allowedMethods: [{ type: "oauth" }] },
        { order: 2, allowedMethods: [{ type: "otp" }] },
      ],
    });
    assert.equal(put.status, 200, put.text);
    const { token } = await initAuth(f.service, alice.email);
    const tokens = (await exchangeWithState(f, token)).body as { access_token: string; id_token: string };
    const response = await authenticate(f.service, token, { credentials: { accessToken: tokens.access_token, idToken: tokens.id_token } });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(
      { ...response.body, authProviders: undefined, oauthProviders: undefined },
      { status: "success", nextStep: 1, allowedMethods: ["otp"], authProviders: undefined, oauthProviders: undefined },
    );
    assert.equal(
      errorOf(await authenticate(f.service, token, { credentials: { accessToken: tokens.access_token, idToken: tokens.id_token } })),
      "METHOD_NOT_ALLOWED",
    );
  });

  test("auth steps are validated like the contract says", async (t) => {
    const f = await signInFixture(t);
    const duplicate = await f.service.admin<{ error: string; message: string }>("POST", `/orgAuthConfig/updateAuthMethod`, {
      authMethod: [
        { order: 1, allowedMethods: [{ type: "oauth" }] },
        { order: 2, allowedMethods: [{ type: "oauth" }] },
      ],
    });
    assert.equal(duplicate.status, 400);
    assert.match(duplicate.body.message, /more than once/);
    const read = await f.service.admin<{ authMethods: unknown[] }>("GET", `/orgAuthConfig/authMethods`);
    assert.deepEqual(read.body.authMethods, [{ order: 1, allowedMethods: [{ type: "oauth" }, { type: "samlSso" }] }]);
  });
});

describe("the whole flow", () => {
  test("initAuth → authorize → provider login → exchange with state → authenticate → the service's tokens verify against its JWKS → refresh → reuse revokes → logout", async (t) => {
    const f = await signInFixture(t);
    const { token } = await initAuth(f.service, alice.email);
    const exchanged = await exchangeWithState(f, token);
    assert.equal(exchanged.status, 200, exchanged.text);
    const providerTokens = exchanged.body as { access_token: string; id_token: string };
    const final = await authenticate(f.service, token, {
      credentials: { accessToken: providerTokens.access_token, idToken: providerTokens.id_token },
    });
    assert.equal(final.status, 200, final.text);
    const { message, accessToken, refreshToken } = final.body as { message: string; accessToken: string; refreshToken: string };
    assert.equal(message, "Fully authenticated");
    const jwks = createRemoteJWKSet(new URL(`${f.service.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(accessToken, jwks, {
      issuer: f.service.app.config.publicUrl,
      audience: f.service.app.config.tokenAudience,
    });
    assert.equal(payload.email, alice.email);
    assert.equal(payload.orgId, f.orgId);
    assert.equal(payload.exp! - payload.iat!, 3600);
    // The session is finished: it cannot be used again.
    assert.equal(
      errorOf(await authenticate(f.service, token, { credentials: { accessToken: providerTokens.access_token } })),
      "SESSION_EXPIRED",
    );

    const refreshed = await f.service.request<{ accessToken: string; refreshToken: string }>(
      "POST",
      "/userAccount/refresh/token",
      undefined,
      { authorization: `Bearer ${refreshToken}` },
    );
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.notEqual(refreshed.body.refreshToken, refreshToken);
    const reuse = await f.service.request("POST", "/userAccount/refresh/token", undefined, { authorization: `Bearer ${refreshToken}` });
    assert.equal(reuse.status, 401);
    const afterReuse = await f.service.request("POST", "/userAccount/refresh/token", undefined, {
      authorization: `Bearer ${refreshed.body.refreshToken}`,
    });
    assert.equal(afterReuse.status, 401, "reuse of a rotated refresh token revokes the whole family");

    // A fresh sign-in, then logout revokes it.
    const second = await initAuth(f.service, alice.email);
    const again = (await exchangeWithState(f, second.token)).body as { access_token: string; id_token: string };
    const tokens = (
      await authenticate(f.service, second.token, { credentials: { accessToken: again.access_token, idToken: again.id_token } })
    ).body as { accessToken: string; refreshToken: string };
    assert.equal(
      (await f.service.request("POST", "/userAccount/logout/manual", undefined, { authorization: `Bearer ${tokens.accessToken}` })).status,
      200,
    );
    assert.equal(
      (await f.service.request("POST", "/userAccount/refresh/token", undefined, { authorization: `Bearer ${tokens.refreshToken}` })).status,
      401,
    );
  });
});
