import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import type { ProviderSettings } from "../../src/domain/provider-settings.ts";
import { createSecretBox } from "../../src/keys/secret-box.ts";
import { openDatabase } from "../../src/store/database.ts";
import { secretBinding } from "../../src/store/migrations/0013-secret-binding.ts";
import { createStore } from "../../src/store/store.ts";
import { freshDatabase } from "../support/fresh-database.ts";
import { assertAuthError, type RunningService, startService } from "../support/service.ts";
import { alice, CLIENT_SECRET, doctor, REDIRECT_URI, signIn, signInFixture, type SignInFixture } from "../support/sign-in-fixture.ts";
import { type SplitOriginProvider, startSplitOriginProvider } from "../support/split-origin-provider.ts";

const CLIENT_ID = "pipeshub-app";
const OTHER_SECRET = "0ther-Host-Secret-Value-91ad3";
const NEXT_SECRET = "n3xt-Client-Secret-Value-7c1d0";
const engines = process.env.TEST_DATABASE_URL ? (["SQLite", "PostgreSQL"] as const) : (["SQLite"] as const);

/** A second host: a provider on two other loopback origins that records every credential it is sent. */
async function otherHost(t: TestContext, clientSecret = OTHER_SECRET): Promise<SplitOriginProvider> {
  const host = await startSplitOriginProvider({ clientId: CLIENT_ID, clientSecret });
  t.after(() => host.close());
  return host;
}

const providerPath = (orgId: string, name = "acme-idp") => `/api/v1/orgs/${orgId}/oauth-providers/${name}`;

/** PUTs acme-idp's settings: the fixture's, with `changes`. */
function save(f: SignInFixture, changes: Record<string, unknown>) {
  return f.service.admin<Record<string, unknown>>("PUT", providerPath(f.orgId), {
    clientId: CLIENT_ID,
    issuer: f.provider.issuer,
    redirectUris: [REDIRECT_URI],
    enableJit: true,
    ...changes,
  });
}

/** Every way an admin or a person makes the service talk to the provider with its secret: doctor, test, test sign-in, sign-in. */
async function useEveryPath(f: SignInFixture): Promise<void> {
  await doctor(f);
  await f.service.admin("POST", `${providerPath(f.orgId)}/test`);
  const started = await f.service.admin<{ authorizationUrl: string; state: string }>("POST", `${providerPath(f.orgId)}/test-signin`, {});
  if (started.status === 200) {
    const callback = await f.provider.authorize({
      authorizationUrl: started.body.authorizationUrl,
      login: alice.sub,
      clientId: "",
      redirectUri: "",
    });
    if ("code" in callback)
      await f.service.admin("POST", "/api/v1/test-signins/complete", { state: started.body.state, code: callback.code });
  }
  await signIn(f, alice);
}

/** initAuth → authorize → the split provider's sign-in → exchange → authenticate, for provider `name`. */
async function signInThrough(service: RunningService, provider: SplitOriginProvider, name: string): Promise<string> {
  const init = await service.request("POST", "/userAccount/initAuth", { email: alice.email });
  const session = init.headers.get("x-session-token")!;
  const query = new URLSearchParams({ provider: name, email: alice.email, redirectUri: REDIRECT_URI });
  const started = await service.request<{ authorizationUrl: string }>("GET", `/userAccount/oauth/authorize?${query}`, undefined, {
    "x-session-token": session,
  });
  assert.equal(started.status, 200, started.text);
  const { code, state } = provider.authorize(started.body.authorizationUrl, alice);
  const exchanged = await service.request<{ access_token: string; id_token: string }>(
    "POST",
    "/userAccount/oauth/exchange",
    { provider: name, redirectUri: REDIRECT_URI, code, state, email: alice.email },
    { "x-session-token": session },
  );
  assert.equal(exchanged.status, 200, exchanged.text);
  const final = await service.request<{ accessToken: string }>(
    "POST",
    "/userAccount/authenticate",
    { method: "oauth", credentials: { accessToken: exchanged.body.access_token, idToken: exchanged.body.id_token } },
    { "x-session-token": session },
  );
  assert.equal(final.status, 200, final.text);
  return final.body.accessToken;
}

describe("a stored client secret goes only to the token endpoint origin it was given for", () => {
  for (const engine of engines) {
    test(`a changed issuer, a token endpoint on another origin or a changed clientId without a new clientSecret is 400 naming clientSecret, and the other host never receives the secret (${engine})`, async (t) => {
      const config = engine === "PostgreSQL" ? { database: await freshDatabase(t, "postgres") } : {};
      const f = await signInFixture(t, { config });
      const other = await otherHost(t);

      const movedIssuer = assertAuthError(await save(f, { issuer: other.issuer }), 400, "INVALID_PROVIDER_SETTINGS");
      assert.match(
        movedIssuer.message,
        /^clientSecret is required: the token endpoint moves from http:\/\/127\.0\.0\.1:\d+ to http:\/\/127\.0\.0\.1:\d+/,
      );
      const movedEndpoint = await save(f, {
        authorizationUrl: `${f.provider.issuer}/auth`,
        tokenEndpoint: other.tokenEndpoint,
        jwksUri: `${f.provider.issuer}/jwks`,
      });
      assert.match(assertAuthError(movedEndpoint, 400, "INVALID_PROVIDER_SETTINGS").message, /^clientSecret is required/);
      const otherClient = assertAuthError(await save(f, { clientId: "another-client" }), 400, "INVALID_PROVIDER_SETTINGS");
      assert.match(otherClient.message, /^clientSecret is required: clientId changes/);

      const stored = await f.service.admin<Record<string, unknown>>("GET", providerPath(f.orgId));
      assert.equal(stored.body.issuer, f.provider.issuer, "nothing of a refused save is stored");
      assert.equal(stored.body.clientId, CLIENT_ID);
      await useEveryPath(f);
      assert.deepEqual(other.credentialsReceived, [], "the other host never saw the secret");
    });

    test(`with a stored nextClientSecret, moving the issuer with a new clientSecret only is 400 naming nextClientSecret; with both it saves and signs in there (${engine})`, async (t) => {
      const config = engine === "PostgreSQL" ? { database: await freshDatabase(t, "postgres") } : {};
      const f = await signInFixture(t, { config });
      assert.equal((await save(f, { nextClientSecret: NEXT_SECRET })).status, 200);
      const other = await otherHost(t);
      const secretOnly = await save(f, { issuer: other.issuer, clientSecret: OTHER_SECRET });
      assert.match(assertAuthError(secretOnly, 400, "INVALID_PROVIDER_SETTINGS").message, /^nextClientSecret is required/);
      const nextOnly = await save(f, { issuer: other.issuer, nextClientSecret: OTHER_SECRET });
      assert.match(assertAuthError(nextOnly, 400, "INVALID_PROVIDER_SETTINGS").message, /^clientSecret is required/);
      assert.deepEqual([...other.credentialsReceived], []);

      const moved = await save(f, { issuer: other.issuer, clientSecret: OTHER_SECRET, nextClientSecret: `${OTHER_SECRET}-next` });
      assert.equal(moved.status, 200, moved.text);
      await signInThrough(f.service, other, "acme-idp");
      assert.ok(other.credentialsReceived.length > 0);
      assert.ok(
        other.credentialsReceived.every((c) => !c.includes(CLIENT_SECRET) && !c.includes(NEXT_SECRET)),
        "never the first host's secrets",
      );
    });
  }

  test("same-origin edits keep the secret: a scope change, explicit endpoints on the same origin, a token endpoint path change", async (t) => {
    const f = await signInFixture(t);
    const scope = await save(f, { scope: "openid email" });
    assert.equal(scope.status, 200, scope.text);
    assert.equal(scope.body.clientSecretSet, true);
    await signIn(f, alice);

    const explicit = {
      authorizationUrl: `${f.provider.issuer}/auth`,
      tokenEndpoint: `${f.provider.issuer}/token`,
      jwksUri: `${f.provider.issuer}/jwks`,
    };
    assert.equal((await save(f, explicit)).status, 200, "from discovery to the same origin's explicit endpoints");
    await signIn(f, alice);
    const otherPath = await save(f, { ...explicit, tokenEndpoint: `${f.provider.issuer}/oauth2/token` });
    assert.equal(otherPath.status, 200, otherPath.text);
    assert.equal(otherPath.body.clientSecretSet, true);
    assert.equal((await save(f, explicit)).status, 200, "and back, still without the secret");
    await signIn(f, alice);
  });

  test("a new clientSecret with a new issuer saves (rebinding it there) and signs in there", async (t) => {
    const f = await signInFixture(t);
    const other = await otherHost(t);
    const moved = await save(f, { issuer: other.issuer, clientSecret: OTHER_SECRET });
    assert.equal(moved.status, 200, moved.text);
    await signInThrough(f.service, other, "acme-idp");
    assert.deepEqual(
      new Set(other.credentialsReceived),
      new Set([`${CLIENT_ID}:${OTHER_SECRET}`]),
      "only the new secret, only at the token endpoint",
    );
    // Moving back now needs the first secret again: the stored one was given for the other host.
    assert.match(assertAuthError(await save(f, {}), 400, "INVALID_PROVIDER_SETTINGS").message, /^clientSecret is required/);
  });

  test("a provider whose discovery names its token endpoint on another origin than its issuer (as Google's) saves, signs in and keeps its secret on edits", async (t) => {
    const service = await startService(t);
    const split = await otherHost(t);
    assert.notEqual(new URL(split.tokenEndpoint).origin, new URL(split.issuer).origin);
    const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
    const settings = { clientId: CLIENT_ID, issuer: split.issuer, redirectUris: [REDIRECT_URI], enableJit: true };
    const created = await service.admin("PUT", providerPath(org.body.id, "google-like"), { ...settings, clientSecret: OTHER_SECRET });
    assert.equal(created.status, 201, created.text);
    await signInThrough(service, split, "google-like");
    const edited = await service.admin("PUT", providerPath(org.body.id, "google-like"), { ...settings, scope: "openid email" });
    assert.equal(edited.status, 200, edited.text);
    await signInThrough(service, split, "google-like");
  });

  test("a provider whose discovery is down when saved is bound to its issuer, and a later move still needs the secret", async (t) => {
    const service = await startService(t);
    const split = await otherHost(t);
    split.setDiscovery("down");
    const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
    const settings = { clientId: CLIENT_ID, issuer: split.issuer, redirectUris: [REDIRECT_URI] };
    const created = await service.admin("PUT", providerPath(org.body.id, "briefly-down"), { ...settings, clientSecret: OTHER_SECRET });
    assert.equal(created.status, 201, created.text);
    const row = await service.app.store.db.selectFrom("providers").select("client_secret_binding").executeTakeFirstOrThrow();
    assert.equal(row.client_secret_binding, `issuer ${split.issuer}`);
    assert.equal((await service.admin("PUT", providerPath(org.body.id, "briefly-down"), { ...settings, scope: "openid" })).status, 200);
    const other = await otherHost(t);
    const moved = await service.admin("PUT", providerPath(org.body.id, "briefly-down"), { ...settings, issuer: other.issuer });
    assert.match(assertAuthError(moved, 400, "INVALID_PROVIDER_SETTINGS").message, /^clientSecret is required/);
  });
});

describe("no path sends a stored secret to another origin than its own", () => {
  test("settings moved in storage behind the admin API's back (an older instance, a bug): sign-in, test sign-in, the doctor and the rotation fallback refuse without sending", async (t) => {
    const f = await signInFixture(t, { config: { lookupCacheMs: 0 } });
    assert.equal((await save(f, { nextClientSecret: NEXT_SECRET })).status, 200);
    const other = await otherHost(t);
    const row = await f.service.app.store.db.selectFrom("providers").select(["id", "settings"]).executeTakeFirstOrThrow();
    const moved = JSON.stringify({ ...JSON.parse(row.settings), issuer: other.issuer });
    await f.service.app.store.db.updateTable("providers").set({ settings: moved }).where("id", "=", row.id).execute();

    const query = new URLSearchParams({ provider: "acme-idp", email: alice.email, redirectUri: REDIRECT_URI });
    const init = await f.service.request("POST", "/userAccount/initAuth", { email: alice.email });
    const authorize = await f.service.request("GET", `/userAccount/oauth/authorize?${query}`, undefined, {
      "x-session-token": init.headers.get("x-session-token")!,
    });
    assert.match(assertAuthError(authorize, 400, "INVALID_PROVIDER_SETTINGS").message, /is not sent there/);
    const exchange = await f.exchange({ code: "a-code-from-anywhere", email: alice.email });
    assertAuthError(exchange, 400, "INVALID_PROVIDER_SETTINGS");
    const testSignIn = await f.service.admin("POST", `${providerPath(f.orgId)}/test-signin`, {});
    assertAuthError(testSignIn, 400, "INVALID_PROVIDER_SETTINGS");
    const credentials = (await doctor(f)).find((finding) => finding.check === "client-credentials")!;
    assert.equal(credentials.status, "fail");
    assert.match(credentials.message, /is not sent there/);
    assert.match(credentials.fix!, /clientSecret/);
    assert.deepEqual(other.credentialsReceived, [], "neither the secret nor the next one reached the other host");
  });

  test("an issuer whose discovery moves its token endpoint to another origin: the doctor does not send the secret there", async (t) => {
    const service = await startService(t);
    const split = await otherHost(t);
    const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
    const put = await service.admin("PUT", providerPath(org.body.id, "moving"), {
      clientId: CLIENT_ID,
      clientSecret: OTHER_SECRET,
      issuer: split.issuer,
      redirectUris: [REDIRECT_URI],
    });
    assert.equal(put.status, 201, put.text);
    const elsewhere = await otherHost(t, "whatever");
    split.setDiscovery(elsewhere.tokenEndpoint);
    const findings = await service.admin<{ findings: { check: string; status: string; message: string }[] }>(
      "POST",
      `${providerPath(org.body.id, "moving")}/doctor`,
    );
    const credentials = findings.body.findings.find((finding) => finding.check === "client-credentials")!;
    assert.equal(credentials.status, "fail", JSON.stringify(credentials));
    assert.match(credentials.message, /is not sent there/);
    assert.deepEqual(elsewhere.credentialsReceived, []);
  });
});

describe("the provider store keeps a kept secret where it was bound, whoever writes", () => {
  for (const engine of engines) {
    test(`a write that keeps a stored secret for another binding or client id is refused in its transaction, naming the secret (${engine})`, async (t) => {
      const db = await openDatabase(await freshDatabase(t, engine === "PostgreSQL" ? "postgres" : "sqlite"));
      t.after(() => db.destroy());
      const s = createStore(db, createSecretBox(Buffer.alloc(32, 3)));
      const org = await s.organisations.create("Acme", []);
      const settings: ProviderSettings = {
        providerName: "corp",
        clientId: "app",
        issuer: "https://idp.example",
        scope: "openid",
        tokenEndpointAuthMethod: "client_secret_basic",
        redirectUris: ["https://app.example/callback"],
        enableJit: false,
        trustEmail: false,
        requirePkce: false,
      };
      const keep = { identityLinksSurvive: () => true };
      const home = { origin: "https://token.idp.example" };
      assert.ok((await s.providers.put(org.id, settings, "secret", { ...keep, secretBinding: home }, "next")).ok);
      const elsewhere = { ...keep, secretBinding: { origin: "https://evil.example" } };
      const moved = await s.providers.put(org.id, { ...settings, issuer: "https://evil.example" }, undefined, elsewhere);
      assert.match(
        moved.ok ? "saved" : moved.message,
        /^clientSecret is required: the token endpoint moves from https:\/\/token\.idp\.example/,
      );
      const nextKept = await s.providers.put(org.id, { ...settings, issuer: "https://evil.example" }, "new", elsewhere);
      assert.match(nextKept.ok ? "saved" : nextKept.message, /^nextClientSecret is required/);
      const otherClient = await s.providers.put(org.id, { ...settings, clientId: "other" }, undefined, { ...keep, secretBinding: home });
      assert.match(otherClient.ok ? "saved" : otherClient.message, /^clientSecret is required: clientId changes/);
      assert.deepEqual((await s.providers.configured(org.id, "corp"))?.secretBinding, home, "nothing refused was written");
      assert.ok((await s.providers.put(org.id, { ...settings, scope: "openid email" }, undefined, { ...keep, secretBinding: home })).ok);
      assert.ok((await s.providers.put(org.id, { ...settings, issuer: "https://evil.example" }, "new", elsewhere, "new-next")).ok);
      assert.deepEqual((await s.providers.configured(org.id, "corp"))?.secretBinding, elsewhere.secretBinding, "new secrets rebind");
    });
  }
});

describe("providers stored before secrets were bound", () => {
  for (const engine of engines) {
    test(`migration 0013 binds each stored secret to what the provider's settings say (${engine})`, async (t) => {
      const database = engine === "PostgreSQL" ? await freshDatabase(t, "postgres") : undefined;
      const service = await startService(t, database ? { database } : {});
      const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
      const base = { clientId: CLIENT_ID, clientSecret: OTHER_SECRET, redirectUris: [REDIRECT_URI] };
      await service.admin("PUT", providerPath(org.body.id, "by-issuer"), { ...base, issuer: "https://idp.example" });
      await service.admin("PUT", providerPath(org.body.id, "by-endpoints"), {
        ...base,
        authorizationUrl: "https://github.example/login/oauth/authorize",
        tokenEndpoint: "https://github.example:8443/login/oauth/access_token",
        userInfoEndpoint: "https://api.github.example/user",
      });
      const db = service.app.store.db;
      await db.schema.alterTable("providers").dropColumn("client_secret_binding").execute();
      await secretBinding.up(db as never);
      const rows = await db.selectFrom("providers").select(["name", "client_secret_binding"]).orderBy("name").execute();
      assert.deepEqual(
        rows.map((r) => ({ ...r })),
        [
          { name: "by-endpoints", client_secret_binding: "https://github.example:8443" },
          { name: "by-issuer", client_secret_binding: "issuer https://idp.example" },
        ],
      );
    });
  }
});
