/**
 * The service's provider clients (oauth/) on their own, for tests of one protocol step at a
 * time: a configured provider built from a few settings, and discovery and the ID token
 * verifier over the real outbound guard (loopback allowed).
 */
import assert from "node:assert/strict";
import type { Clock } from "../../src/domain/ports/clock.ts";
import type { ConfiguredProvider, ProviderSettings } from "../../src/domain/provider-settings.ts";
import { createDiscovery, type Discovery, type ProviderConnection } from "../../src/oauth/discovery.ts";
import { createIdTokenVerifier, type IdTokenVerifier } from "../../src/oauth/id-token.ts";
import { createOutboundFetch } from "../../src/oauth/outbound.ts";
import { startTestProvider, type TestProvider, type TestUser } from "./test-provider.ts";
import { alice, CLIENT_SECRET, REDIRECT_URI } from "./sign-in-fixture.ts";

export const CLIENT_ID = "pipeshub-app";

/** A provider as the store would hand it over: these settings over OIDC defaults, the test client's secret. */
export function configuredProvider(
  settings: Partial<ProviderSettings>,
  clientSecret: string | undefined = CLIENT_SECRET,
): ConfiguredProvider {
  return {
    id: "provider-1",
    orgId: "org-1",
    clientSecret,
    linking: { identitySettingsSavedBy: "operator", linkExistingUsers: false },
    settings: {
      providerName: "test-idp",
      clientId: CLIENT_ID,
      scope: "openid email profile",
      tokenEndpointAuthMethod: "client_secret_basic",
      redirectUris: [REDIRECT_URI],
      enableJit: false,
      trustEmail: false,
      requirePkce: false,
      ...settings,
    },
  };
}

export interface ProviderClients {
  readonly discovery: Discovery;
  readonly idTokens: IdTokenVerifier;
  /** Every provider call made, as `provider endpoint` (discovery, jwks, token, userinfo). */
  readonly calls: string[];
}

export function providerClients(
  options: {
    timeoutMs?: number;
    clockToleranceSeconds?: number;
    unknownKeyRefetchIntervalMs?: number;
    discoveryFailureTtlMs?: number;
    /** What discovery's and the key refetch's periods are read by (default the system clock). */
    clock?: Pick<Clock, "now">;
  } = {},
): ProviderClients {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const calls: string[] = [];
  const outbound = createOutboundFetch({ timeoutMs, maxResponseBytes: 1024 * 1024, allowInsecureLoopback: true });
  const onProviderCall = (provider: string, endpoint: string) => {
    calls.push(`${provider} ${endpoint}`);
  };
  return {
    calls,
    discovery: createDiscovery({
      outbound,
      timeoutMs,
      allowInsecureLoopback: true,
      onProviderCall,
      ...(options.discoveryFailureTtlMs !== undefined && { discoveryFailureTtlMs: options.discoveryFailureTtlMs }),
      ...(options.clock && { clock: options.clock }),
    }),
    idTokens: createIdTokenVerifier({
      outbound,
      timeoutMs,
      onProviderCall,
      ...(options.clockToleranceSeconds !== undefined && { clockToleranceSeconds: options.clockToleranceSeconds }),
      ...(options.unknownKeyRefetchIntervalMs !== undefined && { unknownKeyRefetchIntervalMs: options.unknownKeyRefetchIntervalMs }),
      ...(options.clock && { clock: options.clock }),
    }),
  };
}

/** Connects, asserting discovery worked. */
export async function connect(clients: ProviderClients, provider: ConfiguredProvider): Promise<ProviderConnection> {
  const connection = await clients.discovery.connect(provider);
  assert.ok(connection.ok, connection.ok ? "" : connection.message);
  return connection.value;
}

/** The real test provider (oidc-provider) with the test client and `users` (default alice), closed by the caller. */
export function startProvider(
  options: { users?: TestUser[]; requirePkce?: boolean; authMethod?: "client_secret_basic" | "client_secret_post" } = {},
): Promise<TestProvider> {
  return startTestProvider({
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: options.authMethod ?? "client_secret_basic",
      },
    ],
    users: options.users ?? [alice],
    ...(options.requirePkce !== undefined && { requirePkce: options.requirePkce }),
  });
}

/** Signs `login` in at the provider and answers the code it sent back. */
export async function codeFrom(
  provider: TestProvider,
  login: string,
  extra: { nonce?: string; codeChallenge?: string; scope?: string } = {},
): Promise<string> {
  const result = await provider.authorize({ clientId: CLIENT_ID, redirectUri: REDIRECT_URI, login, ...extra });
  assert.ok("code" in result, `the provider sent no code: ${JSON.stringify(result)}`);
  return result.code;
}
