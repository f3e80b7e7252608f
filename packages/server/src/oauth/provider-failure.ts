import * as jose from "jose";
import * as oidc from "openid-client";
import { failure, type Failure } from "../domain/failures.ts";
import { findOutboundError } from "./outbound.ts";

/** A protected resource (a plain OAuth 2.0 user API, an email list) answered with a non-2xx status. */
export class ResourceRefused extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`the provider answered ${status}`);
    this.name = "ResourceRefused";
    this.status = status;
  }
}

/** The HTTP status a provider refused a resource request with, when the error says. */
export function refusalStatus(error: unknown): number | undefined {
  if (error instanceof ResourceRefused || error instanceof oidc.WWWAuthenticateChallengeError) return error.status;
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Response ? cause.status : undefined;
}

/** An OAuth error code fit to pass on to the client (RFC 6749 §5.2 codes are short tokens). */
const isOAuthErrorCode = (value: unknown): value is string => typeof value === "string" && /^[\w.-]{1,64}$/.test(value);

/**
 * Maps a failure talking to a provider to the public failure: the provider's own failure
 * (502/504) or its refusal of the code, never a 500 of ours. Never includes tokens or secrets.
 */
export function providerFailure(providerName: string, error: unknown, step: string): Failure {
  const outbound = findOutboundError(error);
  if (outbound) {
    if (outbound.kind === "timeout")
      return failure("PROVIDER_TIMEOUT", `The provider "${providerName}" did not answer in time during ${step}.`, {
        detail: outbound.message,
      });
    if (outbound.kind === "unreachable")
      return failure("PROVIDER_UNAVAILABLE", `The provider "${providerName}" could not be reached during ${step}.`, {
        detail: outbound.message,
      });
    if (outbound.kind === "refused")
      // The same refusal as when a literal private address is saved; which range, or whether
      // anything listens there, is never said.
      return failure(
        "INVALID_PROVIDER_SETTINGS",
        `The provider "${providerName}" points at a private, loopback or other special-purpose address (PROVIDER_NETWORK_ALLOW can allow one); refused during ${step}.`,
        { detail: outbound.message },
      );
    return failure("PROVIDER_ERROR", `The provider "${providerName}" gave an unusable answer during ${step}.`, {
      detail: outbound.message,
    });
  }
  if (error instanceof oidc.ResponseBodyError) {
    const code = isOAuthErrorCode(error.error) ? error.error : "invalid_response";
    if (error.status >= 500)
      return failure("PROVIDER_ERROR", `The provider "${providerName}" failed during ${step} (${code}).`, {
        extra: { providerError: code },
      });
    return failure("INVALID_GRANT", `The provider "${providerName}" refused the authorization code: ${code}.`, {
      extra: { providerError: code },
      detail: `status ${error.status}`,
    });
  }
  if (error instanceof oidc.WWWAuthenticateChallengeError) {
    // A 401 with WWW-Authenticate from the token endpoint: the provider refused our client.
    const param = error.cause[0]?.parameters.error;
    const code = isOAuthErrorCode(param) ? param : "invalid_client";
    return failure("INVALID_GRANT", `The provider "${providerName}" refused the authorization code: ${code}.`, {
      extra: { providerError: code },
      detail: `status ${error.status}`,
    });
  }
  if (error instanceof jose.errors.JWKSInvalid)
    return failure("PROVIDER_ERROR", `The provider "${providerName}" published an unusable key set.`, { detail: error.message });
  if (error instanceof jose.errors.JWKSTimeout)
    return failure("PROVIDER_TIMEOUT", `The provider "${providerName}" did not answer in time during ${step}.`);
  const refusal = errorInSuccessBody(error);
  if (refusal)
    return failure("INVALID_GRANT", `The provider "${providerName}" refused the authorization code: ${refusal}.`, {
      extra: { providerError: refusal },
      detail: "status 200 with an error body",
    });
  const code = (error as { code?: unknown }).code;
  if (code === "OAUTH_TIMEOUT") return failure("PROVIDER_TIMEOUT", `The provider "${providerName}" did not answer in time during ${step}.`);
  if (
    code === "OAUTH_JWT_CLAIM_COMPARISON_FAILED" ||
    code === "OAUTH_JWT_TIMESTAMP_CHECK_FAILED" ||
    error instanceof jose.errors.JOSEError ||
    isIdTokenRuleBroken(error)
  ) {
    const claim = (error as { cause?: { claim?: unknown } }).cause?.claim;
    return failure(
      "INVALID_ID_TOKEN",
      `The ID token from "${providerName}" failed validation${typeof claim === "string" ? ` (${claim})` : ""}.`,
      {
        detail: innermostMessage(error),
      },
    );
  }
  return failure("PROVIDER_ERROR", `The provider "${providerName}" gave an unusable answer during ${step}.`, {
    detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
}

/**
 * GitHub answers a refused token request with 200 and an OAuth error body instead of RFC 6749
 * §5.2's 400; oauth4webapi then finds no `access_token`. The body's `error` is still the
 * provider's refusal, not an unusable answer.
 */
function errorInSuccessBody(error: unknown): string | undefined {
  if ((error as { code?: unknown }).code !== "OAUTH_INVALID_RESPONSE") return undefined;
  const body = ((error as { cause?: { cause?: { body?: unknown } } }).cause?.cause?.body ?? undefined) as
    { error?: unknown; access_token?: unknown } | undefined;
  if (!body || body.access_token !== undefined || typeof body.error !== "string") return undefined;
  return isOAuthErrorCode(body.error) ? body.error : undefined;
}

/**
 * oauth4webapi reports an ID token that breaks a rule of OIDC Core §3.1.3.7 (an `alg` the
 * provider does not announce, `none` included; a missing or mistyped `sub`/`iat`/`exp`; an
 * unparseable JWT) with the generic codes it also uses for other malformed answers, so the ID
 * token is recognised by what the error says it was checking. That is an invalid ID token (401):
 * the provider answered, but with a token we must not trust.
 */
function isIdTokenRuleBroken(error: unknown): boolean {
  // openid-client wraps oauth4webapi's error ("invalid response encountered") with it as `cause`.
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code !== "OAUTH_INVALID_RESPONSE" && code !== "OAUTH_PARSE_ERROR" && e.name !== "UnsupportedOperationError") continue;
    if (/\bJWT\b|\bJWS\b|ID Token/.test(e.message)) return true;
  }
  return false;
}

/** The innermost message of a wrapped error: the specific rule that failed, for the log. */
function innermostMessage(error: unknown): string {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && e.cause instanceof Error && depth < 3; depth++) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}
