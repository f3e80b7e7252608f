/** The public shapes: what startOidcProviderServer takes and what it hands back. */
import type { JWK } from "jose";
import type { SamlKeyPair } from "./saml-certificate.ts";

export interface ProviderUser {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
  /** When set, the login form asks for it; without one, knowing the login is enough. */
  password?: string;
}

export interface ProviderClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  /** default "client_secret_basic"; a client registered with one method is refused with the other */
  token_endpoint_auth_method?: "client_secret_basic" | "client_secret_post";
}

/** The provider's private signing keys (JWKs with `d`): one RS256 and one ES256. */
export interface SigningKeySet {
  rs: JWK;
  es: JWK;
}

export interface OidcProviderServerOptions {
  clients: ProviderClient[];
  users: ProviderUser[];
  /** default 0: any free port on 127.0.0.1 */
  port?: number;
  /** default false: PKCE optional (but verified whenever a code_challenge was sent) */
  requirePkce?: boolean;
  /** access token lifetime; default 3600 */
  accessTokenTtlSeconds?: number;
  /** ID token lifetime; default 3600 */
  idTokenTtlSeconds?: number;
  /** signing algorithm of ID tokens for every client; default "RS256" (an ES256 key is published too) */
  idTokenSigningAlg?: "RS256" | "ES256";
  /** signing keys to start with (a restarted demo keeps its keys); default freshly generated */
  signingKeys?: SigningKeySet;
  /** keys of the provider's cookies; default one fresh key */
  cookieKeys?: string[];
  /** what the pages call the provider; default "Demo provider" */
  label?: string;
  /** a line shown under the login form, e.g. the demo credentials */
  loginHint?: string;
  /** the SAML IdP's signing key and certificate (a restarted demo keeps them); default freshly made */
  samlKeyPair?: SamlKeyPair;
}

export interface OidcProviderServer {
  /** e.g. http://127.0.0.1:PORT (no trailing slash) */
  readonly issuer: string;
  readonly port: number;
  /** The SAML 2.0 IdP for the same users: entity ID (= metadata URL), SSO URL (HTTP-Redirect), its signing key. */
  readonly saml: { readonly entityId: string; readonly ssoUrl: string; readonly metadataUrl: string; readonly keyPair: SamlKeyPair };
  readonly endpoints: {
    authorization: string;
    token: string;
    userinfo: string;
    jwks: string;
    /** GitHub-style plain OAuth 2.0 user API: GET with `Authorization: Bearer <access token>` */
    plainUserApi: string;
    discovery: string;
    revocation: string;
    introspection: string;
  };
  /** add or change a user's claims (takes effect for tokens/userinfo issued afterwards) */
  setUser(u: ProviderUser): void;
  /** remove a user: its tokens stop resolving at the userinfo / plain user API */
  deleteUser(sub: string): void;
  /** hits on the token endpoint (any method, any outcome) */
  readonly tokenRequests: number;
  /** hits on the OIDC userinfo endpoint */
  readonly userinfoRequests: number;
  /** hits on the plain user API */
  readonly plainUserApiRequests: number;
  /** hits on the authorization endpoint (including the resume redirects of interactions) */
  readonly authorizationRequests: number;
  /**
   * Generate fresh signing keys; tokens minted afterwards carry the new `kid`.
   * keepPrevious (default true) keeps the old keys published in the JWKS (after the new ones).
   * Codes, tokens, grants and sessions survive the rotation.
   */
  rotateKeys(o?: { keepPrevious?: boolean }): Promise<void>;
  /** kids of the current signing keys */
  readonly signingKeyIds: { RS256: string; ES256: string };
  /** the current private signing keys, to start the same provider again later */
  readonly signingKeys: SigningKeySet;
  readonly cookieKeys: readonly string[];
  close(): Promise<void>;
}
