/**
 * `client.oauth`: the OAuth 2.0 authorization-code leg of sign-in (RFC 6749 §4.1), brokered
 * by the service so the provider's client secret never reaches the browser.
 */
import type { RequestOptions, Transport } from "./http.ts";
import { readBody, type Query, type RequestBody, type ResponseBody } from "./wire.ts";

/**
 * Input of {@link OAuth.exchangeCode}: the seed's parameters, camelCase, as the body of
 * `POST /userAccount/oauth/exchange` (`code`, `email`, `provider`, `redirectUri`, and `state`
 * and `iss` when the redirect carried them), plus the session token sent as `x-session-token`.
 */
export type ExchangeCodeRequest = RequestBody<"POST /userAccount/oauth/exchange"> & {
  /**
   * The session token given to {@link OAuth.authorizationUrl}, sent as `x-session-token`: the
   * service redeems a `state` only with the session it was started under.
   */
  sessionToken?: string;
};

/**
 * The tokens the provider issued (the seed's `OAuthExchangeResponse`). The wire's snake_case
 * (`access_token`, `id_token`, `token_type`, `expires_in`) is renamed to the seed's camelCase.
 */
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

/** Input of {@link OAuth.authorizationUrl}: its query, and the session token sent as `x-session-token`. */
export type AuthorizationUrlRequest = Query<"GET /userAccount/oauth/authorize"> & {
  /** The session token from `userAccount.initAuth`, sent as `x-session-token` to tie the flow to that session. */
  sessionToken?: string;
};

/** Where to send the user (with `state`, `nonce` and a PKCE S256 challenge), and the single-use `state` to pass back to {@link OAuth.exchangeCode}. */
export type AuthorizationUrlResponse = ResponseBody<"GET /userAccount/oauth/authorize">;

type ExchangeWire = ResponseBody<"POST /userAccount/oauth/exchange">;

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
    const body: RequestBody<"POST /userAccount/oauth/exchange"> = {
      code: request.code,
      email: request.email,
      provider: request.provider,
      redirectUri: request.redirectUri,
    };
    if (request.state !== undefined) body.state = request.state;
    if (request.iss !== undefined) body.iss = request.iss;
    const headers: Record<string, string> = {};
    if (request.sessionToken !== undefined) headers["x-session-token"] = request.sessionToken;
    const readExchange = readBody<ExchangeWire>("POST /userAccount/oauth/exchange");
    return this.#transport.request(
      { method: "POST", path: "/userAccount/oauth/exchange", body, headers, idempotent: false },
      options,
      (raw) => {
        const wire = readExchange(raw);
        const result: OAuthExchangeResponse = { accessToken: wire.access_token, tokenType: wire.token_type };
        if (wire.id_token !== undefined) result.idToken = wire.id_token;
        if (wire.expires_in !== undefined) result.expiresIn = wire.expires_in;
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
    const readAuthorization = readBody<AuthorizationUrlResponse>("GET /userAccount/oauth/authorize");
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
        const { authorizationUrl, state } = readAuthorization(raw);
        return { authorizationUrl, state };
      },
    );
  }
}
