/**
 * `client.userAccount`: PipesHub's multi-step sign-in (`initAuth` → `authenticate`) and the
 * session's tokens (`refreshToken`, `logout`). The wire types are the service's
 * (generated/api.ts); where PipesHub's contract requires less than this service sends, the
 * SDK accepts the contract's answer too, and says so below.
 */
import type { RawResponse, RequestOptions, Transport } from "./http.ts";
import { ShapeError } from "./schema-check.ts";
import { readBody, withOptional, type RequestBody, type ResponseBody } from "./wire.ts";

/** Sign-in methods PipesHub knows. */
export type AuthMethodName = RequestBody<"POST /userAccount/authenticate">["method"];

/** A method name as received: a known {@link AuthMethodName} or a newer one. */
export type AllowedMethod = AuthMethodName | (string & {});

type InitAuthWire = ResponseBody<"POST /userAccount/initAuth">;
type AuthenticateWire = ResponseBody<"POST /userAccount/authenticate">;
type RefreshWire = ResponseBody<"POST /userAccount/refresh/token">;

/** Public settings of the providers allowed in the current step, keyed by method (the contract's `AuthProviders`). */
export type AuthProviders = InitAuthWire["authProviders"];

/**
 * Public settings of a generic OAuth provider, never the secret (the contract's
 * `AuthProviderOAuthPublicConfig`). `providerName` is the value to pass as `provider` to
 * `oauth.authorizationUrl`, `oauth.exchangeCode` and `userAccount.authenticate`.
 */
export type OAuthProviderPublicConfig = InitAuthWire["oauthProviders"][number];

/** A provider `initAuth` could not reach: the page can say so instead of "no provider". */
export type UnavailableProvider = NonNullable<InitAuthWire["unavailableProviders"]>[number];

/** Input of {@link UserAccount.initAuth}: the email is optional (legacy); it pre-fills the session and lets the service pick the organisation. */
export type InitAuthRequest = RequestBody<"POST /userAccount/initAuth">;

/**
 * A new sign-in session and what the first step allows. `oauthProviders` (every OAuth provider
 * of the organisation allowed in this step; `authProviders.oauth` is only the default one) is
 * an addition to the contract: absent on servers without it.
 */
export type InitAuthResponse = Omit<InitAuthWire, "oauthProviders"> & {
  /** From the `x-session-token` response header; send it to `authenticate`. */
  sessionToken: string;
  oauthProviders?: OAuthProviderPublicConfig[];
};

/** Input of {@link UserAccount.authenticate} for the `oauth` method. */
export type AuthenticateRequest = Pick<RequestBody<"POST /userAccount/authenticate">, "email" | "provider"> & {
  /** From {@link InitAuthResponse.sessionToken}. */
  sessionToken: string;
  method: "oauth";
  /** The provider tokens from `oauth.exchangeCode`. */
  credentials: { accessToken: string; idToken?: string };
};

/** All steps done: the service's own tokens (a short-lived access JWT and a refresh JWT). */
export type AuthenticateFinal = { kind: "final" } & Extract<AuthenticateWire, { accessToken: string }>;

/** This step succeeded; the organisation requires another. Call `authenticate` again with a method from `allowedMethods`. */
export type AuthenticateNextStep = { kind: "nextStep" } & Omit<Extract<AuthenticateWire, { nextStep: number }>, "oauthProviders"> & {
    /** The organisation's OAuth providers allowed in the next step (an addition to the contract). */
    oauthProviders?: OAuthProviderPublicConfig[];
  };

/** Result of {@link UserAccount.authenticate}; switch on `kind`. */
export type AuthenticateResponse = AuthenticateFinal | AuthenticateNextStep;

type RefreshUserWire = RefreshWire["user"];

/**
 * The user record returned with a refreshed access token (the contract's `RefreshTokenUser`).
 * `_id`, `orgId` and `email` are required; the contract's other fields, which this service
 * always sends, may be absent from another server's answer.
 */
export type RefreshTokenUser = Pick<RefreshUserWire, "_id" | "orgId" | "email"> & Partial<Omit<RefreshUserWire, "_id" | "orgId" | "email">>;

/**
 * A refreshed session (the contract's `RefreshTokenResponse`). `refreshToken` is the rotated
 * refresh token when the server rotates (this service always does): store it in place of the
 * old one, since presenting a used refresh token again ends the session.
 */
export type RefreshTokenResponse = Omit<RefreshWire, "user"> & { user: RefreshTokenUser };

/** The contract's user requires only these; the rest are optional there. */
const CONTRACT_USER_OPTIONAL = ["fullName", "role", "hasLoggedIn", "isDeleted", "slug", "createdAt", "updatedAt", "__v"].map(
  (field) => `user.${field}`,
);

const readInitAuth = readBody<InitAuthWire>("POST /userAccount/initAuth", (schema) => withOptional(schema, ["oauthProviders"]));
const readRefresh = readBody<RefreshWire>("POST /userAccount/refresh/token", (schema) => withOptional(schema, CONTRACT_USER_OPTIONAL));
/** Checked against the branch the answer claims, so an error names what is wrong with it: tokens make it final. */
const readAuthenticate = readBody<AuthenticateWire>("POST /userAccount/authenticate", (schema, body) => {
  const final = typeof body === "object" && body !== null && ("accessToken" in body || "refreshToken" in body);
  const branch = schema.anyOf!.find((b) => b.required?.includes("accessToken") === final)!;
  return final ? branch : withOptional(branch, ["oauthProviders"]);
});

/** User-account operations. Reach them as `client.userAccount`. */
export class UserAccount {
  readonly #transport: Transport;

  /** @internal Created by `Pipeshub`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Starts a sign-in session: `POST /userAccount/initAuth`. The session token comes from the
   * `x-session-token` response header (a browser client needs the server to expose it via CORS).
   *
   * Retried like a read under `backoff`: a repeat only leaves an unused session behind, which
   * expires on its own, and the caller keeps the token of the answer it received.
   *
   * @throws {ResponseValidationError} a 2xx without the `x-session-token` header or with a malformed body.
   */
  async initAuth(request: InitAuthRequest = {}, options?: RequestOptions): Promise<InitAuthResponse> {
    const body = request.email === undefined ? {} : { email: request.email };
    return this.#transport.request({ method: "POST", path: "/userAccount/initAuth", body, idempotent: true }, options, (raw) => {
      const wire = readInitAuth(raw);
      const sessionToken = raw.response.headers.get("x-session-token");
      if (!sessionToken) throw new ShapeError("x-session-token response header is missing");
      return { sessionToken, ...wire };
    });
  }

  /**
   * Completes one sign-in step: `POST /userAccount/authenticate` with the session token in
   * `x-session-token`. For `oauth`, the credentials are the provider tokens from
   * `oauth.exchangeCode`, which the service verifies again.
   *
   * Returns `{ kind: "final", accessToken, refreshToken }` when all steps are done, or
   * `{ kind: "nextStep", nextStep, allowedMethods }` when the organisation requires another.
   *
   * Single-use: a step completes once, so this call is retried only when provably not
   * processed (connection not opened, or 429/503 with `Retry-After`).
   */
  async authenticate(request: AuthenticateRequest, options?: RequestOptions): Promise<AuthenticateResponse> {
    const body: RequestBody<"POST /userAccount/authenticate"> = { method: request.method, credentials: request.credentials };
    if (request.email !== undefined) body.email = request.email;
    if (request.provider !== undefined) body.provider = request.provider;
    return this.#transport.request(
      { method: "POST", path: "/userAccount/authenticate", body, headers: { "x-session-token": request.sessionToken }, idempotent: false },
      options,
      decodeAuthenticate,
    );
  }

  /**
   * Exchanges a refresh token for a new access token: `POST /userAccount/refresh/token` with
   * `Authorization: Bearer <refreshToken>`.
   *
   * Single-use: the service rotates the refresh token, so a replay after a lost response
   * would present a used token, which the service treats as theft: it ends the session and
   * answers 401. Even under `backoff` this call is retried only when the connection could not
   * be opened, or on a 429/503 with `Retry-After`.
   */
  async refreshToken(request: { refreshToken: string }, options?: RequestOptions): Promise<RefreshTokenResponse> {
    return this.#transport.request(
      { method: "POST", path: "/userAccount/refresh/token", headers: bearer(request.refreshToken), idempotent: false },
      options,
      readRefresh,
    );
  }

  /**
   * Ends the session of `accessToken`: `POST /userAccount/logout/manual` with `Authorization: Bearer`.
   * Discard the tokens locally too. Single-use like `refreshToken`: a replay after the session
   * ended answers 401.
   */
  async logout(request: { accessToken: string }, options?: RequestOptions): Promise<void> {
    await this.#transport.request(
      { method: "POST", path: "/userAccount/logout/manual", headers: bearer(request.accessToken), idempotent: false },
      options,
      () => undefined,
    );
  }

  /**
   * Whether `token` (an access or refresh token of the service) is live now, for a resource
   * server: `POST /userAccount/token/introspect` (RFC 7662) with the resource server's
   * `introspectionToken` (made by the operator) as `Authorization: Bearer`. `{active: false}` says
   * nothing more: expired, its session ended, its user disabled or gone. Reads nothing: idempotent.
   */
  introspectToken(request: { token: string; introspectionToken: string }, options?: RequestOptions): Promise<TokenIntrospection> {
    const body: RequestBody<"POST /userAccount/token/introspect"> = { token: request.token };
    return this.#transport.request(
      { method: "POST", path: "/userAccount/token/introspect", headers: bearer(request.introspectionToken), body, idempotent: true },
      options,
      readBody<TokenIntrospection>("POST /userAccount/token/introspect"),
    );
  }
}

/** RFC 7662's answer about one of the service's tokens. */
export type TokenIntrospection = ResponseBody<"POST /userAccount/token/introspect">;

function decodeAuthenticate(raw: RawResponse): AuthenticateResponse {
  const wire = readAuthenticate(raw);
  return "accessToken" in wire ? { kind: "final", ...wire } : { kind: "nextStep", ...wire };
}

/** `Authorization: Bearer` (RFC 6750 §2.1). */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
