/** How oidc-provider is set up: clients, accounts, scopes and claims, lifetimes, keys, storage. */
import type { JWK } from "jose";
import type { Accounts } from "./accounts.ts";
import { MapAdapter, type StoredEntry } from "./map-adapter.ts";
import type { NodeHandler, OidcProvider, OidcProviderCtor } from "./oidc-provider-binding.ts";
import { PAGE_HEADERS, errorPage } from "./pages.ts";
import type { OidcProviderServerOptions } from "./types.ts";

export interface ProviderSetup {
  options: OidcProviderServerOptions;
  label: string;
  accounts: Accounts;
  /** shared by every Provider instance of one server, so grants and codes outlive rotateKeys */
  store: Map<string, StoredEntry>;
  cookieKeys: string[];
  /** the published signing keys, the current ones first */
  jwks: JWK[];
}

function configuration(s: ProviderSetup): Record<string, unknown> {
  const o = s.options;
  return {
    adapter: (model: string) => new MapAdapter(model, s.store),
    clients: o.clients.map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      redirect_uris: [...c.redirect_uris],
      token_endpoint_auth_method: c.token_endpoint_auth_method ?? "client_secret_basic",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      id_token_signed_response_alg: o.idTokenSigningAlg ?? "RS256",
    })),
    findAccount: s.accounts.findAccount,
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    scopes: ["openid", "offline_access", "email", "profile"],
    // Put scope-granted claims into the ID token itself, not only at userinfo.
    conformIdTokenClaims: false,
    pkce: { required: () => o.requirePkce === true },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    cookies: { keys: s.cookieKeys },
    jwks: { keys: s.jwks },
    ttl: {
      AccessToken: o.accessTokenTtlSeconds ?? 3600,
      IdToken: o.idTokenTtlSeconds ?? 3600,
      // oidc-provider's 60 s is tight for suites that mint hundreds of codes before redeeming them
      // on a loaded 2-core machine; codes stay single-use whatever their lifetime.
      AuthorizationCode: 600,
      // explicit values for the rest keep oidc-provider from printing "SHOULD change" notices
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    // A compact error page (a headless driver puts its text into the Error it throws).
    renderError: (ctx: { type: string; body: string; set(name: string, value: string): void }, out: Record<string, unknown>) => {
      ctx.type = "html";
      for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
      ctx.body = errorPage(s.label, out);
    },
    // Loopback only: any origin may call the provider from a browser.
    clientBasedCORS: () => true,
  };
}

/** A Provider instance for `issuer` and its node:http request handler. */
export function createProvider(
  Provider: OidcProviderCtor,
  issuer: string,
  setup: ProviderSetup,
): { provider: OidcProvider; handler: NodeHandler } {
  const provider = new Provider(issuer, configuration(setup));
  // oidc-provider renders 500s itself; make sure a bug here is never silent.
  provider.on("server_error", (_ctx: unknown, err: unknown) => {
    console.error(`${setup.label}: oidc-provider server_error`, err);
  });
  return { provider, handler: provider.callback() };
}
