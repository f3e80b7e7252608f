/**
 * `client.oauth`: the OAuth 2.0 authorization-code leg of sign-in (RFC 6749 §4.1), brokered
 * by the service so the provider's client secret never reaches the browser.
 */
import { parseJson, type RequestOptions, type Transport } from "./http.ts";
import { readShape } from "./validate.ts";

/** Input of {@link OAuth.exchangeCode} (the seed's parameters, camelCase). */
export interface ExchangeCodeRequest {
  /** The authorization code from the provider's redirect (`?code=`). */
  code: string;
  /** The user's email; selects the organisation and must match the signed-in identity. */
  email: string;
  /** The provider's name in the organisation's settings. */
  provider: string;
  /** The redirect URI used in the authorization request (compared exactly, RFC 6749 §4.1.3). */
  redirectUri: string;
  /** The `state` from the redirect, when the flow started at {@link OAuth.authorizationUrl}; binds the code to its PKCE verifier and nonce. */
  state?: string;
  /**
   * The `iss` parameter of the provider's redirect, when it sent one (RFC 9207); the service
   * then checks it names the provider's issuer, which defeats mix-up attacks.
   */
  iss?: string;
  /**
   * The session token given to {@link OAuth.authorizationUrl}, sent as `x-session-token`: the
   * service redeems a `state` only with the session it was started under.
   */
  sessionToken?: string;
}

/** The tokens the provider issued (the seed's `OAuthExchangeResponse`). */
export interface OAuthExchangeResponse {
  /** The provider's access token; pass it to `userAccount.authenticate`. */
  accessToken: string;
  /** The provider's ID token (OpenID Connect providers only). */
  idToken?: string;
  /** Usually `"Bearer"`. */
  tokenType: string;
  /** Lifetime of the access token in seconds, when the provider says. */
  expiresIn?: number;
}

/** Input of {@link OAuth.authorizationUrl}. */
export interface AuthorizationUrlRequest {
  provider: string;
  email: string;
  redirectUri: string;
  /** The session token from `userAccount.initAuth`, sent as `x-session-token` to tie the flow to that session. */
  sessionToken?: string;
  /** Passed on to the provider (OIDC Core §3.1.2.1): `login` asks the user to sign in again, e.g. to use another account. */
  prompt?: "login" | "select_account" | "consent" | "none";
}

/** Where to send the user, and the `state` the redirect will carry back. */
export interface AuthorizationUrlResponse {
  /** The provider's authorization URL, with `state`, `nonce` and a PKCE S256 challenge (RFC 7636) in it. */
  authorizationUrl: string;
  /** Opaque, single-use; pass it back to {@link OAuth.exchangeCode}. */
  state: string;
}

const exchangeShape = { access_token: "string", id_token: "string?", token_type: "string", expires_in: "integer?" } as const;
const authorizationShape = { authorizationUrl: "string", state: "string" } as const;

/** OAuth operations. Reach them as `client.oauth`. */
export class OAuth {
  readonly #transport: Transport;

  /** @internal Created by `Pipeshub`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Exchanges an OAuth authorization code for the provider's tokens:
   * `POST /userAccount/oauth/exchange`.
   *
   * Single-use: the code (RFC 6749 §4.1.2) and the `state` are redeemed by the first request
   * that reaches the service, so a replay after a 5xx, a reset or a timeout could only fail
   * (`INVALID_STATE`, `INVALID_GRANT`) and hide the real error. Even under `backoff` this call
   * is retried only when the connection could not be opened, or on a 429/503 with `Retry-After`.
   *
   * @throws {AuthError} 400, e.g. `INVALID_GRANT`, `REDIRECT_URI_MISMATCH`, `PROVIDER_NOT_FOUND`.
   * @throws {PipeshubDefaultError} any other 4xx/5xx (401 email mismatch, 404 no account, 502 provider failure…).
   * @throws {ResponseValidationError} a 2xx without `access_token`/`token_type` strings.
   */
  async exchangeCode(request: ExchangeCodeRequest, options?: RequestOptions): Promise<OAuthExchangeResponse> {
    const body: Record<string, string> = {
      code: request.code,
      email: request.email,
      provider: request.provider,
      redirectUri: request.redirectUri,
    };
    if (request.state !== undefined) body.state = request.state;
    if (request.iss !== undefined) body.iss = request.iss;
    const headers: Record<string, string> = {};
    if (request.sessionToken !== undefined) headers["x-session-token"] = request.sessionToken;
    return this.#transport.request(
      { method: "POST", path: "/userAccount/oauth/exchange", body, headers, idempotent: false },
      options,
      (raw) => {
        const wire = readShape(parseJson(raw), exchangeShape);
        const result: OAuthExchangeResponse = { accessToken: wire.access_token, tokenType: wire.token_type };
        if (typeof wire.id_token === "string") result.idToken = wire.id_token;
        if (typeof wire.expires_in === "number") result.expiresIn = wire.expires_in;
        return result;
      },
    );
  }

  /**
   * Asks the service for the provider's authorization URL:
   * `GET /userAccount/oauth/authorize?provider=&email=&redirectUri=`. The service keeps
   * `state`, `nonce` and the PKCE verifier server-side, single-use and short-lived.
   */
  async authorizationUrl(request: AuthorizationUrlRequest, options?: RequestOptions): Promise<AuthorizationUrlResponse> {
    const headers: Record<string, string> = {};
    if (request.sessionToken !== undefined) headers["x-session-token"] = request.sessionToken;
    return this.#transport.request(
      {
        method: "GET",
        path: "/userAccount/oauth/authorize",
        query: {
          provider: request.provider,
          email: request.email,
          redirectUri: request.redirectUri,
          ...(request.prompt !== undefined && { prompt: request.prompt }),
        },
        headers,
        // Each call stores a fresh state; a repeat leaves only an unused one that expires.
        idempotent: true,
      },
      options,
      (raw) => {
        const wire = readShape(parseJson(raw), authorizationShape);
        return { authorizationUrl: wire.authorizationUrl, state: wire.state };
      },
    );
  }
}
