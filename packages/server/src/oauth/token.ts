import * as oidc from "openid-client";
import { parseCompactJws } from "../domain/compact-jws.ts";
import { type Result, success } from "../domain/failures.ts";
import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import type { ProviderConnection } from "./discovery.ts";
import { type OutboundAnswer, type OutboundInit, responseOf } from "./outbound.ts";
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
 * client authentication. A well-formed answer (see `wellFormedTokens`) is read as it arrives;
 * any other is replayed through openid-client, which validates the response and, for OpenID
 * Connect, the ID token's claims (OIDC Core §3.1.3.7) and names what is wrong. The ID token's
 * signature and claims are checked after, either way (oauth/id-token.ts).
 */
export async function redeemCode(connection: ProviderConnection, request: RedeemRequest): Promise<Result<ProviderTokens>> {
  const { provider, metadata } = connection;
  const idTokenExpected = Boolean(provider.settings.issuer) && provider.settings.scope.split(/\s+/).includes("openid");
  const tokenEndpoint = metadata.token_endpoint;
  // RFC 9207: an `iss` the client passed on must be this provider's; openid-client judges any other.
  const issuerAgrees = request.issuer === undefined || request.issuer === metadata.issuer;
  const secret = provider.clientSecret;
  if (connection.tokenCall && tokenEndpoint && idTokenExpected && issuerAgrees && secret !== undefined) {
    let answer: OutboundAnswer;
    try {
      answer = await connection.tokenCall(tokenEndpoint, tokenRequest(provider, secret, request));
    } catch (error) {
      return providerFailure(provider.settings.providerName, error, "the token request");
    }
    const tokens = wellFormedTokens(answer, request.expectedNonce);
    if (tokens) return success(tokens);
    // The one answer there is (the code is spent): openid-client reads it as if it had fetched it.
    return grant(
      connection.configurationOver(async () => responseOf(answer)),
      connection,
      request,
      idTokenExpected,
    );
  }
  return grant(connection.config, connection, request, idTokenExpected);
}

/** openid-client's code grant (validation included), over `config`'s fetch. */
async function grant(
  config: oidc.Configuration,
  connection: ProviderConnection,
  request: RedeemRequest,
  idTokenExpected: boolean,
): Promise<Result<ProviderTokens>> {
  const { provider, metadata } = connection;
  const callback = new URL(request.redirectUri);
  callback.searchParams.set("code", request.code);
  // RFC 9207: the client may pass on `iss`; otherwise it can only be this provider's.
  if (metadata.authorization_response_iss_parameter_supported) callback.searchParams.set("iss", request.issuer ?? metadata.issuer);
  let tokens: oidc.TokenEndpointResponse;
  try {
    tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.codeVerifier,
      expectedNonce: request.expectedNonce,
      idTokenExpected,
    });
  } catch (error) {
    return providerFailure(provider.settings.providerName, error, "the token request");
  }
  return success({
    accessToken: tokens.access_token,
    idToken: tokens.id_token,
    tokenType: bearerSpelling(tokens.token_type),
    expiresIn: typeof tokens.expires_in === "number" ? tokens.expires_in : undefined,
  });
}

/** oauth4webapi lower-cases token_type; RFC 6750 spells the scheme "Bearer". */
const bearerSpelling = (tokenType: string | undefined) => (!tokenType || tokenType.toLowerCase() === "bearer" ? "Bearer" : tokenType);

/** RFC 6749 Appendix B: application/x-www-form-urlencoded, as the client's id and secret and the form are encoded. */
const formEncoded = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");

/** client_secret_basic's header (RFC 6749 §2.3.1), made once per provider as configured (the provider cache keeps the object). */
const basicHeaders = new WeakMap<ConfiguredProvider, string>();
function basicAuthorization(provider: ConfiguredProvider, clientSecret: string): string {
  let header = basicHeaders.get(provider);
  if (header === undefined) {
    header = `Basic ${Buffer.from(`${formEncoded(provider.settings.clientId)}:${formEncoded(clientSecret)}`).toString("base64")}`;
    basicHeaders.set(provider, header);
  }
  return header;
}

/** The token request (RFC 6749 §4.1.3, RFC 7636 §4.5) with the client's authentication (§2.3.1), as openid-client sends it. */
function tokenRequest(provider: ConfiguredProvider, clientSecret: string, request: RedeemRequest): OutboundInit {
  const { settings } = provider;
  let form = `grant_type=authorization_code&code=${formEncoded(request.code)}&redirect_uri=${formEncoded(request.redirectUri)}`;
  if (request.codeVerifier !== undefined) form += `&code_verifier=${formEncoded(request.codeVerifier)}`;
  const headers: Record<string, string> = { accept: "application/json", "content-type": "application/x-www-form-urlencoded;charset=UTF-8" };
  if (settings.tokenEndpointAuthMethod === "client_secret_post")
    form += `&client_id=${formEncoded(settings.clientId)}&client_secret=${formEncoded(clientSecret)}`;
  else headers.authorization = basicAuthorization(provider, clientSecret);
  return { method: "POST", headers, body: form };
}

const isNonEmptyString = (value: unknown): value is string => typeof value === "string" && value.length > 0;

/** A JSON object, or undefined for anything else. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The tokens of an answer nothing in openid-client's processing would refuse or change: 200, a
 * JSON object with a Bearer `access_token`, an `id_token` whose payload (its signature and
 * claims are checked after) carries the expected nonce or, none expected, none; optional members
 * of their types. Anything else answers undefined.
 */
function wellFormedTokens(answer: OutboundAnswer, expectedNonce: string | undefined): ProviderTokens | undefined {
  if (answer.status !== 200 || !answer.body) return undefined;
  const json = jsonObject(Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength).toString("utf8"));
  if (!json) return undefined;
  const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn, id_token: idToken } = json;
  if (!isNonEmptyString(accessToken) || !isNonEmptyString(tokenType) || tokenType.toLowerCase() !== "bearer") return undefined;
  if (expiresIn !== undefined && !(typeof expiresIn === "number" && Number.isFinite(expiresIn) && expiresIn >= 0)) return undefined;
  if (json.refresh_token !== undefined && !isNonEmptyString(json.refresh_token)) return undefined;
  if (json.scope !== undefined && typeof json.scope !== "string") return undefined;
  if (!isNonEmptyString(idToken)) return undefined;
  // The JWS as the verifier will read it; anything it would refuse is openid-client's to name.
  const jws = parseCompactJws(idToken);
  if (typeof jws === "string") return undefined;
  const claims = jws.payload;
  if (expectedNonce === undefined ? claims.nonce !== undefined : claims.nonce !== expectedNonce) return undefined;
  if (claims.auth_time !== undefined && typeof claims.auth_time !== "number") return undefined;
  return { accessToken, idToken, tokenType: bearerSpelling(tokenType), expiresIn: expiresIn as number | undefined };
}
