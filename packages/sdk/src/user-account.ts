/**
 * `client.userAccount`: PipesHub's multi-step sign-in (`initAuth` → `authenticate`) and the
 * session's tokens (`refreshToken`, `logout`).
 */
import { parseJson, type RawResponse, type RequestOptions, type Transport } from "./http.ts";
import { readArray, readObject, readShape, ShapeError, type JsonObject } from "./validate.ts";

/** Sign-in methods PipesHub knows; a newer server may name others. */
export type AuthMethodName = "samlSso" | "otp" | "password" | "google" | "microsoft" | "azureAd" | "oauth";

/** A method name as received: a known {@link AuthMethodName} or a newer one. */
export type AllowedMethod = AuthMethodName | (string & {});

/**
 * Public settings of a generic OAuth provider, never the secret (the contract's
 * `AuthProviderOAuthPublicConfig`). `providerName` is the value to pass as `provider` to
 * `oauth.authorizationUrl`, `oauth.exchangeCode` and `userAccount.authenticate`.
 */
export interface OAuthProviderPublicConfig {
  /** The provider's name in the organisation; pass it as `provider`. */
  providerName: string;
  clientId: string;
  /** The provider's authorization endpoint. */
  authorizationUrl: string;
  /** The provider's token endpoint. */
  tokenEndpoint: string;
  /** The provider's userinfo endpoint, when it has one. */
  userInfoEndpoint?: string | null;
  /** Scopes the service requests, e.g. `"openid email profile"` (always sent by this service; optional in the contract). */
  scope?: string | null;
  /** Whether unknown users are created at first sign-in (always sent by this service; optional in the contract). */
  enableJit?: boolean | null;
  [key: string]: unknown;
}

/** Public settings of the providers allowed in the current step, keyed by method (the contract's `AuthProviders`). */
export interface AuthProviders {
  google?: JsonObject | null;
  microsoft?: JsonObject | null;
  azuread?: JsonObject | null;
  oauth?: OAuthProviderPublicConfig | null;
  saml?: JsonObject | null;
  [key: string]: unknown;
}

/** Input of {@link UserAccount.initAuth}. */
export interface InitAuthRequest {
  /** Optional (legacy): pre-fills the session and lets the service pick the organisation. */
  email?: string;
}

/** A new sign-in session and what the first step allows. */
export interface InitAuthResponse {
  /** From the `x-session-token` response header; send it to `authenticate`. */
  sessionToken: string;
  /** Always 0 at first. */
  currentStep: number;
  allowedMethods: AllowedMethod[];
  message: string;
  authProviders: AuthProviders;
  /** True when an allowed external provider provisions unknown users just in time. */
  jitEnabled: boolean;
  /**
   * Every OAuth provider of the organisation allowed in this step; `authProviders.oauth` is
   * only the default one. An addition to the contract: absent on servers without it.
   */
  oauthProviders?: OAuthProviderPublicConfig[];
  /** The organisation's name, when the service knows the organisation (an addition to the contract). */
  orgName?: string;
  /**
   * Providers of the organisation that cannot be reached right now, with the error `authorize`
   * would answer (an addition to the contract; absent when every provider answers).
   */
  unavailableProviders?: UnavailableProvider[];
}

/** A provider `initAuth` could not reach: the page can say so instead of "no provider". */
export interface UnavailableProvider {
  providerName: string;
  /** The failure id: PROVIDER_UNAVAILABLE ("Could not connect to the provider.", whatever the cause) or PROVIDER_ERROR. */
  error: string;
  message: string;
}

/** Input of {@link UserAccount.authenticate} for the `oauth` method. */
export interface AuthenticateRequest {
  /** From {@link InitAuthResponse.sessionToken}. */
  sessionToken: string;
  method: "oauth";
  /** The provider tokens from `oauth.exchangeCode`. */
  credentials: { accessToken: string; idToken?: string };
  /** The user's email, when `initAuth` was called without one. */
  email?: string;
  /**
   * Which of the organisation's providers issued the tokens (an addition to the contract).
   * Optional: the service otherwise uses the provider of the session's `oauth.authorizationUrl`
   * call, the organisation's only provider, or the one whose issuer the ID token names.
   */
  provider?: string;
}

/** All steps done: the service's own tokens. */
export interface AuthenticateFinal {
  kind: "final";
  /** `"Fully authenticated"`. */
  message: string;
  /** The service's access JWT (short-lived). */
  accessToken: string;
  /** The service's refresh JWT. */
  refreshToken: string;
}

/** This step succeeded; the organisation requires another. Call `authenticate` again with a method from `allowedMethods`. */
export interface AuthenticateNextStep {
  kind: "nextStep";
  status: "success";
  nextStep: number;
  allowedMethods: AllowedMethod[];
  authProviders: AuthProviders;
  /** The organisation's OAuth providers allowed in the next step (an addition to the contract). */
  oauthProviders?: OAuthProviderPublicConfig[];
}

/** Result of {@link UserAccount.authenticate}; switch on `kind`. */
export type AuthenticateResponse = AuthenticateFinal | AuthenticateNextStep;

/**
 * The user record returned with a refreshed access token (the contract's `RefreshTokenUser`).
 * `_id`, `orgId` and `email` are checked; the contract's other fields are typed when present.
 */
export interface RefreshTokenUser {
  _id: string;
  orgId: string;
  email: string;
  fullName?: string | null;
  /** The contract's organisation role: `"admin"` or `"member"`. */
  role?: "admin" | "member" | (string & {}) | null;
  hasLoggedIn?: boolean | null;
  isDeleted?: boolean | null;
  slug?: string | null;
  createdAt?: string | null;
  updatedAt?: string | null;
  [key: string]: unknown;
}

/** A refreshed session (the contract's `RefreshTokenResponse`). */
export interface RefreshTokenResponse {
  /** The new access token. */
  accessToken: string;
  /**
   * The rotated refresh token, when the server rotates (this service always does). Store it in
   * place of the old one: presenting a used refresh token again is treated as theft and ends
   * the session. Absent from the contract, so a server without rotation omits it.
   */
  refreshToken?: string;
  /** The signed-in user. */
  user: RefreshTokenUser;
}

const initAuthShape = {
  currentStep: "integer",
  allowedMethods: "string[]",
  message: "string",
  authProviders: "object",
  jitEnabled: "boolean",
  oauthProviders: "array?",
  orgName: "string?",
  unavailableProviders: "array?",
} as const;
const unavailableProviderShape = { providerName: "string", error: "string", message: "string" } as const;
const finalShape = { message: "string", accessToken: "string", refreshToken: "string" } as const;
const nextStepShape = {
  status: "string",
  nextStep: "integer",
  allowedMethods: "string[]",
  authProviders: "object",
  oauthProviders: "array?",
} as const;
const refreshShape = { accessToken: "string", refreshToken: "string?", user: "object" } as const;
const refreshUserShape = {
  _id: "string",
  orgId: "string",
  email: "string",
  fullName: "string?",
  hasLoggedIn: "boolean?",
  isDeleted: "boolean?",
  slug: "string?",
  createdAt: "string?",
  updatedAt: "string?",
} as const;
const authProvidersShape = {
  google: "object?",
  microsoft: "object?",
  azuread: "object?",
  oauth: "object?",
  saml: "object?",
} as const;
const oauthPublicShape = {
  providerName: "string",
  clientId: "string",
  authorizationUrl: "string",
  tokenEndpoint: "string",
  userInfoEndpoint: "string?",
  scope: "string?",
  enableJit: "boolean?",
} as const;

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
      const wire = readShape(parseJson(raw), initAuthShape);
      const sessionToken = raw.response.headers.get("x-session-token");
      if (!sessionToken) throw new ShapeError("x-session-token response header is missing");
      const result: InitAuthResponse = {
        sessionToken,
        currentStep: wire.currentStep,
        allowedMethods: wire.allowedMethods,
        message: wire.message,
        authProviders: readAuthProviders(wire.authProviders),
        jitEnabled: wire.jitEnabled,
      };
      if (wire.oauthProviders) result.oauthProviders = readOAuthProviders(wire.oauthProviders);
      if (wire.orgName != null) result.orgName = wire.orgName;
      if (wire.unavailableProviders) {
        result.unavailableProviders = readArray(wire.unavailableProviders, "response.unavailableProviders", (item, path) =>
          readShape(item, unavailableProviderShape, path),
        );
      }
      return result;
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
    const body: Record<string, unknown> = { method: request.method, credentials: request.credentials };
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
      (raw) => {
        const wire = readShape(parseJson(raw), refreshShape);
        const user = readShape(wire.user, refreshUserShape, "response.user");
        const result: RefreshTokenResponse = { accessToken: wire.accessToken, user };
        if (typeof wire.refreshToken === "string") result.refreshToken = wire.refreshToken;
        return result;
      },
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
}

function decodeAuthenticate(raw: RawResponse): AuthenticateResponse {
  const object = readObject(parseJson(raw), "response");
  if ("accessToken" in object || "refreshToken" in object) {
    const wire = readShape(object, finalShape);
    return { kind: "final", message: wire.message, accessToken: wire.accessToken, refreshToken: wire.refreshToken };
  }
  const wire = readShape(object, nextStepShape);
  if (wire.status !== "success") throw new ShapeError(`response.status: expected "success", got "${wire.status}"`);
  const result: AuthenticateNextStep = {
    kind: "nextStep",
    status: "success",
    nextStep: wire.nextStep,
    allowedMethods: wire.allowedMethods,
    authProviders: readAuthProviders(wire.authProviders),
  };
  if (wire.oauthProviders) result.oauthProviders = readOAuthProviders(wire.oauthProviders);
  return result;
}

function readAuthProviders(value: unknown): AuthProviders {
  const providers = readShape(value, authProvidersShape, "response.authProviders");
  if (providers.oauth) readShape(providers.oauth, oauthPublicShape, "response.authProviders.oauth");
  return providers as AuthProviders;
}

function readOAuthProviders(value: unknown[]): OAuthProviderPublicConfig[] {
  return readArray(value, "response.oauthProviders", (item, path) => readShape(item, oauthPublicShape, path));
}

/** `Authorization: Bearer` (RFC 6750 §2.1). */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
