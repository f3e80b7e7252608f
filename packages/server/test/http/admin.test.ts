import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { startService } from "../support/service.ts";
import { REDIRECT_URI } from "../support/sign-in-fixture.ts";

const provider = { clientId: "app", clientSecret: "a-secret-value", issuer: "https://idp.example.com", redirectUris: [REDIRECT_URI] };

describe("admin API", () => {
  test("refuses requests without the admin token (401 AuthError)", async (t) => {
    const service = await startService(t);
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer wrong-token-wrong-token" }, { authorization: "Basic abc" }];
    for (const headers of attempts) {
      const response = await service.request("GET", "/api/v1/orgs", undefined, headers);
      assert.equal(response.status, 401);
      assert.equal((response.body as { error: string }).error, "UNAUTHORIZED");
    }
  });

  test("organisations: create, read; a domain belongs to one organisation", async (t) => {
    const service = await startService(t);
    const created = await service.admin<{ id: string; domains: string[] }>("POST", "/api/v1/orgs", {
      name: "Acme",
      domains: ["Acme.test"],
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.domains, ["acme.test"]);
    assert.equal((await service.admin("GET", `/api/v1/orgs/${created.body.id}`)).status, 200);
    assert.equal((await service.admin<{ error: string }>("GET", "/api/v1/orgs/nope")).body.error, "ORG_NOT_FOUND");
    const clash = await service.admin<{ error: string }>("POST", "/api/v1/orgs", { name: "Copy", domains: ["acme.test"] });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.error, "CONFLICT");
  });

  test("providers: create, replace (keeping the secret), list, read, delete; the secret is never returned", async (t) => {
    const service = await startService(t);
    const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme" });
    const path = `/api/v1/orgs/${org.body.id}/oauth-providers/okta`;
    const created = await service.admin<Record<string, unknown>>("PUT", path, provider);
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.clientSecretSet, true);
    assert.equal(created.body.clientSecret, undefined);
    assert.equal(created.body.tokenEndpointAuthMethod, "client_secret_basic");
    assert.equal(created.body.scope, "openid email profile");
    const { clientSecret: _omitted, ...withoutSecret } = provider;
    const replaced = await service.admin<Record<string, unknown>>("PUT", path, { ...withoutSecret, enableJit: true });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.clientSecretSet, true);
    assert.equal(replaced.body.enableJit, true);
    const opened = await service.app.store.providers.configured(org.body.id, "okta");
    assert.equal(opened?.clientSecret, "a-secret-value");
    assert.equal((await service.admin<unknown[]>("GET", `/api/v1/orgs/${org.body.id}/oauth-providers`)).body.length, 1);
    assert.equal((await service.admin("DELETE", path)).status, 204);
    assert.equal((await service.admin("GET", path)).status, 404);
    assert.equal((await service.admin("DELETE", path)).status, 404);
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ["no redirect URI", { ...provider, redirectUris: [] }, /redirect URI/],
    ["neither issuer nor endpoints", { ...provider, issuer: undefined }, /issuer/],
    [
      "endpoints without userinfo",
      { ...provider, issuer: undefined, authorizationUrl: "https://x.example/a", tokenEndpoint: "https://x.example/t" },
      /userInfoEndpoint/,
    ],
    ["a plain-http provider off loopback", { ...provider, issuer: "http://idp.example.com" }, /https/],
    ["a redirect URI with a fragment", { ...provider, redirectUris: ["https://app.example/cb#x"] }, /fragment/],
    ["a plain-http redirect URI off localhost", { ...provider, redirectUris: ["http://app.example/cb"] }, /https/],
    ["no secret on create", { ...provider, clientSecret: undefined }, /clientSecret/],
    ["a name in the body that differs from the path", { ...provider, providerName: "other" }, /providerName/],
  ];
  for (const [name, body, message] of invalid) {
    test(`provider settings are validated on write: ${name} → 400 INVALID_PROVIDER_SETTINGS`, async (t) => {
      const service = await startService(t);
      const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme" });
      const response = await service.admin<{ error: string; message: string }>(
        "PUT",
        `/api/v1/orgs/${org.body.id}/oauth-providers/okta`,
        body,
      );
      assert.equal(response.status, 400, response.text);
      assert.equal(response.body.error, "INVALID_PROVIDER_SETTINGS");
      assert.match(response.body.message, message);
    });
  }

  test("users: add (email unique per organisation, case-insensitively) and find by email", async (t) => {
    const service = await startService(t);
    const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme" });
    assert.equal(
      (await service.admin("POST", `/api/v1/orgs/${org.body.id}/users`, { email: "Ann@acme.test", fullName: "Ann" })).status,
      201,
    );
    assert.equal((await service.admin("POST", `/api/v1/orgs/${org.body.id}/users`, { email: "ann@ACME.test" })).status, 409);
    const found = await service.admin<{ email: string }[]>("GET", `/api/v1/orgs/${org.body.id}/users?email=ANN@acme.test`);
    assert.deepEqual(
      found.body.map((u) => u.email),
      ["Ann@acme.test"],
    );
  });

  test("PipesHub's /configurationManager/authConfig/oauth reads and writes a provider in the contract's shape", async (t) => {
    const service = await startService(t);
    await service.admin("POST", "/api/v1/orgs", { name: "Only" });
    const { redirectUris: _r, ...rest } = provider;
    const saved = await service.admin<Record<string, unknown>>("POST", "/configurationManager/authConfig/oauth", {
      ...rest,
      providerName: "corp",
      redirectUri: REDIRECT_URI,
      scope: "openid email",
    });
    assert.equal(saved.status, 200, saved.text);
    const read = await service.admin<Record<string, unknown>>("GET", "/configurationManager/authConfig/oauth?providerName=corp");
    assert.equal(read.status, 200);
    assert.equal(read.body.providerName, "corp");
    assert.equal(read.body.redirectUri, REDIRECT_URI);
    assert.equal(read.body.scope, "openid email");
    assert.equal(read.body.clientSecret, undefined);
    assert.equal((await service.request("GET", "/configurationManager/authConfig/oauth")).status, 401);
  });
});
