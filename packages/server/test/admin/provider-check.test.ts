import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { describe, test } from "node:test";
import { startJsonServer } from "../support/faulty-servers.ts";
import { assertAuthError, startService } from "../support/service.ts";
import { REDIRECT_URI } from "../support/sign-in-fixture.ts";

/** A provider whose discovery and key set answer what `answers` says. */
async function providerAnswering(t: TestContext, answers: { discovery: number; jwks: { status: number; body: unknown } }) {
  let issuer = "";
  const server = await startJsonServer((req) => {
    if (req.url === "/.well-known/openid-configuration") {
      if (answers.discovery !== 200) return { status: answers.discovery, body: { error: "not_found" } };
      return {
        status: 200,
        body: {
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
        },
      };
    }
    if (req.url === "/jwks") return answers.jwks;
    return { status: 404, body: {} };
  });
  issuer = server.url;
  t.after(() => server.close());
  const service = await startService(t);
  const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Check", domains: ["check.test"] });
  const put = await service.admin("PUT", `/api/v1/orgs/${org.body.id}/oauth-providers/idp`, {
    clientId: "app",
    clientSecret: "secret-value",
    issuer,
    redirectUris: [REDIRECT_URI],
  });
  assert.equal(put.status, 201, put.text);
  return service.admin("POST", `/api/v1/orgs/${org.body.id}/oauth-providers/idp/test`);
}

describe("the admin provider test names what fails", () => {
  test("a key set that answers 404 is 502 JWKS_UNAVAILABLE, not INVALID_ID_TOKEN", async (t) => {
    assertAuthError(
      await providerAnswering(t, { discovery: 200, jwks: { status: 404, body: { error: "not_found" } } }),
      502,
      "JWKS_UNAVAILABLE",
    );
  });

  test("a key set that is not a JWKS is 502 JWKS_UNAVAILABLE", async (t) => {
    assertAuthError(await providerAnswering(t, { discovery: 200, jwks: { status: 200, body: { keys: "nope" } } }), 502, "JWKS_UNAVAILABLE");
  });

  test("discovery that answers 404 is a provider failure (502), never an ID-token one", async (t) => {
    const response = await providerAnswering(t, { discovery: 404, jwks: { status: 200, body: { keys: [] } } });
    assert.equal(response.status, 502, response.text);
    assert.notEqual((response.body as { error: string }).error, "INVALID_ID_TOKEN");
  });

  test("a working provider passes (control)", async (t) => {
    const response = await providerAnswering(t, { discovery: 200, jwks: { status: 200, body: { keys: [] } } });
    assert.equal(response.status, 200, response.text);
  });
});
