import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { identityLinksSurvive } from "../../src/admin/providers.ts";
import type { ProviderSettings } from "../../src/domain/provider-settings.ts";

const base: ProviderSettings = {
  providerName: "corp",
  clientId: "app",
  issuer: "https://idp.example",
  scope: "openid email profile",
  tokenEndpointAuthMethod: "client_secret_basic",
  redirectUris: ["https://app.example/callback"],
  enableJit: false,
  trustEmail: false,
  requirePkce: false,
};

describe("admin/providers: when replacing a provider drops its identity links", () => {
  test("links survive changes that keep subjects meaning the same accounts", () => {
    assert.equal(
      identityLinksSurvive(base, {
        ...base,
        clientId: "another-client",
        scope: "openid email",
        enableJit: true,
        redirectUris: ["https://app.example/other"],
      }),
      true,
    );
    assert.equal(
      identityLinksSurvive({ ...base, subjectClaim: undefined }, { ...base, subjectClaim: "sub" }),
      true,
      "settings stored before subjectClaim existed mean sub",
    );
  });

  test("another issuer, another plain-OAuth token endpoint, or another subject claim drops them", () => {
    assert.equal(identityLinksSurvive(base, { ...base, issuer: "https://other-idp.example" }), false);
    const plain = { ...base, issuer: undefined, tokenEndpoint: "https://github.com/login/oauth/access_token" };
    assert.equal(identityLinksSurvive(plain, { ...plain, tokenEndpoint: "https://ghe.example/login/oauth/access_token" }), false);
    assert.equal(identityLinksSurvive(base, { ...base, subjectClaim: "oid" }), false);
  });
});
