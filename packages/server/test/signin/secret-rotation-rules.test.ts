/**
 * The fallback to a provider's next client secret (signin/secret-rotation.ts), against a token
 * endpoint on loopback that knows one secret: tried once more with the next secret only when the
 * provider refused the client (`invalid_client`). No service is started.
 */
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { NEXT_SECRET_USED_EVENT, redeemWithRotation } from "../../src/signin/secret-rotation.ts";
import { startJsonServer } from "../support/faulty-servers.ts";
import { memoryAuditTrail } from "../support/fakes.ts";
import { configuredProvider, connect, providerClients } from "../support/provider-connections.ts";

const CURRENT = "current-secret";
const NEXT = "next-secret";

/**
 * A token endpoint that accepts the client with `accepted` and answers any other secret with
 * `refusal` (an OAuth error code: 401 for invalid_client, 400 otherwise); it records the secrets it was sent.
 */
async function tokenEndpoint(t: TestContext, accepted: string, refusal = "invalid_client") {
  const secretsSent: string[] = [];
  const server = await startJsonServer((req) => {
    const basic = String(req.headers.authorization ?? "").replace(/^Basic /, "");
    const secret = decodeURIComponent(Buffer.from(basic, "base64").toString().split(":")[1] ?? "");
    secretsSent.push(secret);
    if (secret === accepted) return { status: 200, body: { access_token: `token-for-${secret}`, token_type: "Bearer" } };
    return { status: refusal === "invalid_client" ? 401 : 400, body: { error: refusal } };
  });
  t.after(() => server.close());
  return { url: server.url, secretsSent };
}

async function redeem(endpoint: { url: string }, nextClientSecret: string | undefined) {
  const clients = providerClients();
  const provider = {
    ...configuredProvider(
      {
        scope: "email",
        authorizationUrl: `${endpoint.url}/authorize`,
        tokenEndpoint: `${endpoint.url}/token`,
        userInfoEndpoint: `${endpoint.url}/user`,
      },
      CURRENT,
    ),
    ...(nextClientSecret !== undefined && { nextClientSecret }),
  };
  const audit = memoryAuditTrail();
  const result = await redeemWithRotation(
    { discovery: clients.discovery, audit },
    await connect(clients, provider),
    { code: "the-code", redirectUri: provider.settings.redirectUris[0]! },
    { orgId: "org-1", email: "jane@acme.test", ip: "192.0.2.1" },
  );
  return { result, audit };
}

describe("signin rules: the fallback to the next client secret", () => {
  test("a client refused as invalid_client is tried once more with the next secret, and the fallback is recorded", async (t) => {
    const endpoint = await tokenEndpoint(t, NEXT);
    const { result, audit } = await redeem(endpoint, NEXT);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.tokens.accessToken, `token-for-${NEXT}`);
    assert.equal(result.value.connection.provider.clientSecret, NEXT, "the connection that worked is answered");
    assert.deepEqual(endpoint.secretsSent, [CURRENT, NEXT]);
    assert.deepEqual(
      audit.records.map((r) => [r.event, r.outcome, r.email, r.provider, r.ip]),
      [[NEXT_SECRET_USED_EVENT, "success", "jane@acme.test", "test-idp", "192.0.2.1"]],
    );
  });

  test("the current secret accepted: no fallback, nothing recorded", async (t) => {
    const endpoint = await tokenEndpoint(t, CURRENT);
    const { result, audit } = await redeem(endpoint, NEXT);
    assert.equal(result.ok && result.value.tokens.accessToken, `token-for-${CURRENT}`);
    assert.deepEqual(endpoint.secretsSent, [CURRENT]);
    assert.equal(audit.records.length, 0);
  });

  test("without a next secret, invalid_client is the answer", async (t) => {
    const endpoint = await tokenEndpoint(t, NEXT);
    const { result } = await redeem(endpoint, undefined);
    assert.deepEqual(result.ok ? "ok" : [result.error, result.extra?.providerError], ["INVALID_GRANT", "invalid_client"]);
    assert.deepEqual(endpoint.secretsSent, [CURRENT]);
  });

  test("any other refusal (invalid_grant: the code, not the client) is not retried: the code may be used up", async (t) => {
    const endpoint = await tokenEndpoint(t, NEXT, "invalid_grant");
    const { result, audit } = await redeem(endpoint, NEXT);
    assert.deepEqual(result.ok ? "ok" : [result.error, result.extra?.providerError], ["INVALID_GRANT", "invalid_grant"]);
    assert.deepEqual(endpoint.secretsSent, [CURRENT]);
    assert.equal(audit.records.length, 0);
  });

  test("the next secret refused too: its refusal is the answer, and nothing is recorded", async (t) => {
    const endpoint = await tokenEndpoint(t, "a-third-secret");
    const { result, audit } = await redeem(endpoint, NEXT);
    assert.equal(result.ok ? "ok" : result.error, "INVALID_GRANT");
    assert.deepEqual(endpoint.secretsSent, [CURRENT, NEXT]);
    assert.equal(audit.records.length, 0);
  });
});
