/**
 * Which network addresses a provider may live at. Provider URLs come from admins and from
 * discovery documents; without a guard the service would fetch whatever they name, including
 * a cloud metadata endpoint (169.254.169.254) or services on the internal network (SSRF).
 */
import { BlockList, isIP } from "node:net";

/** Host names and CIDR ranges the operator allows providers at (PROVIDER_NETWORK_ALLOW). */
export interface ProviderNetworkAllowList {
  /** Lower-case host names, without a trailing dot. */
  readonly hosts: readonly string[];
  /** CIDR ranges, e.g. `10.0.0.0/8`, `fd00::/8`. */
  readonly ranges: readonly string[];
}

export const NO_NETWORK_EXCEPTIONS: ProviderNetworkAllowList = Object.freeze({ hosts: [], ranges: [] });

type Family = "ipv4" | "ipv6";
type Range = readonly [network: string, prefix: number, name: string];

/** IANA's special-purpose IPv4 registry (RFC 6890 and later), by what each range is. */
const SPECIAL_IPV4: readonly Range[] = [
  ["0.0.0.0", 8, "'this network' (unspecified)"],
  ["10.0.0.0", 8, "private (RFC 1918)"],
  ["100.64.0.0", 10, "shared address space (CGNAT, RFC 6598)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local (cloud metadata)"],
  ["172.16.0.0", 12, "private (RFC 1918)"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation (TEST-NET-1)"],
  ["192.88.99.0", 24, "6to4 relay anycast"],
  ["192.168.0.0", 16, "private (RFC 1918)"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation (TEST-NET-2)"],
  ["203.0.113.0", 24, "documentation (TEST-NET-3)"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved (and broadcast)"],
];

/** Special-purpose ranges inside IPv6 global unicast (2000::/3); everything outside it is refused. */
const SPECIAL_IPV6: readonly Range[] = [
  ["2001::", 23, "IETF protocol assignments (Teredo, ORCHID…)"],
  ["2001:db8::", 32, "documentation"],
  ["2002::", 16, "6to4"],
  ["3fff::", 20, "documentation"],
];

/** IPv6 outside global unicast, named; the rest of it is "not global unicast". */
const NON_GLOBAL_IPV6: readonly Range[] = [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["fc00::", 7, "unique local"],
  ["fe80::", 10, "link-local"],
  ["fec0::", 10, "site-local"],
  ["ff00::", 8, "multicast"],
];

const rangeList = (ranges: readonly Range[], family: Family) =>
  ranges.map(([network, prefix, name]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, family);
    return { list, name };
  });

const SPECIAL_V4 = rangeList(SPECIAL_IPV4, "ipv4");
const SPECIAL_V6 = rangeList(SPECIAL_IPV6, "ipv6");
const NON_GLOBAL_V6 = rangeList(NON_GLOBAL_IPV6, "ipv6");
const GLOBAL_UNICAST_V6 = rangeList([["2000::", 3, "global unicast"]], "ipv6")[0]!.list;

const familyOf = (address: string): Family | undefined => (isIP(address) === 4 ? "ipv4" : isIP(address) === 6 ? "ipv6" : undefined);

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), which connects to it. */
function mappedIPv4(address: string): string | undefined {
  const match = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!match) return undefined;
  if (match[1]) return match[1];
  const high = parseInt(match[2]!, 16);
  const low = parseInt(match[3]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/**
 * What special-purpose range an IP address is in (loopback, private, link-local, CGNAT,
 * multicast, unspecified, documentation…), or undefined for a public address. IPv4-mapped IPv6
 * addresses are judged by their IPv4 address; IPv6 outside global unicast (2000::/3) is refused.
 */
export function specialPurposeRange(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, "").split("%")[0]!;
  const family = familyOf(bare);
  if (!family) return "not an IP address";
  const v4 = family === "ipv4" ? bare : mappedIPv4(bare);
  if (v4 !== undefined) return SPECIAL_V4.find((r) => r.list.check(v4, "ipv4"))?.name;
  const named = NON_GLOBAL_V6.find((r) => r.list.check(bare, "ipv6"))?.name;
  if (named) return named;
  if (!GLOBAL_UNICAST_V6.check(bare, "ipv6")) return "not global unicast (IPv4-compatible, NAT64, reserved…)";
  return SPECIAL_V6.find((r) => r.list.check(bare, "ipv6"))?.name;
}

const LOOPBACK_SWITCH_ADDRESSES = new Set(["127.0.0.1", "::1"]);
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Parses PROVIDER_NETWORK_ALLOW: comma-separated host names, IP addresses and CIDR ranges. */
export function parseProviderNetworkAllowList(raw: string): { ok: true; value: ProviderNetworkAllowList } | { ok: false; problem: string } {
  const hosts: string[] = [];
  const ranges: string[] = [];
  for (const entry of raw
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean)) {
    const [address, prefixText, extra] = entry.split("/");
    const family = familyOf(address!);
    if (family && extra === undefined) {
      const max = family === "ipv4" ? 32 : 128;
      const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
      if (!(prefix >= 0 && prefix <= max)) return { ok: false, problem: `"${entry}" has a bad prefix length (0-${max})` };
      ranges.push(`${address}/${prefix}`);
    } else if (prefixText === undefined && HOST_NAME.test(entry.replace(/\.$/, ""))) {
      hosts.push(entry.replace(/\.$/, ""));
    } else {
      return { ok: false, problem: `"${entry}" is not a host name, an IP address or a CIDR range` };
    }
  }
  return { ok: true, value: Object.freeze({ hosts, ranges }) };
}

/** Where providers may be reached: public addresses, what the operator allowed, loopback under the switch. */
export interface ProviderNetworkPolicy {
  /** Why `address` (a resolved or literal IP of `host`) may not be connected to, or undefined when it may. */
  refusedAddress(address: string, host: string): string | undefined;
  /** At save time, without resolving: why a URL's host is refused (literal IPs and `localhost`), or undefined. */
  refusedHost(hostname: string): string | undefined;
}

/** The policy from the loopback switch and the operator's allow list. */
export function providerNetworkPolicy(options: {
  allowInsecureLoopback: boolean;
  allow?: ProviderNetworkAllowList;
}): ProviderNetworkPolicy {
  const allow = options.allow ?? NO_NETWORK_EXCEPTIONS;
  const allowedRanges = new BlockList();
  for (const range of allow.ranges) {
    const [network, prefix] = range.split("/");
    allowedRanges.addSubnet(network!, Number(prefix), familyOf(network!)!);
  }
  const hostAllowed = (host: string) => allow.hosts.includes(host.toLowerCase().replace(/\.$/, ""));
  const policy: ProviderNetworkPolicy = {
    refusedAddress(address, host) {
      const bare = address.replace(/^\[|\]$/g, "").split("%")[0]!;
      const range = specialPurposeRange(bare);
      if (range === undefined || hostAllowed(host)) return undefined;
      if (options.allowInsecureLoopback && LOOPBACK_SWITCH_ADDRESSES.has(bare)) return undefined;
      const family = familyOf(bare);
      if (family && allowedRanges.check(bare, family)) return undefined;
      return `${bare} is ${range}`;
    },
    refusedHost(hostname) {
      const host = hostname.replace(/^\[|\]$/g, "");
      if (isIP(host)) return policy.refusedAddress(host, host);
      const name = host.toLowerCase().replace(/\.$/, "");
      if ((name === "localhost" || name.endsWith(".localhost")) && !options.allowInsecureLoopback && !hostAllowed(name))
        return `${name} is loopback`;
      return undefined;
    },
  };
  return policy;
}
