import * as oidc from "openid-client";
import { type Result, success } from "../domain/failures.ts";
import type { ProviderConnection } from "./discovery.ts";
import { providerFailure } from "./provider-failure.ts";

/** The code to redeem and what binds it to the authorization request we started, when we did. */
export interface RedeemRequest {
  readonly code: string;
  readonly redirectUri: string;
  /** PKCE verifier of the authorization request (RFC 7636 §4.5), when we started it. */
  readonly codeVerifier?: string;
  /** The nonce of the authorization request (OIDC Core §3.1.3.7 step 11), when we started it. */
  readonly expectedNonce?: string;
  /** The `iss` authorization response parameter (RFC 9207), when the client passed it on. */
  readonly issuer?: string;
}

/** The token endpoint's answer (RFC 6749 §5.1). */
export interface ProviderTokens {
  readonly accessToken: string;
  readonly idToken: string | undefined;
  readonly tokenType: string;
  readonly expiresIn: number | undefined;
}

/**
 * Redeems an authorization code at the token endpoint (RFC 6749 §4.1.3) with the configured
 * client authentication, through openid-client: it validates the response and, for OpenID
 * Connect, the ID token's claims (OIDC Core §3.1.3.7: iss, aud, azp, exp, iat, nonce); the
 * ID token's signature is checked after (oauth/id-token.ts).
 */
export async function redeemCode(connection: ProviderConnection, request: RedeemRequest): Promise<Result<ProviderTokens>> {
  const { provider, metadata, config } = connection;
  const callback = new URL(request.redirectUri);
  callback.searchParams.set("code", request.code);
  // RFC 9207: the client may pass on `iss`; otherwise it can only be this provider's.
  if (metadata.authorization_response_iss_parameter_supported) callback.searchParams.set("iss", request.issuer ?? metadata.issuer);
  let tokens: oidc.TokenEndpointResponse;
  try {
    tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.codeVerifier,
      expectedNonce: request.expectedNonce,
      idTokenExpected: Boolean(provider.settings.issuer) && provider.settings.scope.split(/\s+/).includes("openid"),
    });
  } catch (error) {
    return providerFailure(provider.settings.providerName, error, "the token request");
  }
  return success({
    accessToken: tokens.access_token,
    idToken: tokens.id_token,
    // oauth4webapi lower-cases token_type; RFC 6750 spells the scheme "Bearer".
    tokenType: !tokens.token_type || tokens.token_type.toLowerCase() === "bearer" ? "Bearer" : tokens.token_type,
    expiresIn: typeof tokens.expires_in === "number" ? tokens.expires_in : undefined,
  });
}
