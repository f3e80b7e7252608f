import { createHash } from "node:crypto";
import * as oidc from "openid-client";
import type { ProviderConnection } from "./discovery.ts";

/** An authorization request the service starts (RFC 6749 §4.1.1). */
export interface AuthorizationRequest {
  readonly redirectUri: string;
  readonly state: string;
  /** OpenID Connect's `nonce` (Core §3.1.2.1), for providers that issue ID tokens. */
  readonly nonce: string | undefined;
  /** The PKCE S256 challenge (RFC 7636 §4.2). */
  readonly codeChallenge: string;
  /** Which account the provider should offer (`login_hint`, OIDC Core §3.1.2.1); providers that do not know it ignore it. */
  readonly loginHint?: string;
  /** `prompt` (OIDC Core §3.1.2.1), e.g. `login` to sign in again as another account. */
  readonly prompt?: string;
}

/**
 * The provider's authorization URL for a request: response_type=code, the provider's scope,
 * state, PKCE S256, and nonce, login_hint and prompt when given (unknown parameters are ignored
 * by providers, RFC 6749 §3.1).
 */
export function authorizationUrl(connection: ProviderConnection, request: AuthorizationRequest): URL {
  const parameters: Record<string, string> = {
    response_type: "code",
    redirect_uri: request.redirectUri,
    scope: connection.provider.settings.scope,
    state: request.state,
    code_challenge: request.codeChallenge,
    code_challenge_method: "S256",
  };
  if (request.nonce !== undefined) parameters.nonce = request.nonce;
  if (request.loginHint !== undefined) parameters.login_hint = request.loginHint;
  if (request.prompt !== undefined) parameters.prompt = request.prompt;
  return oidc.buildAuthorizationUrl(connection.config, parameters);
}

/** A PKCE pair (RFC 7636 §4.1–4.2): the verifier the service keeps, the S256 challenge the provider sees. */
export async function newPkcePair(): Promise<{ codeVerifier: string; codeChallenge: string }> {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  // BASE64URL(SHA256(verifier)), as openid-client's calculatePKCECodeChallenge, but synchronously
  // with node:crypto instead of a WebCrypto job per sign-in.
  return { codeVerifier, codeChallenge: createHash("sha256").update(codeVerifier).digest("base64url") };
}
