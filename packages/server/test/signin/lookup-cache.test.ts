import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { freshDatabase } from "../support/fresh-database.ts";
import { signInRecords, startService } from "../support/service.ts";
import { alice, CLIENT_SECRET, REDIRECT_URI, signInFixture } from "../support/sign-in-fixture.ts";
import { ada, SAML_PROVIDER, SAML_REDIRECT_URI, samlFixture, samlProviderInput } from "../support/saml-sign-in-fixture.ts";

const withPostgres = Boolean(process.env.TEST_DATABASE_URL);

/** The provider's settings as the fixture stored them, with another client secret. */
function providerWithSecret(issuer: string, clientSecret: string) {
  return { clientId: "pipeshub-app", clientSecret, issuer, redirectUris: [REDIRECT_URI], enableJit: true };
}

/**
 * Two instances over one fresh database, both caching (for a minute unless told), the fixture's
 * provider saved through the first; `exchangeAtSecond` redeems a new code of
 * alice's at the second.
 */
async function twoInstances(t: TestContext, engine: "sqlite" | "postgres", lookupCacheMs = 60_000) {
  const database = await freshDatabase(t, engine);
  const first = await startService(t, { database, lookupCacheMs });
  const second = await startService(t, { database, lookupCacheMs });
  const f = await signInFixture(t, { service: first });
  const exchangeAtSecond = async () =>
    second.request<{ error?: string; providerError?: string }>("POST", "/userAccount/oauth/exchange", {
      code: await f.code(alice.sub),
      email: alice.email,
      provider: "acme-idp",
      redirectUri: REDIRECT_URI,
    });
  const providerPath = `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp`;
  return { first, f, exchangeAtSecond, providerPath };
}

describe("organisations, providers and sign-in steps are cached briefly, and admin changes are seen", () => {
  test("a client secret changed through the admin API is the one the very next exchange sends", async (t) => {
    // A long cache: only the admin write can make the change visible this soon.
    const f = await signInFixture(t, { config: { lookupCacheMs: 60_000 } });
    const path = `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp`;
    assert.equal((await f.exchange({ code: await f.code(alice.sub), email: alice.email })).status, 200);

    assert.equal((await f.service.admin("PUT", path, providerWithSecret(f.provider.issuer, "a-secret-the-provider-refuses"))).status, 200);
    const refused = await f.exchange({ code: await f.code(alice.sub), email: alice.email });
    assert.notEqual(refused.status, 200, "the exchange still sent the old client secret");
    assert.equal((refused.body as { providerError?: string }).providerError, "invalid_client");

    assert.equal((await f.service.admin("PUT", path, providerWithSecret(f.provider.issuer, CLIENT_SECRET))).status, 200);
    assert.equal((await f.exchange({ code: await f.code(alice.sub), email: alice.email })).status, 200);

    assert.equal((await f.service.admin("DELETE", path)).status, 204);
    const gone = await f.exchange({ code: await f.code(alice.sub), email: alice.email });
    assert.equal((gone.body as { error: string }).error, "PROVIDER_NOT_FOUND");
  });

  test("an organisation created through the admin API is found at once, though its domain was just looked up in vain", async (t) => {
    const f = await signInFixture(t, { config: { lookupCacheMs: 60_000 } });
    const body = { code: "any", email: "bob@beta.test", provider: "acme-idp", redirectUri: REDIRECT_URI };
    // Acme, the only organisation, takes the email: its provider refuses the made-up code.
    const before = await f.service.request("POST", "/userAccount/oauth/exchange", body);
    assert.equal((before.body as { error: string }).error, "INVALID_GRANT", before.text);
    const beta = await f.service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Beta", domains: ["beta.test"] });
    assert.equal(beta.status, 201);
    const after = await f.service.request("POST", "/userAccount/oauth/exchange", body);
    assert.equal((after.body as { error: string }).error, "PROVIDER_NOT_FOUND");
    assert.deepEqual(
      (await signInRecords(f.service, beta.body.id, "limit=5")).map((r) => r.email),
      ["bob@beta.test"],
      "the second attempt resolved to the new organisation",
    );
  });

  test("sign-in steps and a provider added through the admin API are what the very next initAuth offers", async (t) => {
    const f = await signInFixture(t, { config: { lookupCacheMs: 60_000 } });
    const offered = async () => {
      const init = await f.service.request<{ allowedMethods: string[]; oauthProviders: { providerName: string }[] }>(
        "POST",
        "/userAccount/initAuth",
        { email: alice.email },
      );
      assert.equal(init.status, 200, init.text);
      return { methods: init.body.allowedMethods, providers: init.body.oauthProviders.map((p) => p.providerName) };
    };
    assert.deepEqual(await offered(), { methods: ["oauth", "samlSso"], providers: ["acme-idp"] });
    const steps = await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/auth-methods`, {
      authMethod: [{ order: 1, allowedMethods: [{ type: "oauth" }, { type: "password" }] }],
    });
    assert.equal(steps.status, 200, steps.text);
    const added = await f.service.admin(
      "PUT",
      `/api/v1/orgs/${f.orgId}/oauth-providers/second-idp`,
      providerWithSecret(f.provider.issuer, CLIENT_SECRET),
    );
    assert.equal(added.status, 201, added.text);
    assert.deepEqual(await offered(), { methods: ["oauth", "password"], providers: ["acme-idp", "second-idp"] });
  });

  test("a SAML provider saved or deleted through the admin API is what the very next authorize and initAuth use", async (t) => {
    const f = await samlFixture(t, { config: { lookupCacheMs: 60_000 } });
    const authorize = (provider: string) =>
      f.service.request<{ authorizationUrl: string; error: string }>(
        "GET",
        `/userAccount/oauth/authorize?${new URLSearchParams({ provider, email: ada.email, redirectUri: SAML_REDIRECT_URI })}`,
      );
    const offered = async () => {
      const init = await f.service.request<{ oauthProviders: { providerName: string }[] }>("POST", "/userAccount/initAuth", {
        email: ada.email,
      });
      assert.equal(init.status, 200, init.text);
      return init.body.oauthProviders.map((p) => p.providerName);
    };
    const ssoUrlOf = async (provider: string) => {
      const started = await authorize(provider);
      assert.equal(started.status, 200, started.text);
      return started.body.authorizationUrl.split("?")[0];
    };
    const path = (name: string) => `/api/v1/orgs/${f.orgId}/saml-providers/${name}`;
    assert.equal(await ssoUrlOf(SAML_PROVIDER), f.idp.ssoUrl);
    assert.deepEqual(await offered(), [SAML_PROVIDER]);
    // Looked up in vain first, so only the admin write can make the new provider visible this soon.
    assert.equal((await authorize("second-saml")).body.error, "PROVIDER_NOT_FOUND");

    const moved = `${f.idp.ssoUrl}/moved`;
    const replaced = await f.service.admin("PUT", path(SAML_PROVIDER), samlProviderInput(f.idp, { idpSsoUrl: moved }));
    assert.equal(replaced.status, 200, replaced.text);
    assert.equal(await ssoUrlOf(SAML_PROVIDER), moved, "authorize still sent the browser to the old SSO URL");

    assert.equal((await f.service.admin("PUT", path("second-saml"), samlProviderInput(f.idp))).status, 201);
    assert.equal(await ssoUrlOf("second-saml"), f.idp.ssoUrl, "authorize did not see the new SAML provider");
    assert.deepEqual(await offered(), [SAML_PROVIDER, "second-saml"], "initAuth did not offer the new SAML provider");

    assert.equal((await f.service.admin("DELETE", path(SAML_PROVIDER))).status, 204);
    assert.equal((await authorize(SAML_PROVIDER)).body.error, "PROVIDER_NOT_FOUND", "authorize still used the deleted SAML provider");
    assert.deepEqual(await offered(), ["second-saml"]);
  });

  test("on SQLite another instance sees a changed client secret at once, whatever its cache period", async (t) => {
    const { first, f, exchangeAtSecond, providerPath } = await twoInstances(t, "sqlite");
    assert.equal((await exchangeAtSecond()).status, 200, "the second instance has the provider cached");
    // A returning user's exchange writes nothing the caches remember: the provider stays cached.
    assert.equal((await exchangeAtSecond()).status, 200);
    const changed = await first.admin("PUT", providerPath, providerWithSecret(f.provider.issuer, "a-secret-the-provider-refuses"));
    assert.equal(changed.status, 200);
    const refused = await exchangeAtSecond();
    assert.equal(refused.body.providerError, "invalid_client", "the second instance sent the old secret");
  });

  if (withPostgres)
    test("on PostgreSQL another instance sees a changed client secret once it reads the change count again (every LOOKUP_CACHE_MS)", async (t) => {
      const { first, f, exchangeAtSecond, providerPath } = await twoInstances(t, "postgres", 300);
      assert.equal((await exchangeAtSecond()).status, 200, "the second instance has the provider cached");
      const changed = await first.admin("PUT", providerPath, providerWithSecret(f.provider.issuer, "a-secret-the-provider-refuses"));
      assert.equal(changed.status, 200);
      const deadline = Date.now() + 3_000;
      let refused = await exchangeAtSecond();
      while (refused.status === 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        refused = await exchangeAtSecond();
      }
      assert.equal(refused.body.providerError, "invalid_client", "the second instance still sent the old secret after 3 s");
    });
});

describe("on SQLite the sign-in's user reads are remembered only while nothing stored changed", () => {
  test("a user disabled through one instance is refused at once by another that remembered them", async (t) => {
    const { first, f, exchangeAtSecond } = await twoInstances(t, "sqlite");
    assert.equal((await exchangeAtSecond()).status, 200, "alice signs in (and is remembered) at the second instance");
    assert.equal((await exchangeAtSecond()).status, 200);
    const users = await first.admin<{ id: string }[]>("GET", `/api/v1/orgs/${f.orgId}/users?email=${alice.email}`);
    const id = users.body[0]!.id;
    const disabled = await first.admin("PATCH", `/api/v1/orgs/${f.orgId}/users/${id}`, { status: "disabled" });
    assert.ok(disabled.status < 300, disabled.text);
    const refused = await exchangeAtSecond();
    assert.equal(refused.body.error, "USER_DISABLED", refused.text);
  });
});
