import * as oidc from "openid-client";
import { type Result, success } from "../domain/failures.ts";
import { type Clock, systemClock } from "../domain/ports/clock.ts";
import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import { discoversMetadata, explicitMetadata, isPermittedProviderUrl } from "../domain/provider-urls.ts";
import { type ProviderCallObserver, timedCall } from "./call-timing.ts";
import type { OutboundCall, OutboundFetch } from "./outbound.ts";
import { providerFailure } from "./provider-failure.ts";
import { checkSecretDestination, SecretWithheld } from "./secret-destination.ts";

/**
 * A provider ready to be talked to: its metadata (discovered, or from its settings) and
 * openid-client's configuration for it (client authentication, the guarded fetch, timeouts).
 * Every later protocol step (authorization URL, token, ID token, userinfo) starts from one.
 */
export interface ProviderConnection {
  readonly provider: ConfiguredProvider;
  readonly metadata: oidc.ServerMetadata;
  readonly config: oidc.Configuration;
  /**
   * The token request as the guarded call answers it (timed as openid-client's is), for the
   * exchange to read a well-formed answer without openid-client's Response; absent when the
   * outbound is a stand-in without one.
   */
  readonly tokenCall?: OutboundCall;
  /** openid-client's configuration for this provider over another fetch (the exchange replays an answer through it). */
  configurationOver(fetch: OutboundFetch): oidc.Configuration;
}

/** The endpoints a client of the service needs to know about (initAuth's public provider settings). */
export interface ProviderEndpoints {
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userinfoEndpoint: string | undefined;
}

/** Learns providers' metadata; holds one discovery cache per app. */
export interface Discovery {
  /** The provider's metadata (OpenID Connect Discovery 1.0 §4, cached) and client configuration. */
  connect(provider: ConfiguredProvider): Promise<Result<ProviderConnection>>;
  /** The provider's endpoints, from settings or (cached) discovery. */
  endpoints(provider: ConfiguredProvider): Promise<Result<ProviderEndpoints>>;
}

/** What discovery fetches through, how long it waits, and how long it remembers. */
export interface DiscoveryOptions {
  readonly outbound: OutboundFetch;
  readonly timeoutMs: number;
  readonly allowInsecureLoopback: boolean;
  /** How long discovery documents are reused (default an hour). */
  readonly discoveryTtlMs?: number;
  /** How long a failed discovery is answered from memory before it is tried again (default 30 s). */
  readonly discoveryFailureTtlMs?: number;
  readonly onProviderCall?: ProviderCallObserver;
  /** What the cache periods are read by (default the system clock). */
  readonly clock?: Pick<Clock, "now">;
}

/**
 * How long a failed discovery is remembered per issuer: long enough that a flood of
 * unauthenticated initAuth calls makes one outbound connection, short enough that a provider
 * that comes back is used again within half a minute.
 */
const DISCOVERY_FAILURE_TTL_MS = 30_000;

/** openid-client's timeout is in whole seconds; ours (the outbound deadline) is the one that fires first. */
const requestTimeoutSeconds = (timeoutMs: number) => Math.ceil(timeoutMs / 1000) + 1;

/**
 * Learns providers' metadata: OpenID Connect discovery for a provider configured by issuer
 * alone (cached per issuer, failures for 30 s), the explicit endpoints otherwise. Explicit
 * userinfo and JWKS endpoints override discovered ones.
 */
export function createDiscovery(options: DiscoveryOptions): Discovery {
  const discoveryTtlMs = options.discoveryTtlMs ?? 60 * 60 * 1000;
  const failureTtlMs = options.discoveryFailureTtlMs ?? DISCOVERY_FAILURE_TTL_MS;
  const clock = options.clock ?? systemClock;
  const metadataCache = new Map<string, { expires: number; metadata: Promise<oidc.ServerMetadata> }>();
  const timed = (provider: ConfiguredProvider, endpoint: string) =>
    timedCall(options.outbound, options.onProviderCall, provider.settings.providerName, endpoint);

  function discover(provider: ConfiguredProvider, issuer: string): Promise<oidc.ServerMetadata> {
    const cached = metadataCache.get(issuer);
    if (cached && cached.expires > clock.now()) return cached.metadata;
    const url = new URL(issuer);
    const metadata = oidc
      .discovery(url, provider.settings.clientId, undefined, undefined, {
        [oidc.customFetch]: timed(provider, "discovery"),
        execute: isPermittedProviderUrl(url, options.allowInsecureLoopback) && url.protocol === "http:" ? [oidc.allowInsecureRequests] : [],
        timeout: requestTimeoutSeconds(options.timeoutMs),
      })
      .then((config) => config.serverMetadata());
    metadataCache.set(issuer, { expires: clock.now() + discoveryTtlMs, metadata });
    // A failed discovery is remembered briefly: initAuth is unauthenticated, and without this
    // every call would make the service connect to the provider again.
    metadata.catch(() => {
      const entry = metadataCache.get(issuer);
      if (entry?.metadata === metadata) metadataCache.set(issuer, { expires: clock.now() + failureTtlMs, metadata });
    });
    return metadata;
  }

  async function serverMetadata(provider: ConfiguredProvider): Promise<oidc.ServerMetadata> {
    const s = provider.settings;
    return discoversMetadata(s) ? discover(provider, s.issuer) : explicitMetadata(s);
  }

  async function connection(provider: ConfiguredProvider): Promise<ProviderConnection> {
    const s = provider.settings;
    const metadata = { ...(await serverMetadata(provider)) };
    if (s.userInfoEndpoint) metadata.userinfo_endpoint = s.userInfoEndpoint;
    if (s.jwksUri) metadata.jwks_uri = s.jwksUri;
    await checkSecretDestination(provider, metadata.token_endpoint, async (issuer) => (await discover(provider, issuer)).token_endpoint);
    const endpoints = [metadata.token_endpoint, metadata.userinfo_endpoint, s.emailsEndpoint].filter(
      (u): u is string => typeof u === "string",
    );
    // Plain http got this far only on loopback with the operator's switch on (checked on save and by the outbound guard).
    const insecure = endpoints.some((u) => new URL(u).protocol === "http:");
    const configurationOver = (fetch: OutboundFetch): oidc.Configuration => {
      const auth =
        s.tokenEndpointAuthMethod === "client_secret_post"
          ? oidc.ClientSecretPost(provider.clientSecret)
          : oidc.ClientSecretBasic(provider.clientSecret);
      const config = new oidc.Configuration(metadata, s.clientId, { token_endpoint_auth_method: s.tokenEndpointAuthMethod }, auth);
      config[oidc.customFetch] = fetch;
      config.timeout = requestTimeoutSeconds(options.timeoutMs);
      if (insecure) oidc.allowInsecureRequests(config);
      return config;
    };
    const tokenFetch = timed(provider, "token");
    const userinfoFetch = timed(provider, "userinfo");
    // One fetch serves the token and userinfo requests; label each call by its endpoint.
    const config = configurationOver((url, init) => (url === metadata.token_endpoint ? tokenFetch : userinfoFetch)(url, init));
    const answer = options.outbound.answer;
    const tokenCall = answer && timedCall(answer, options.onProviderCall, s.providerName, "token");
    return { provider, metadata, config, configurationOver, ...(tokenCall && { tokenCall }) };
  }

  // openid-client's Configuration copies the metadata twice as it is made: one per provider
  // object, which the provider cache hands out unchanged while it holds it (failures are not kept).
  const connections = new WeakMap<ConfiguredProvider, Promise<ProviderConnection>>();
  const discovery: Discovery = {
    async connect(provider) {
      let connecting = connections.get(provider);
      if (!connecting) {
        connecting = connection(provider);
        connections.set(provider, connecting);
        connecting.catch(() => connections.get(provider) === connecting && connections.delete(provider));
      }
      try {
        return success(await connecting);
      } catch (error) {
        if (error instanceof SecretWithheld) return error.failure;
        return providerFailure(provider.settings.providerName, error, "discovery");
      }
    },
    async endpoints(provider) {
      const connected = await discovery.connect(provider);
      return connected.ok ? success(endpointsOf(connected.value)) : connected;
    },
  };
  return discovery;
}

/** The endpoints of a connected provider, as initAuth lists them. */
export function endpointsOf(connection: ProviderConnection): ProviderEndpoints {
  const { metadata } = connection;
  return {
    issuer: metadata.issuer,
    authorizationEndpoint: metadata.authorization_endpoint ?? "",
    tokenEndpoint: metadata.token_endpoint ?? "",
    userinfoEndpoint: metadata.userinfo_endpoint,
  };
}
