import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { describe, test } from "node:test";
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import { startJsonServer } from "../support/faulty-servers.ts";
import { startService } from "../support/service.ts";
import { REDIRECT_URI } from "../support/sign-in-fixture.ts";

/**
 * A purpose-built provider that answers the token request with an ID token we forge, to show
 * each ID-token rule is enforced: one negative test per rule (OIDC Core §3.1.3.7).
 */
async function forgingProvider(
  t: TestContext,
  forge: (issuer: string, sign: (claims: Record<string, unknown>, key?: CryptoKey, kid?: string) => Promise<string>) => Promise<string>,
) {
  const published = await generateKeyPair("RS256");
  const publishedJwk = { ...(await exportJWK(published.publicKey)), kid: "published", alg: "RS256", use: "sig" };
  let issuer = "";
  const server = await startJsonServer(async (req) => {
    if (req.url === "/.well-known/openid-configuration") {
      return {
        status: 200,
        body: {
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          userinfo_endpoint: `${issuer}/me`,
          id_token_signing_alg_values_supported: ["RS256"],
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
        },
      };
    }
    if (req.url === "/jwks") return { status: 200, body: { keys: [publishedJwk] } };
    if (req.url === "/token") {
      const idToken = await forge(issuer, (claims, key = published.privateKey, kid = "published") =>
        new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid }).sign(key),
      );
      return { status: 200, body: { access_token: "at-123", token_type: "Bearer", expires_in: 60, id_token: idToken } };
    }
    return { status: 404, body: { error: "not_found" } };
  });
  issuer = server.url;
  t.after(() => server.close());
  const service = await startService(t);
  const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Forge", domains: ["forge.test"] });
  await service.admin("PUT", `/api/v1/orgs/${org.body.id}/oauth-providers/forge`, {
    clientId: "app",
    clientSecret: "secret-value",
    issuer,
    redirectUris: [REDIRECT_URI],
    enableJit: true,
  });
  return service.request("POST", "/userAccount/oauth/exchange", {
    code: "c",
    email: "eve@forge.test",
    provider: "forge",
    redirectUri: REDIRECT_URI,
  });
}

const now = () => Math.floor(Date.now() / 1000);
const good = (issuer: string) => ({
  iss: issuer,
  aud: "app",
  sub: "eve",
  email: "eve@forge.test",
  email_verified: true,
  iat: now(),
  exp: now() + 300,
});

describe("ID tokens are validated: signature against the provider's JWKS, then every claim", () => {
  test("a correctly signed token with the right claims is accepted (control)", async (t) => {
    const response = await forgingProvider(t, (iss, sign) => sign(good(iss)));
    assert.equal(response.status, 200, response.text);
  });

  test("signed by a key the provider does not publish → 401 INVALID_ID_TOKEN", async (t) => {
    const rogue = await generateKeyPair("RS256");
    const response = await forgingProvider(t, (iss, sign) => sign(good(iss), rogue.privateKey, "published"));
    assert.equal(response.status, 401, response.text);
    assert.equal((response.body as { error: string }).error, "INVALID_ID_TOKEN");
  });

  test("an unknown key id → 401 INVALID_ID_TOKEN", async (t) => {
    const rogue = await generateKeyPair("RS256");
    const response = await forgingProvider(t, (iss, sign) => sign(good(iss), rogue.privateKey, "rogue"));
    assert.equal((response.body as { error: string }).error, "INVALID_ID_TOKEN", response.text);
  });

  const claimCases: [string, (iss: string) => Record<string, unknown>][] = [
    ["another issuer", (iss) => ({ ...good(iss), iss: "https://evil.example" })],
    ["another audience", (iss) => ({ ...good(iss), aud: "someone-else" })],
    ["expired", (iss) => ({ ...good(iss), iat: now() - 7200, exp: now() - 3600 })],
    ["a nonce nobody asked for", (iss) => ({ ...good(iss), nonce: "injected" })],
  ];
  const without = (claim: string) => (iss: string) => Object.fromEntries(Object.entries(good(iss)).filter(([k]) => k !== claim));
  claimCases.push(
    ["without sub", without("sub")],
    ["without iat", without("iat")],
    ["without exp", without("exp")],
    ["issued in the future beyond the clock tolerance", (iss) => ({ ...good(iss), iat: now() + 600, exp: now() + 900 })],
  );
  for (const [name, claims] of claimCases) {
    test(`${name} → 401 INVALID_ID_TOKEN`, async (t) => {
      const response = await forgingProvider(t, (iss, sign) => sign(claims(iss)));
      assert.equal(response.status, 401, response.text);
      assert.equal((response.body as { error: string }).error, "INVALID_ID_TOKEN");
    });
  }
});

describe("ID tokens signed with an algorithm the provider does not announce are invalid ID tokens, not provider errors", () => {
  const cases: [string, (iss: string) => Promise<string>][] = [
    ['alg "none"', async (iss) => new UnsecuredJWT(good(iss)).encode()],
    [
      "HS256 keyed with the client secret",
      (iss) => new SignJWT(good(iss)).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode("secret-value")),
    ],
    [
      "HS256 keyed with anything else",
      (iss) => new SignJWT(good(iss)).setProtectedHeader({ alg: "HS256", kid: "published" }).sign(new TextEncoder().encode("x".repeat(32))),
    ],
    [
      "ES256, which the provider does not announce",
      async (iss) =>
        new SignJWT(good(iss)).setProtectedHeader({ alg: "ES256", kid: "published" }).sign((await generateKeyPair("ES256")).privateKey),
    ],
  ];
  for (const [name, forge] of cases) {
    test(`${name} → 401 INVALID_ID_TOKEN`, async (t) => {
      const response = await forgingProvider(t, (iss) => forge(iss));
      assert.equal(response.status, 401, response.text);
      assert.equal((response.body as { error: string }).error, "INVALID_ID_TOKEN");
    });
  }
});

describe("ID tokens presented to authenticate", () => {
  test("with several audiences, the authorized party (azp) must be us: another client's token that lists us too → 401 INVALID_ID_TOKEN", async (t) => {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    let issuer = "";
    const server = await startJsonServer((req) => {
      if (req.url === "/.well-known/openid-configuration") {
        return {
          status: 200,
          body: {
            issuer,
            authorization_endpoint: `${issuer}/auth`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: `${issuer}/jwks`,
            id_token_signing_alg_values_supported: ["RS256"],
            response_types_supported: ["code"],
            subject_types_supported: ["public"],
          },
        };
      }
      if (req.url === "/jwks") return { status: 200, body: { keys: [jwk] } };
      return { status: 404, body: { error: "not_found" } };
    });
    issuer = server.url;
    t.after(() => server.close());
    const service = await startService(t);
    const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Forge", domains: ["forge.test"] });
    await service.admin("PUT", `/api/v1/orgs/${org.body.id}/oauth-providers/forge`, {
      clientId: "app",
      clientSecret: "secret-value",
      issuer,
      redirectUris: [REDIRECT_URI],
      enableJit: true,
    });
    const present = async (claims: Record<string, unknown>) => {
      const init = await service.request("POST", "/userAccount/initAuth", { email: "eve@forge.test" });
      const idToken = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "k1" }).sign(privateKey);
      return service.request(
        "POST",
        "/userAccount/authenticate",
        { method: "oauth", provider: "forge", credentials: { accessToken: "at-1", idToken } },
        { "x-session-token": init.headers.get("x-session-token")! },
      );
    };
    for (const claims of [{ aud: ["other-app", "app"], azp: "other-app" }, { aud: ["other-app", "app"] }]) {
      const response = await present({ ...good(issuer), ...claims });
      assert.equal(response.status, 401, response.text);
      assert.equal((response.body as { error: string }).error, "INVALID_ID_TOKEN");
    }
    const ours = await present({ ...good(issuer), aud: ["app", "other-app"], azp: "app" });
    assert.equal(ours.status, 200, `issued to us (control): ${ours.text}`);
  });
});
