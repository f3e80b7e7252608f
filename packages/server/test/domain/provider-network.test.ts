import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseProviderNetworkAllowList, providerNetworkPolicy, specialPurposeRange } from "../../src/domain/provider-network.ts";

describe("the provider network guard", () => {
  const refused: [string, RegExp][] = [
    ["169.254.169.254", /link-local/],
    ["10.0.0.1", /private/],
    ["172.16.5.4", /private/],
    ["192.168.1.1", /private/],
    ["127.0.0.1", /loopback/],
    ["127.255.0.9", /loopback/],
    ["100.64.0.1", /CGNAT/],
    ["0.0.0.0", /unspecified/],
    ["224.0.0.251", /multicast/],
    ["255.255.255.255", /broadcast/],
    ["192.0.2.10", /documentation/],
    ["198.18.0.1", /benchmarking/],
    ["::", /unspecified/],
    ["::1", /loopback/],
    ["fd00::1", /unique local/],
    ["fe80::1%eth0", /link-local/],
    ["ff02::1", /multicast/],
    ["2001:db8::1", /documentation/],
    ["2002:a00:1::1", /6to4/],
    ["::ffff:169.254.169.254", /link-local/],
    ["::ffff:a00:1", /private/],
    ["::ffff:7f00:1", /loopback/],
    ["64:ff9b::a00:1", /not global unicast/],
    ["::10.0.0.1", /not global unicast/],
  ];
  for (const [address, range] of refused) {
    test(`${address} is refused (${range.source})`, () => {
      assert.match(specialPurposeRange(address) ?? "public", range);
      assert.ok(providerNetworkPolicy({ allowInsecureLoopback: false }).refusedAddress(address, "idp.example"));
    });
  }

  test("public addresses pass", () => {
    for (const address of ["8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"]) {
      assert.equal(specialPurposeRange(address), undefined, address);
      assert.equal(providerNetworkPolicy({ allowInsecureLoopback: false }).refusedAddress(address, "idp.example"), undefined, address);
    }
  });

  test("the loopback switch allows 127.0.0.1 and ::1, nothing else private", () => {
    const policy = providerNetworkPolicy({ allowInsecureLoopback: true });
    assert.equal(policy.refusedAddress("127.0.0.1", "localhost"), undefined);
    assert.equal(policy.refusedAddress("::1", "localhost"), undefined);
    assert.equal(policy.refusedHost("localhost"), undefined);
    assert.ok(policy.refusedAddress("10.0.0.1", "idp.example"));
    assert.ok(policy.refusedAddress("169.254.169.254", "idp.example"));
    assert.ok(providerNetworkPolicy({ allowInsecureLoopback: false }).refusedHost("localhost"));
    assert.ok(providerNetworkPolicy({ allowInsecureLoopback: false }).refusedHost("[::1]"));
  });

  test("the operator's allow list lets named hosts and CIDR ranges through, and nothing more", () => {
    const parsed = parseProviderNetworkAllowList("10.0.0.0/8, idp.corp.internal., fd00::/8");
    assert.ok(parsed.ok);
    const policy = providerNetworkPolicy({ allowInsecureLoopback: false, allow: parsed.value });
    assert.equal(policy.refusedAddress("10.20.30.40", "anything.example"), undefined);
    assert.equal(policy.refusedAddress("::ffff:10.20.30.40", "anything.example"), undefined);
    assert.equal(policy.refusedAddress("fd00::5", "anything.example"), undefined);
    assert.equal(policy.refusedAddress("192.168.0.1", "idp.corp.internal"), undefined, "a named host may resolve anywhere");
    assert.equal(policy.refusedHost("https://10.1.1.1".slice(8)), undefined);
    assert.ok(policy.refusedAddress("192.168.0.1", "other.corp.internal"));
    assert.ok(policy.refusedAddress("169.254.169.254", "anything.example"));
  });

  test("a bad allow list names the entry", () => {
    for (const [raw, problem] of [
      ["10.0.0.0/33", /bad prefix length/],
      ["fd00::/129", /bad prefix length/],
      ["10.0.0.0/8/1", /not a host name/],
      ["http://idp", /not a host name/],
      ["idp_corp", /not a host name/],
    ] as const) {
      const parsed = parseProviderNetworkAllowList(raw);
      assert.ok(!parsed.ok, raw);
      assert.match(parsed.problem, problem);
    }
  });
});
