/**
 * The sockets provider calls travel on: a keep-alive undici dispatcher whose every new
 * connection first resolves the host and refuses addresses the provider network policy forbids.
 * The check sits in the connections' `lookup` (undici hands it to `net.connect`/`tls.connect`),
 * so the address that is checked is the address that is connected to (no second resolution a
 * DNS rebinding could answer differently).
 */
import { lookup as systemLookup } from "node:dns/promises";
import type { LookupFunction } from "node:net";
import { Agent } from "undici";
import type { ProviderNetworkPolicy } from "../domain/provider-network.ts";

/** One address a host name resolves to. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to all its addresses (the system resolver, `dns.lookup`, unless a test brings its own). */
export type ResolveHost = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: ResolveHost = (hostname) => systemLookup(hostname, { all: true });

/**
 * A connection the provider network policy forbids. Deliberately says nothing of why (which
 * range, which address), so answers never tell internal addresses apart.
 */
export class ProviderAddressRefused extends Error {
  readonly host: string;
  constructor(host: string) {
    super(`${host} is not at an address providers may be at`);
    this.name = "ProviderAddressRefused";
    this.host = host;
  }
}

/** `net.connect`'s lookup: resolves with `resolve`, refuses the whole name if any address is forbidden. */
function guardedLookup(network: ProviderNetworkPolicy, resolve: ResolveHost): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        if (wanted.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND", hostname }), "", 0);
          return;
        }
        // Any forbidden address refuses the name: no choosing among them, no partial pass.
        if (wanted.some((a) => network.refusedAddress(a.address, hostname))) {
          callback(new ProviderAddressRefused(hostname) as NodeJS.ErrnoException, "", 0);
          return;
        }
        if (options.all)
          callback(
            null,
            wanted.map((a) => ({ address: a.address, family: a.family })),
          );
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}

export interface ProviderSocketOptions {
  readonly network: ProviderNetworkPolicy;
  readonly resolve?: ResolveHost;
  /** CA certificates to trust instead of Node's bundle (tests with their own CA; deployments add theirs with NODE_EXTRA_CA_CERTS). */
  readonly ca?: string | Buffer;
  /** How long a connection may take to open; the call's own deadline usually ends it first. */
  readonly connectTimeoutMs: number;
}

/** Connections per provider origin; enough for a burst of sign-ins, few enough not to flood one. */
const MAX_SOCKETS_PER_ORIGIN = 32;
/** An idle pooled connection is closed after this long, before typical servers (5 s) close it under a request. */
const IDLE_SOCKET_MS = 4_000;

/**
 * One keep-alive pool per provider origin, connecting only where the policy allows. undici
 * rather than node:http's agents: a call through it costs about half the CPU (no ClientRequest,
 * IncomingMessage or stream per call), and the whole exchange a third less (docs/performance.md).
 */
export function providerDispatcher(options: ProviderSocketOptions): Agent {
  return new Agent({
    connections: MAX_SOCKETS_PER_ORIGIN,
    // Never longer than IDLE_SOCKET_MS, whatever keep-alive the provider announces.
    keepAliveTimeout: IDLE_SOCKET_MS,
    keepAliveMaxTimeout: IDLE_SOCKET_MS,
    connect: {
      timeout: options.connectTimeoutMs,
      lookup: guardedLookup(options.network, options.resolve ?? systemResolver),
      ...(options.ca !== undefined && { ca: options.ca }),
    },
  });
}
