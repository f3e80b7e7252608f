import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseProviderNetworkAllowList, type ProviderNetworkAllowList } from "../../src/domain/provider-network.ts";
import { validateProviderSettings } from "../../src/domain/provider-settings.ts";
import { createOutboundFetch, OutboundError, type OutboundPolicy } from "../../src/oauth/outbound.ts";
import { providerFailure } from "../../src/oauth/provider-failure.ts";
import { startLoopbackDns, startNamedHttpsServer } from "../support/named-loopback.ts";

const IDP = "idp.example.test";
const CORP = "idp.corp.test";

function allow(raw: string): ProviderNetworkAllowList {
  const parsed = parseProviderNetworkAllowList(raw);
  assert.ok(parsed.ok);
  return parsed.value;
}

async function refused(promise: Promise<unknown>): Promise<OutboundError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return error instanceof OutboundError && error.kind === "refused";
  });
  return caught as OutboundError;
}

describe("the provider network guard when connecting (SSRF through host names)", () => {
  /** idp.example.test and idp.corp.test resolve to 127.0.0.1, other.example.test to 127.0.0.2; the HTTPS server holds a certificate for all. */
  async function setUp(t: { after: (fn: () => Promise<unknown>) => void }) {
    const dns = await startLoopbackDns((name) =>
      name === "other.example.test" ? ["127.0.0.2"] : [IDP, CORP].includes(name) ? ["127.0.0.1"] : [],
    );
    const server = await startNamedHttpsServer([IDP, CORP, "other.example.test"]);
    t.after(() => Promise.all([dns.close(), server.close()]));
    const outbound = (options: Partial<OutboundPolicy> = {}) =>
      createOutboundFetch({
        timeoutMs: 2_000,
        maxResponseBytes: 1024 * 1024,
        allowInsecureLoopback: false,
        resolve: dns.resolve,
        ca: server.ca,
        ...options,
      });
    return { dns, server, outbound, url: (host: string) => `https://${host}:${server.port}/.well-known/openid-configuration` };
  }

  test("a host name that resolves to loopback is refused when connecting, though its URL passed the save-time check", async (t) => {
    const { dns, server, outbound, url } = await setUp(t);
    const saved = validateProviderSettings(
      "idp",
      { clientId: "c", clientSecret: "s", issuer: `https://${IDP}:${server.port}`, redirectUris: ["https://app.example.test/cb"] },
      { allowInsecureLoopback: false, existingSecret: false },
    );
    assert.ok(saved.ok, "host names are not resolved when saved");

    const error = await refused(outbound()(url(IDP)));
    assert.equal(dns.queries.get(IDP), 1, "the name was resolved");
    assert.equal(server.connections, 0, "nothing was connected to");
    const answer = providerFailure("idp", error, "discovery");
    assert.equal(answer.error, "INVALID_PROVIDER_SETTINGS", "the same failure as saving a private address");
    assert.doesNotMatch(`${answer.message} ${answer.detail}`, /127\.0\.0\.1|is loopback/, "which address or range is not said");
  });

  test("every refusal reads the same, whatever the address and however it was named", async (t) => {
    const { server, outbound, url } = await setUp(t);
    const messages = new Set<string>();
    for (const target of [url(IDP), url("other.example.test"), url("127.0.0.2"), url("[::ffff:127.0.0.1]")]) {
      const host = new URL(target).host;
      messages.add((await refused(outbound()(target))).message.replace(host, "HOST"));
    }
    assert.equal(messages.size, 1, [...messages].join(" | "));
    assert.equal(server.connections, 0);
  });

  test("the loopback switch lets a name resolving to 127.0.0.1 through, and no other loopback address", async (t) => {
    const { outbound, url } = await setUp(t);
    const withSwitch = outbound({ allowInsecureLoopback: true });
    assert.deepEqual(await (await withSwitch(url(IDP))).json(), { ok: true });
    await refused(withSwitch(url("other.example.test")));
  });

  test("PROVIDER_NETWORK_ALLOW by host name lets that name through, and only that name", async (t) => {
    const { server, outbound, url } = await setUp(t);
    const allowed = outbound({ networkAllow: allow(CORP) });
    assert.equal((await allowed(url(CORP))).status, 200);
    await refused(allowed(url(IDP)));
    assert.equal(server.connections, 1);
  });

  test("PROVIDER_NETWORK_ALLOW by CIDR lets names resolving into the range through", async (t) => {
    const { outbound, url } = await setUp(t);
    const allowed = outbound({ networkAllow: allow("127.0.0.0/31") });
    assert.equal((await allowed(url(IDP))).status, 200);
    assert.equal((await allowed(url(CORP))).status, 200);
    await refused(allowed(url("other.example.test"))); // 127.0.0.2 is outside 127.0.0.0/31
  });

  test("the address checked is the address connected to: a name answering otherwise the next time is not asked again", async (t) => {
    // First answer 127.0.0.1 (allowed), then 127.0.0.2 (not): a guard that resolved once to
    // check and again to connect would end up at the second address.
    const dns = await startLoopbackDns((name, asked) => (name === IDP ? [asked === 0 ? "127.0.0.1" : "127.0.0.2"] : []));
    const checked = await startNamedHttpsServer([IDP]);
    const rebound = await startNamedHttpsServer([IDP], "127.0.0.2", checked.port);
    t.after(() => Promise.all([dns.close(), checked.close(), rebound.close()]));
    const outbound = createOutboundFetch({
      timeoutMs: 2_000,
      maxResponseBytes: 1024 * 1024,
      allowInsecureLoopback: false,
      networkAllow: allow("127.0.0.1/32"),
      resolve: dns.resolve,
      ca: checked.ca,
    });
    assert.equal((await outbound(`https://${IDP}:${checked.port}/jwks`)).status, 200);
    assert.deepEqual([dns.queries.get(IDP), checked.connections, rebound.connections], [1, 1, 0]);
  });
});
