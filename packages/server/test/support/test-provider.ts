/**
 * A REAL OpenID Provider for tests: the `oidc-provider` package running in-process on a
 * loopback port (the service's own demo provider, packages/demo-provider), plus a
 * scripted "browser" (fetch + cookie jar) that drives its genuine login and consent
 * interactions.
 *
 * Nothing here fabricates protocol artefacts: codes, tokens and ID tokens are all minted by
 * oidc-provider and every check (client authentication, PKCE, single-use codes, redirect_uri
 * matching) is oidc-provider's own.
 *
 * The same server exposes a GitHub-style plain OAuth 2.0 "user" API (GET /api/user) so tests
 * can configure a provider that has no ID token and no userinfo endpoint.
 */
import {
  type AuthorizeParams,
  type AuthorizeResult,
  authorizeWithScriptedBrowser,
  type OidcProviderServer,
  type OidcProviderServerOptions,
  type ProviderClient,
  type ProviderUser,
  startOidcProviderServer,
} from "@pipeshub-auth/demo-provider";

export type { AuthorizeParams, AuthorizeResult };

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

export type TestUser = Omit<ProviderUser, "password">;
export type TestClient = ProviderClient;

export type TestProviderOptions = Pick<
  OidcProviderServerOptions,
  "requirePkce" | "accessTokenTtlSeconds" | "idTokenTtlSeconds" | "idTokenSigningAlg"
> & {
  clients: TestClient[];
  users: TestUser[];
};

/** The demo provider's server, plus a scripted browser that drives its login. */
export interface TestProvider extends Omit<OidcProviderServer, "port" | "signingKeys" | "cookieKeys"> {
  /**
   * Drives the real authorization request → login → consent interaction over HTTP as a
   * fresh browser (new cookie jar per call) and returns what the provider redirected the
   * browser to at the redirect_uri (which is parsed, never fetched). Throws when the
   * provider does not redirect back at all (e.g. unknown client or unregistered
   * redirect_uri: the provider renders an error page) or when `login` is not a known user.
   */
  authorize(p: AuthorizeParams): Promise<AuthorizeResult>;
}

/** Convenience wrapper for TestProvider.rotateKeys. */
export function rotateProviderKeys(p: TestProvider, o?: { keepPrevious?: boolean }): Promise<void> {
  return p.rotateKeys(o);
}

export async function startTestProvider(o: TestProviderOptions): Promise<TestProvider> {
  const core: OidcProviderServer = await startOidcProviderServer({ ...o, label: "Test provider" });
  const authorize = (p: AuthorizeParams): Promise<AuthorizeResult> => authorizeWithScriptedBrowser(core.issuer, p);

  // Everything but the scripted browser is the server's own (its getters read live counters).
  const provider: TestProvider = Object.assign(Object.create(core) as OidcProviderServer, { authorize });
  return provider;
}

/** The scripted browser for any provider built on the demo provider (the demo of a spawned service too). */
export const driveAuthorization = authorizeWithScriptedBrowser;
