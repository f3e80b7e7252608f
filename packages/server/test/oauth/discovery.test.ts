import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createDiscovery, endpointsOf } from "../../src/oauth/discovery.ts";
import { createOutboundFetch } from "../../src/oauth/outbound.ts";
import { closedPortUrl, startHangingServer, startJsonServer } from "../support/faulty-servers.ts";
import { configuredProvider, connect, providerClients, startProvider } from "../support/provider-connections.ts";

/** A discovery document for `issuer` (OpenID Connect Discovery 1.0 §3). */
const metadataFor = (issuer: string) => ({
  issuer,
  authorization_endpoint: `${issuer}/auth`,
  token_endpoint: `${issuer}/token`,
  jwks_uri: `${issuer}/jwks`,
  userinfo_endpoint: `${issuer}/me`,
  response_types_supported: ["code"],
  subject_types_supported: ["public"],
  id_token_signing_alg_values_supported: ["RS256"],
});

describe("oauth/discovery: learning a provider's metadata", () => {
  test("a provider configured by issuer is discovered: its endpoints come from its discovery document", async (t) => {
    const provider = await startProvider();
    t.after(() => provider.close());
    const clients = providerClients();
    const connection = await connect(clients, configuredProvider({ issuer: provider.issuer }));
    assert.equal(connection.metadata.issuer, provider.issuer);
    assert.deepEqual(endpointsOf(connection), {
      issuer: provider.issuer,
      authorizationEndpoint: provider.endpoints.authorization,
      tokenEndpoint: provider.endpoints.token,
      userinfoEndpoint: provider.endpoints.userinfo,
    });
    assert.deepEqual(clients.calls, ["test-idp discovery"]);
  });

  test("a discovery document is reused for the next sign-in, per issuer", async (t) => {
    let issuer = "";
    const server = await startJsonServer(() => ({ status: 200, body: metadataFor(issuer) }));
    issuer = server.url;
    t.after(() => server.close());
    const clients = providerClients();
    await connect(clients, configuredProvider({ issuer }));
    await connect(clients, configuredProvider({ issuer, providerName: "same-issuer" }));
    assert.equal(server.requests, 1);
    await connect(providerClients(), configuredProvider({ issuer }));
    assert.equal(server.requests, 2, "another app has its own cache");
  });

  test("a failed discovery is remembered briefly, then tried again", async (t) => {
    let issuer = "";
    let up = false;
    const server = await startJsonServer(() =>
      up ? { status: 200, body: metadataFor(issuer) } : { status: 500, body: "<html>down</html>" },
    );
    issuer = server.url;
    t.after(() => server.close());
    let now = Date.now();
    const clients = providerClients({ discoveryFailureTtlMs: 300, clock: { now: () => now } });
    const first = await clients.discovery.connect(configuredProvider({ issuer }));
    assert.equal(first.ok ? "ok" : first.error, "PROVIDER_ERROR");
    up = true;
    const remembered = await clients.discovery.connect(configuredProvider({ issuer }));
    assert.equal(remembered.ok ? "ok" : remembered.error, "PROVIDER_ERROR", "within the failure's lifetime");
    assert.equal(server.requests, 1);
    now += 299;
    const still = await clients.discovery.connect(configuredProvider({ issuer }));
    assert.equal(still.ok ? "ok" : still.error, "PROVIDER_ERROR", "until the failure's lifetime ends");
    now += 1;
    assert.ok((await clients.discovery.connect(configuredProvider({ issuer }))).ok);
    assert.equal(server.requests, 2);
  });

  test("a discovery document naming another issuer is refused (OpenID Connect Discovery §4.3) → PROVIDER_ERROR", async (t) => {
    const server = await startJsonServer(() => ({ status: 200, body: metadataFor("https://elsewhere.example") }));
    t.after(() => server.close());
    const connection = await providerClients().discovery.connect(configuredProvider({ issuer: server.url }));
    assert.equal(connection.ok ? "ok" : connection.error, "PROVIDER_ERROR");
  });

  test("discovery unreachable → PROVIDER_UNAVAILABLE; never answering → PROVIDER_TIMEOUT, naming the provider and the step", async (t) => {
    const hanging = await startHangingServer();
    t.after(() => hanging.close());
    const clients = providerClients({ timeoutMs: 300 });
    const down = await clients.discovery.connect(configuredProvider({ issuer: await closedPortUrl() }));
    assert.ok(!down.ok);
    assert.equal(down.error, "PROVIDER_UNAVAILABLE");
    assert.match(down.message, /"test-idp".*discovery/);
    const slow = await clients.discovery.endpoints(configuredProvider({ issuer: hanging.url }));
    assert.equal(slow.ok ? "ok" : slow.error, "PROVIDER_TIMEOUT");
  });

  test("a plain OAuth 2.0 provider (explicit endpoints, no issuer) is not discovered: its token endpoint's origin stands in for the issuer", async () => {
    const base = await closedPortUrl();
    const clients = providerClients();
    const connection = await connect(
      clients,
      configuredProvider({
        scope: "email",
        authorizationUrl: `${base}/login/oauth/authorize`,
        tokenEndpoint: `${base}/login/oauth/access_token`,
        userInfoEndpoint: `${base}/api/user`,
      }),
    );
    assert.deepEqual(endpointsOf(connection), {
      issuer: base,
      authorizationEndpoint: `${base}/login/oauth/authorize`,
      tokenEndpoint: `${base}/login/oauth/access_token`,
      userinfoEndpoint: `${base}/api/user`,
    });
    assert.deepEqual(clients.calls, [], "nothing was fetched");
  });

  test("explicit userinfo and JWKS endpoints override the discovered ones", async (t) => {
    let issuer = "";
    const server = await startJsonServer(() => ({ status: 200, body: metadataFor(issuer) }));
    issuer = server.url;
    t.after(() => server.close());
    const connection = await connect(
      providerClients(),
      configuredProvider({ issuer, userInfoEndpoint: `${issuer}/api/user`, jwksUri: `${issuer}/keys` }),
    );
    assert.equal(connection.metadata.userinfo_endpoint, `${issuer}/api/user`);
    assert.equal(connection.metadata.jwks_uri, `${issuer}/keys`);
    assert.equal(connection.metadata.token_endpoint, `${issuer}/token`);
  });

  test("plain http is refused unless it is loopback and the operator allowed it", async (t) => {
    let issuer = "";
    const server = await startJsonServer(() => ({ status: 200, body: metadataFor(issuer) }));
    issuer = server.url;
    t.after(() => server.close());
    const strict = createDiscovery({
      outbound: createOutboundFetch({ timeoutMs: 2_000, maxResponseBytes: 1024 * 1024, allowInsecureLoopback: false }),
      timeoutMs: 2_000,
      allowInsecureLoopback: false,
    });
    const refused = await strict.connect(configuredProvider({ issuer }));
    assert.equal(refused.ok ? "ok" : refused.error, "PROVIDER_ERROR");
    assert.equal(server.requests, 0, "nothing was sent");
  });
});
