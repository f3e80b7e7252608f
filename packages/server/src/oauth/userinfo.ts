import * as oidc from "openid-client";
import { failure, type Result, success } from "../domain/failures.ts";
import type { ProviderConnection } from "./discovery.ts";
import { providerFailure, refusalStatus, ResourceRefused } from "./provider-failure.ts";

/** Claims about the user, as the provider's userinfo endpoint (or plain OAuth 2.0 user API) answered them. */
export type UserinfoClaims = Record<string, unknown>;

/**
 * Asks the provider who the access token's user is. OpenID Connect providers are asked at their
 * discovered userinfo endpoint (OIDC Core §5.3) through openid-client; a configured endpoint (a
 * plain OAuth 2.0 user API such as GitHub's) is read as a protected resource (RFC 6750).
 * With `expectedSubject`, claims about another subject are refused (OIDC Core §5.3.2): they are
 * not this user's. A 4xx is USERINFO_FAILED (the token was refused); anything else the provider's failure.
 */
export async function fetchUserinfo(
  connection: ProviderConnection,
  accessToken: string,
  expectedSubject: string | undefined,
): Promise<Result<UserinfoClaims>> {
  try {
    return success(await userinfoClaims(connection, accessToken, expectedSubject));
  } catch (error) {
    const status = refusalStatus(error);
    if (status !== undefined && status >= 400 && status < 500) {
      return failure(
        "USERINFO_FAILED",
        `The provider "${connection.provider.settings.providerName}" refused to say who signed in (userinfo answered ${status}).`,
      );
    }
    return providerFailure(connection.provider.settings.providerName, error, "the userinfo request");
  }
}

async function userinfoClaims(
  connection: ProviderConnection,
  accessToken: string,
  expectedSubject: string | undefined,
): Promise<UserinfoClaims> {
  const { provider, config, metadata } = connection;
  if (provider.settings.issuer && !provider.settings.userInfoEndpoint) {
    return (await oidc.fetchUserInfo(config, accessToken, expectedSubject ?? oidc.skipSubjectCheck)) as UserinfoClaims;
  }
  // Plain OAuth 2.0 user APIs are not OpenID userinfo: read them as a protected resource.
  const endpoint = metadata.userinfo_endpoint;
  if (!endpoint) throw new Error("no userinfo endpoint");
  const response = await oidc.fetchProtectedResource(config, accessToken, new URL(endpoint), "GET");
  if (!response.ok) throw new ResourceRefused(response.status);
  const claims = (await response.json()) as UserinfoClaims;
  // OIDC Core §5.3.2, as fetchUserInfo checks it: claims for another subject are not this user's.
  if (expectedSubject !== undefined && claims.sub !== expectedSubject)
    throw new Error('userinfo answered for another "sub" than the ID token\'s');
  return claims;
}
