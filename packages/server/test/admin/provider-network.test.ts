import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseProviderNetworkAllowList } from "../../src/domain/provider-network.ts";
import { assertAuthError, startService } from "../support/service.ts";

const settings = { clientId: "c", clientSecret: "s3cret-value-0123", redirectUris: ["https://app.example/cb"] };

describe("saving a provider at a private address", () => {
  test("literal private, link-local and loopback hosts and localhost are refused with 400 INVALID_PROVIDER_SETTINGS", async (t) => {
    const service = await startService(t, { allowInsecureLoopbackProviders: false });
    const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
    for (const issuer of [
      "https://169.254.169.254",
      "https://10.0.0.1/realms/x",
      "https://[fd00::1]",
      "https://127.0.0.1:8443",
      "https://localhost",
      "https://[::ffff:169.254.169.254]",
    ]) {
      const put = await service.admin("PUT", `/api/v1/orgs/${org.body.id}/oauth-providers/idp`, { ...settings, issuer });
      const body = assertAuthError(put, 400, "INVALID_PROVIDER_SETTINGS");
      assert.match(body.message, /issuer must not point at a private/, issuer);
    }
    const explicit = await service.admin("PUT", `/api/v1/orgs/${org.body.id}/oauth-providers/idp`, {
      ...settings,
      authorizationUrl: "https://idp.example/auth",
      tokenEndpoint: "https://192.168.0.10/token",
      userInfoEndpoint: "https://idp.example/me",
    });
    assert.match(assertAuthError(explicit, 400, "INVALID_PROVIDER_SETTINGS").message, /tokenEndpoint must not point at a private/);
    const publicHost = await service.admin("PUT", `/api/v1/orgs/${org.body.id}/oauth-providers/idp`, {
      ...settings,
      issuer: "https://idp.example",
    });
    assert.equal(publicHost.status, 201, publicHost.text);
  });

  test("PROVIDER_NETWORK_ALLOW lets the operator's private range and named host through", async (t) => {
    const allow = parseProviderNetworkAllowList("10.0.0.0/8,localhost");
    assert.ok(allow.ok);
    const service = await startService(t, { allowInsecureLoopbackProviders: false, providerNetworkAllow: allow.value });
    const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
    for (const [name, issuer] of [
      ["a", "https://10.1.2.3"],
      ["b", "https://localhost:8443"],
    ]) {
      const put = await service.admin("PUT", `/api/v1/orgs/${org.body.id}/oauth-providers/${name}`, { ...settings, issuer });
      assert.equal(put.status, 201, put.text);
    }
    assertAuthError(
      await service.admin("PUT", `/api/v1/orgs/${org.body.id}/oauth-providers/c`, { ...settings, issuer: "https://169.254.169.254" }),
      400,
      "INVALID_PROVIDER_SETTINGS",
    );
  });
});
