import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { closedPortUrl, startHangingServer, startJsonServer } from "../support/faulty-servers.ts";
import { assertAuthError, auditEvents, signInRecords, startService } from "../support/service.ts";
import { alice, CLIENT_SECRET, REDIRECT_URI, signInFixture } from "../support/sign-in-fixture.ts";
import { startTestProvider } from "../support/test-provider.ts";

type Tokens = { access_token: string; id_token?: string; token_type: string; expires_in?: number };

describe("POST /userAccount/oauth/exchange", () => {
  test("an OpenID Connect provider configured by issuer: 200 with a verified ID token, the user linked, an audit record", async (t) => {
    const f = await signInFixture(t);
    const response = await f.exchange({ code: await f.code("alice-sub"), email: "Alice@Acme.test" });
    assert.equal(response.status, 200, response.text);
    const tokens = response.body as unknown as Tokens;
    assert.deepEqual(Object.keys(tokens).sort(), ["access_token", "expires_in", "id_token", "token_type"]);
    assert.equal(tokens.token_type, "Bearer");
    assert.ok(tokens.expires_in! > 0);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(f.provider.endpoints.jwks)), {
      issuer: f.provider.issuer,
      audience: "pipeshub-app",
    });
    assert.equal(payload.sub, "alice-sub");

    const users = await f.service.admin<{ email: string; fullName: string }[]>(
      "GET",
      `/api/v1/orgs/${f.orgId}/users?email=alice@acme.test`,
    );
    assert.equal(users.body.length, 1);
    assert.equal(users.body[0]!.fullName, "Alice Acme");
    const links = await f.service.app.store.db.selectFrom("identity_links").selectAll().execute();
    assert.deepEqual(
      links.map((l) => l.subject),
      ["alice-sub"],
    );
    assert.deepEqual(
      (await auditEvents(f.service, f.orgId, ""))
        .filter((r) => r.actor === null || r.event === "identity.linked")
        .map((r) => [r.event, r.outcome, r.provider, r.error]),
      // Oldest first: the link the exchange made (by the signing-in user), then the exchange.
      [
        ["identity.linked", "success", "acme-idp", null],
        ["oauth.exchange", "success", "acme-idp", null],
      ],
    );
  });

  test("a plain OAuth 2.0 provider configured by explicit endpoints: no ID token, identity from its user API", async (t) => {
    const provider = await startTestProvider({
      clients: [{ client_id: "plain-app", client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }],
      users: [alice],
    });
    t.after(() => provider.close());
    const f = await signInFixture(t, {
      provider,
      clientId: "plain-app",
      settings: {
        issuer: undefined,
        authorizationUrl: provider.endpoints.authorization,
        tokenEndpoint: provider.endpoints.token,
        userInfoEndpoint: provider.endpoints.plainUserApi,
        scope: "email profile",
      },
    });
    const code = await f.code("alice-sub", { scope: "email profile" });
    const response = await f.exchange({ code, email: "alice@acme.test" });
    assert.equal(response.status, 200, response.text);
    assert.equal((response.body as unknown as Tokens).id_token, undefined);
    assert.equal(provider.plainUserApiRequests, 1);
    const links = await f.service.app.store.db.selectFrom("identity_links").selectAll().execute();
    assert.deepEqual(
      links.map((l) => l.subject),
      ["alice-sub"],
    );
  });

  test("a user API that refuses the access token → 401 USERINFO_FAILED, not a refused code", async (t) => {
    const refusing = await startJsonServer(() => ({
      status: 401,
      body: { message: "Bad credentials" },
      headers: { "www-authenticate": 'Bearer error="invalid_token"' },
    }));
    t.after(() => refusing.close());
    const provider = await startTestProvider({
      clients: [{ client_id: "plain-app", client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }],
      users: [alice],
    });
    t.after(() => provider.close());
    const f = await signInFixture(t, {
      provider,
      clientId: "plain-app",
      settings: {
        issuer: undefined,
        authorizationUrl: provider.endpoints.authorization,
        tokenEndpoint: provider.endpoints.token,
        userInfoEndpoint: `${refusing.url}/user`,
        scope: "email profile",
      },
    });
    const response = await f.exchange({ code: await f.code("alice-sub", { scope: "email profile" }), email: alice.email });
    assertAuthError(response, 401, "USERINFO_FAILED");
    assert.equal(refusing.requests, 1);
  });

  for (const method of ["client_secret_basic", "client_secret_post"] as const) {
    test(`authenticates to the token endpoint with ${method}`, async (t) => {
      const f = await signInFixture(t, { authMethod: method });
      const response = await f.exchange({ code: await f.code("alice-sub"), email: "alice@acme.test" });
      assert.equal(response.status, 200, response.text);
    });
  }

  test("a client authentication method the provider did not register is refused by the provider: INVALID_GRANT naming invalid_client", async (t) => {
    const f = await signInFixture(t, { authMethod: "client_secret_post" });
    await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp`, {
      clientId: "pipeshub-app",
      issuer: f.provider.issuer,
      redirectUris: [REDIRECT_URI],
      tokenEndpointAuthMethod: "client_secret_basic",
      enableJit: true,
    });
    const body = assertAuthError(await f.exchange({ code: await f.code("alice-sub"), email: "alice@acme.test" }), 400, "INVALID_GRANT");
    assert.equal(body.providerError, "invalid_client");
  });

  describe("refuses bad requests before calling the provider", () => {
    test("missing field → VALIDATION_ERROR naming it", async (t) => {
      const f = await signInFixture(t);
      const body = assertAuthError(
        await f.service.request("POST", "/userAccount/oauth/exchange", { code: "c", provider: "acme-idp", redirectUri: REDIRECT_URI }),
        400,
        "VALIDATION_ERROR",
      );
      assert.match(body.message, /email/);
    });

    test("unknown field → VALIDATION_ERROR naming it", async (t) => {
      const f = await signInFixture(t);
      const body = assertAuthError(
        await f.exchange({ code: "c", email: "alice@acme.test", redirect_uri: REDIRECT_URI }),
        400,
        "VALIDATION_ERROR",
      );
      assert.match(body.message, /redirect_uri/);
    });

    test("malformed JSON → INVALID_JSON", async (t) => {
      const f = await signInFixture(t);
      assertAuthError(await f.service.request("POST", "/userAccount/oauth/exchange", "{not json"), 400, "INVALID_JSON");
    });

    test("no organisation for the email → 404 ORG_NOT_FOUND", async (t) => {
      const f = await signInFixture(t);
      await f.service.admin("POST", "/api/v1/orgs", { name: "Other", domains: ["other.test"] });
      assertAuthError(await f.exchange({ code: "c", email: "someone@nowhere.test" }), 404, "ORG_NOT_FOUND");
    });

    test("the only organisation is used when no domain matches", async (t) => {
      const f = await signInFixture(t, { domains: [] });
      assertAuthError(await f.exchange({ code: "c", email: "x@elsewhere.test", provider: "nope" }), 400, "PROVIDER_NOT_FOUND");
    });

    test("unknown provider name → PROVIDER_NOT_FOUND", async (t) => {
      const f = await signInFixture(t);
      assertAuthError(await f.exchange({ code: "c", email: "alice@acme.test", provider: "okta" }), 400, "PROVIDER_NOT_FOUND");
    });

    test("a redirect URI that is not registered exactly → REDIRECT_URI_MISMATCH, and the provider is never called", async (t) => {
      const f = await signInFixture(t);
      const code = await f.code("alice-sub");
      for (const redirectUri of [REDIRECT_URI + "/", "http://127.0.0.1:5173/Callback", "http://127.0.0.1:5174/callback"]) {
        assertAuthError(await f.exchange({ code, email: "alice@acme.test", redirectUri }), 400, "REDIRECT_URI_MISMATCH");
      }
      assert.equal(f.provider.tokenRequests, 0);
      assert.deepEqual(
        (await signInRecords(f.service, f.orgId)).map((r) => r.error),
        Array(3).fill("REDIRECT_URI_MISMATCH"),
        "failures after the organisation is known land in its audit trail",
      );
      // The code is untouched and still redeemable with the right URI.
      assert.equal((await f.exchange({ code, email: "alice@acme.test" })).status, 200);
    });
  });

  describe("the provider refuses or fails", () => {
    test("a code used twice → INVALID_GRANT naming invalid_grant", async (t) => {
      const f = await signInFixture(t);
      const code = await f.code("alice-sub");
      assert.equal((await f.exchange({ code, email: "alice@acme.test" })).status, 200);
      const body = assertAuthError(await f.exchange({ code, email: "alice@acme.test" }), 400, "INVALID_GRANT");
      assert.equal(body.providerError, "invalid_grant");
      assert.match(body.message, /invalid_grant/);
    });

    test("a made-up code → INVALID_GRANT", async (t) => {
      const f = await signInFixture(t);
      assertAuthError(await f.exchange({ code: "not-a-real-code", email: "alice@acme.test" }), 400, "INVALID_GRANT");
    });

    test("a provider that is down → 502 PROVIDER_UNAVAILABLE", async (t) => {
      const down = await closedPortUrl();
      const f = await signInFixture(t, {
        settings: {
          issuer: undefined,
          authorizationUrl: `${down}/authorize`,
          tokenEndpoint: `${down}/token`,
          userInfoEndpoint: `${down}/me`,
        },
      });
      assertAuthError(await f.exchange({ code: "c", email: "alice@acme.test" }), 502, "PROVIDER_UNAVAILABLE");
    });

    test("a provider whose discovery is down → 502 PROVIDER_UNAVAILABLE", async (t) => {
      const down = await closedPortUrl();
      const f = await signInFixture(t, { settings: { issuer: down } });
      assertAuthError(await f.exchange({ code: "c", email: "alice@acme.test" }), 502, "PROVIDER_UNAVAILABLE");
    });

    test("a provider that never answers → 504 PROVIDER_TIMEOUT within the timeout plus a margin", async (t) => {
      const hanging = await startHangingServer();
      t.after(() => hanging.close());
      const f = await signInFixture(t, {
        config: { outboundTimeoutMs: 400 },
        settings: {
          issuer: undefined,
          authorizationUrl: `${hanging.url}/authorize`,
          tokenEndpoint: `${hanging.url}/token`,
          userInfoEndpoint: `${hanging.url}/me`,
        },
      });
      const started = performance.now();
      assertAuthError(await f.exchange({ code: "c", email: "alice@acme.test" }), 504, "PROVIDER_TIMEOUT");
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 350 && elapsed < 400 + 1500, `answered after ${Math.round(elapsed)} ms`);
      assert.equal(hanging.requests, 1);
    });

    test("a token endpoint answering an HTML 500 → 502 PROVIDER_ERROR", async (t) => {
      const broken = await startJsonServer(() => ({ status: 500, body: "<html>oops</html>", headers: { "content-type": "text/html" } }));
      t.after(() => broken.close());
      const f = await signInFixture(t, {
        settings: {
          issuer: undefined,
          authorizationUrl: `${broken.url}/a`,
          tokenEndpoint: `${broken.url}/token`,
          userInfoEndpoint: `${broken.url}/me`,
        },
      });
      assertAuthError(await f.exchange({ code: "c", email: "alice@acme.test" }), 502, "PROVIDER_ERROR");
    });

    test("a token endpoint that redirects is not followed → 502 PROVIDER_ERROR", async (t) => {
      const redirecting = await startJsonServer(() => ({ status: 302, body: "", headers: { location: "http://127.0.0.1:1/elsewhere" } }));
      t.after(() => redirecting.close());
      const f = await signInFixture(t, {
        settings: {
          issuer: undefined,
          authorizationUrl: `${redirecting.url}/a`,
          tokenEndpoint: `${redirecting.url}/token`,
          userInfoEndpoint: `${redirecting.url}/me`,
        },
      });
      assertAuthError(await f.exchange({ code: "c", email: "alice@acme.test" }), 502, "PROVIDER_ERROR");
      assert.equal(redirecting.requests, 1);
    });
  });

  describe("the identity must match", () => {
    test("a different email than the signed-in identity's → 401 EMAIL_MISMATCH", async (t) => {
      const f = await signInFixture(t, { users: [alice, { sub: "mallory", email: "mallory@acme.test", email_verified: true }] });
      assertAuthError(await f.exchange({ code: await f.code("mallory"), email: "alice@acme.test" }), 401, "EMAIL_MISMATCH");
      assert.deepEqual(
        (await signInRecords(f.service, f.orgId)).map((r) => [r.outcome, r.error]),
        [["failure", "EMAIL_MISMATCH"]],
      );
    });

    test("an unverified email → 401 EMAIL_NOT_VERIFIED, unless the provider is trusted for email", async (t) => {
      const unverified = { sub: "carol", email: "carol@acme.test", email_verified: false };
      const f = await signInFixture(t, { users: [unverified] });
      assertAuthError(await f.exchange({ code: await f.code("carol"), email: "carol@acme.test" }), 401, "EMAIL_NOT_VERIFIED");
      await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp`, {
        clientId: "pipeshub-app",
        issuer: f.provider.issuer,
        redirectUris: [REDIRECT_URI],
        enableJit: true,
        trustEmail: true,
      });
      assert.equal((await f.exchange({ code: await f.code("carol"), email: "carol@acme.test" })).status, 200);
    });

    test("a user already linked to another subject is never re-linked → 401 IDENTITY_CONFLICT", async (t) => {
      const f = await signInFixture(t, { users: [alice, { sub: "impostor", email: "alice@acme.test", email_verified: true }] });
      assert.equal((await f.exchange({ code: await f.code("alice-sub"), email: "alice@acme.test" })).status, 200);
      assertAuthError(await f.exchange({ code: await f.code("impostor"), email: "alice@acme.test" }), 401, "IDENTITY_CONFLICT");
      const links = await f.service.app.store.db.selectFrom("identity_links").select("subject").execute();
      assert.deepEqual(
        links.map((l) => l.subject),
        ["alice-sub"],
      );
    });

    test("claims from an explicitly configured userinfo endpoint must be the ID token's subject's → 502 PROVIDER_ERROR", async (t) => {
      let answeredSub = "someone-else";
      const userinfo = await startJsonServer(() => ({ status: 200, body: { sub: answeredSub, email: alice.email, email_verified: true } }));
      t.after(() => userinfo.close());
      // scope openid only: the ID token carries no email, so it comes from userinfo.
      const f = await signInFixture(t, { settings: { scope: "openid", userInfoEndpoint: `${userinfo.url}/userinfo` } });
      assertAuthError(
        await f.exchange({ code: await f.code("alice-sub", { scope: "openid" }), email: alice.email }),
        502,
        "PROVIDER_ERROR",
      );
      assert.equal(userinfo.requests, 1);
      assert.deepEqual(await f.service.app.store.db.selectFrom("identity_links").selectAll().execute(), []);
      answeredSub = alice.sub;
      assert.equal(
        (await f.exchange({ code: await f.code("alice-sub", { scope: "openid" }), email: alice.email })).status,
        200,
        "the same subject is accepted (control)",
      );
    });

    test('emails compare case-insensitively in ASCII only: a provider\'s "\u212Aate@…" (KELVIN SIGN) is not kate@… → 401 EMAIL_MISMATCH', async (t) => {
      // String.prototype.toLowerCase folds U+212A to "k", which would link that identity to kate's account.
      const f = await signInFixture(t, {
        users: [
          { sub: "kelvin", email: "\u212Aate@acme.test", email_verified: true },
          { sub: "kate", email: "Kate@acme.test", email_verified: true },
        ],
      });
      assert.equal(
        (await f.service.admin("POST", `/api/v1/orgs/${f.orgId}/users`, { email: "kate@acme.test", fullName: "Kate" })).status,
        201,
      );
      assertAuthError(await f.exchange({ code: await f.code("kelvin"), email: "kate@acme.test" }), 401, "EMAIL_MISMATCH");
      assert.deepEqual(await f.service.app.store.db.selectFrom("identity_links").selectAll().execute(), []);
      assert.equal(
        (await f.exchange({ code: await f.code("kate"), email: "kate@acme.test" })).status,
        200,
        "ASCII case still differs freely (control)",
      );
    });

    test("a linked subject stays with its user when its email claim changes", async (t) => {
      const f = await signInFixture(t);
      assert.equal((await f.exchange({ code: await f.code("alice-sub"), email: "alice@acme.test" })).status, 200);
      await f.service.admin("POST", `/api/v1/orgs/${f.orgId}/users`, { email: "bob@acme.test", fullName: "Bob" });
      f.provider.setUser({ ...alice, email: "bob@acme.test" });
      // The identity now claims bob's email, but its subject is linked to alice: alice signs in, bob is untouched.
      const response = await f.exchange({ code: await f.code("alice-sub"), email: "bob@acme.test" });
      assert.equal(response.status, 200, response.text);
      const links = await f.service.app.store.db
        .selectFrom("identity_links")
        .innerJoin("users", "users.id", "identity_links.user_id")
        .select(["subject", "users.email"])
        .execute();
      assert.deepEqual(
        links.map((l) => ({ ...l })),
        [{ subject: "alice-sub", email: "alice@acme.test" }],
      );
    });

    test("just-in-time provisioning creates only addresses of the organisation's domains, even as the only organisation", async (t) => {
      const outsider = { sub: "mallory", email: "mallory@public-mail.test", email_verified: true };
      const f = await signInFixture(t, { users: [alice, outsider], domains: ["acme.test"] });
      assertAuthError(await f.exchange({ code: await f.code("mallory"), email: outsider.email }), 404, "USER_NOT_FOUND");
      assert.equal((await f.exchange({ code: await f.code(alice.sub), email: alice.email })).status, 200);
      const users = await f.service.admin<{ email: string }[]>("GET", `/api/v1/orgs/${f.orgId}/users`);
      assert.deepEqual(
        users.body.map((u) => u.email),
        [alice.email],
      );
      // An organisation that claims no domains takes anyone its provider vouches for.
      const open = await signInFixture(t, { users: [outsider], domains: [] });
      assert.equal((await open.exchange({ code: await open.code("mallory"), email: outsider.email })).status, 200);
    });

    test("an unknown user without just-in-time provisioning → 404 USER_NOT_FOUND; an existing user is linked", async (t) => {
      const f = await signInFixture(t, { settings: { enableJit: false } });
      assertAuthError(await f.exchange({ code: await f.code("alice-sub"), email: "alice@acme.test" }), 404, "USER_NOT_FOUND");
      assert.equal(
        (await f.service.admin("POST", `/api/v1/orgs/${f.orgId}/users`, { email: "ALICE@acme.test", fullName: "Alice" })).status,
        201,
      );
      assert.equal((await f.exchange({ code: await f.code("alice-sub"), email: "alice@acme.test" })).status, 200);
    });
  });

  test("two organisations with a provider of the same name never mix", async (t) => {
    const service = await startService(t);
    const a = await signInFixture(t, { service, providerName: "sso", domains: ["acme.test"] });
    const bobOfBeta = { sub: "bob-sub", email: "bob@beta.test", email_verified: true };
    const b = await signInFixture(t, { service, providerName: "sso", domains: ["beta.test"], users: [bobOfBeta], clientId: "beta-app" });
    // A code from Acme's provider, presented with a Beta email, goes to Beta's provider, which refuses it.
    assertAuthError(await a.exchange({ code: await a.code("alice-sub"), email: "bob@beta.test" }), 400, "INVALID_GRANT");
    assert.equal(a.provider.tokenRequests, 0);
    assert.equal(b.provider.tokenRequests, 1);
    assert.equal((await b.exchange({ code: await b.code("bob-sub"), email: "bob@beta.test" })).status, 200);
    const betaUsers = await service.admin<{ email: string }[]>("GET", `/api/v1/orgs/${b.orgId}/users`);
    const acmeUsers = await service.admin<{ email: string }[]>("GET", `/api/v1/orgs/${a.orgId}/users`);
    assert.deepEqual(
      betaUsers.body.map((u) => u.email),
      ["bob@beta.test"],
    );
    assert.deepEqual(acmeUsers.body, []);
  });

  test("the client secret never appears in the SQLite file, any response, or the logs; codes and tokens never in the logs", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "pipeshub-secret-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const service = await startService(t, { database: { kind: "sqlite", path: join(dir, "auth.sqlite") } });
    const f = await signInFixture(t, { service });
    const code = await f.code("alice-sub");
    const exchanged = await f.exchange({ code, email: "alice@acme.test" });
    assert.equal(exchanged.status, 200);
    const tokens = exchanged.body as unknown as Tokens;
    const responses = [
      await service.admin("GET", `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp`),
      await service.admin("GET", `/api/v1/orgs/${f.orgId}/oauth-providers`),
      await service.admin("GET", `/configurationManager/authConfig/oauth?providerName=acme-idp`),
      await service.admin("PUT", `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp`, {
        clientId: "pipeshub-app",
        clientSecret: CLIENT_SECRET,
        issuer: f.provider.issuer,
        redirectUris: [REDIRECT_URI],
      }),
    ];
    for (const r of responses) {
      assert.ok(r.status < 300, r.text);
      assert.ok(!r.text.includes(CLIENT_SECRET), `secret in ${r.text}`);
    }
    assert.equal((responses[0]!.body as { clientSecretSet: boolean }).clientSecretSet, true);
    const files = readdirSync(dir).map((name) => readFileSync(join(dir, name)));
    assert.ok(files.length >= 1);
    for (const bytes of files) assert.ok(!bytes.includes(CLIENT_SECRET), "secret stored in clear");
    const logs = service.logs();
    assert.ok(logs.length > 0);
    for (const secret of [CLIENT_SECRET, code, tokens.access_token, tokens.id_token!])
      assert.ok(!logs.includes(secret), "a secret reached the logs");
  });
});
