import * as jose from "jose";
import * as oidc from "openid-client";
import { failure, type Failure, type Result, success } from "../domain/failures.ts";
import type { ProviderIdentity } from "../domain/identity.ts";
import { type ConfiguredProvider, emailVerifiedClaimOf, subjectClaimOf } from "../domain/provider-settings.ts";
import { isPermittedProviderUrl } from "../domain/provider-urls.ts";
import { primaryVerifiedEmail } from "./email-addresses.ts";
import { findOutboundError, type OutboundFetch } from "./outbound.ts";

export interface RedeemedTokens {
  readonly accessToken: string;
  readonly idToken: string | undefined;
  readonly tokenType: string;
  readonly expiresIn: number | undefined;
  readonly identity: ProviderIdentity;
}

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

export interface AuthorizationRequest {
  readonly redirectUri: string;
  readonly state: string;
  readonly nonce: string | undefined;
  readonly codeChallenge: string;
}

/** The port the sign-in logic uses to talk to providers. */
export interface ProviderGateway {
  redeemCode(provider: ConfiguredProvider, request: RedeemRequest): Promise<Result<RedeemedTokens>>;
  authorizationUrl(provider: ConfiguredProvider, request: AuthorizationRequest): Promise<Result<URL>>;
  /** Establishes the identity behind tokens a client presents (ID token, else userinfo). */
  identify(provider: ConfiguredProvider, tokens: { accessToken: string; idToken?: string; expectedNonce?: string }): Promise<Result<ProviderIdentity>>;
  /** The provider's endpoints, from settings or (cached) discovery. */
  endpoints(provider: ConfiguredProvider): Promise<Result<ProviderEndpoints>>;
  /** Fetches discovery (when configured) and checks the settings work; for admins. */
  check(provider: ConfiguredProvider): Promise<Result<{ issuer: string; authorizationEndpoint: string; tokenEndpoint: string }>>;
}

export interface ProviderEndpoints {
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userinfoEndpoint: string | undefined;
}

export interface ProviderGatewayOptions {
  readonly outbound: OutboundFetch;
  readonly timeoutMs: number;
  readonly allowInsecureLoopback: boolean;
  /** How long discovery documents are reused. */
  readonly discoveryTtlMs?: number;
  /** Clock skew tolerated on ID token times. */
  readonly clockToleranceSeconds?: number;
  readonly onProviderCall?: (provider: string, endpoint: string, seconds: number) => void;
}

const DEFAULT_ID_TOKEN_ALGS = ["RS256"];

/** Maps a failure talking to a provider to the public failure. Never includes tokens or secrets. */
export function providerFailure(providerName: string, error: unknown, step: string): Failure {
  const outbound = findOutboundError(error);
  if (outbound) {
    if (outbound.kind === "timeout") return failure("PROVIDER_TIMEOUT", `The provider "${providerName}" did not answer in time during ${step}.`, { detail: outbound.message });
    if (outbound.kind === "unreachable") return failure("PROVIDER_UNAVAILABLE", `The provider "${providerName}" could not be reached during ${step}.`, { detail: outbound.message });
    return failure("PROVIDER_ERROR", `The provider "${providerName}" gave an unusable answer during ${step}.`, { detail: outbound.message });
  }
  if (error instanceof oidc.ResponseBodyError) {
    const code = /^[\w.-]{1,64}$/.test(error.error) ? error.error : "invalid_response";
    if (error.status >= 500) return failure("PROVIDER_ERROR", `The provider "${providerName}" failed during ${step} (${code}).`, { extra: { providerError: code } });
    return failure("INVALID_GRANT", `The provider "${providerName}" refused the authorization code: ${code}.`, { extra: { providerError: code }, detail: `status ${error.status}` });
  }
  if (error instanceof oidc.WWWAuthenticateChallengeError) {
    // A 401 with WWW-Authenticate from the token endpoint: the provider refused our client.
    const param = error.cause[0]?.parameters.error;
    const code = param && /^[\w.-]{1,64}$/.test(param) ? param : "invalid_client";
    return failure("INVALID_GRANT", `The provider "${providerName}" refused the authorization code: ${code}.`, { extra: { providerError: code }, detail: `status ${error.status}` });
  }
  if (error instanceof jose.errors.JWKSTimeout) return failure("PROVIDER_TIMEOUT", `The provider "${providerName}" did not answer in time during ${step}.`);
  const refusal = errorInSuccessBody(error);
  if (refusal) return failure("INVALID_GRANT", `The provider "${providerName}" refused the authorization code: ${refusal}.`, { extra: { providerError: refusal }, detail: "status 200 with an error body" });
  const code = (error as { code?: unknown }).code;
  if (code === "OAUTH_TIMEOUT") return failure("PROVIDER_TIMEOUT", `The provider "${providerName}" did not answer in time during ${step}.`);
  if (code === "OAUTH_JWT_CLAIM_COMPARISON_FAILED" || code === "OAUTH_JWT_TIMESTAMP_CHECK_FAILED" || error instanceof jose.errors.JOSEError) {
    const claim = (error as { cause?: { claim?: unknown } }).cause?.claim;
    return failure("INVALID_ID_TOKEN", `The ID token from "${providerName}" failed validation${typeof claim === "string" ? ` (${claim})` : ""}.`, {
      detail: error instanceof Error ? error.message : String(error),
    });
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
  const body = ((error as { cause?: { cause?: { body?: unknown } } }).cause?.cause?.body ?? undefined) as { error?: unknown; access_token?: unknown } | undefined;
  if (!body || body.access_token !== undefined || typeof body.error !== "string") return undefined;
  return /^[\w.-]{1,64}$/.test(body.error) ? body.error : undefined;
}

function isUsableSubject(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "" && value !== "null" && value !== "undefined" && value.length <= 255;
}

/** A claim by name, never from the object's prototype. */
function claim(claims: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

/** Some providers send booleans as strings or 1 (e.g. in optional claims); nothing else means yes. */
function isAffirmative(value: unknown): boolean {
  return value === true || value === "true" || value === 1 || value === "1";
}

/**
 * Who signed in, from ID token or userinfo claims. The subject is the provider's `subjectClaim`
 * (default `sub`); the email counts as verified when its `emailVerifiedClaim` (default
 * `email_verified`) is true.
 */
function identityFromClaims(claims: Record<string, unknown>, source: ProviderIdentity["source"], settings: ConfiguredProvider["settings"]): Result<ProviderIdentity> {
  const subjectClaim = subjectClaimOf(settings);
  // Plain OAuth 2.0 user APIs often name the subject `id` and make it a number (GitHub).
  const rawSubject = claim(claims, subjectClaim) ?? (subjectClaim === "sub" && source === "userinfo" ? claim(claims, "id") : undefined);
  const subject = typeof rawSubject === "number" && Number.isSafeInteger(rawSubject) ? String(rawSubject) : rawSubject;
  if (!isUsableSubject(subject)) {
    return failure("PROVIDER_ERROR", subjectClaim === "sub" ? "The provider did not say who signed in (no usable subject)." : `The provider did not say who signed in (no usable "${subjectClaim}" claim).`);
  }
  const verified = isAffirmative(claim(claims, emailVerifiedClaimOf(settings)));
  return success({
    subject,
    email: typeof claims.email === "string" && claims.email !== "" ? claims.email : undefined,
    emailVerified: verified,
    name: typeof claims.name === "string" ? claims.name : undefined,
    source,
  });
}

/**
 * Talks to providers through openid-client (token request and response validation) and jose
 * (ID token signatures, which openid-client's code grant leaves unchecked under OIDC Core
 * §3.1.3.7 over TLS; we check them anyway). Discovery documents and JWKS are cached.
 */
export function createProviderGateway(options: ProviderGatewayOptions): ProviderGateway {
  const discoveryTtlMs = options.discoveryTtlMs ?? 60 * 60 * 1000;
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  const metadataCache = new Map<string, { expires: number; metadata: Promise<oidc.ServerMetadata> }>();
  const jwksCache = new Map<string, ReturnType<typeof jose.createRemoteJWKSet>>();
  const outbound = options.outbound;
  const timed = (provider: string, endpoint: string): OutboundFetch => async (url, init) => {
    const started = performance.now();
    try {
      return await outbound(url, init);
    } finally {
      options.onProviderCall?.(provider, endpoint, (performance.now() - started) / 1000);
    }
  };

  function discover(provider: ConfiguredProvider, issuer: string): Promise<oidc.ServerMetadata> {
    const cached = metadataCache.get(issuer);
    if (cached && cached.expires > Date.now()) return cached.metadata;
    const url = new URL(issuer);
    const metadata = oidc
      .discovery(url, provider.settings.clientId, undefined, undefined, {
        [oidc.customFetch]: timed(provider.settings.providerName, "discovery"),
        execute: isPermittedProviderUrl(url, options.allowInsecureLoopback) && url.protocol === "http:" ? [oidc.allowInsecureRequests] : [],
        timeout: Math.ceil(options.timeoutMs / 1000) + 1,
      })
      .then((config) => config.serverMetadata());
    metadataCache.set(issuer, { expires: Date.now() + discoveryTtlMs, metadata });
    // A failed discovery is not cached: the next sign-in tries again.
    metadata.catch(() => metadataCache.delete(issuer));
    return metadata;
  }

  async function serverMetadata(provider: ConfiguredProvider): Promise<oidc.ServerMetadata> {
    const s = provider.settings;
    if (s.issuer && !s.tokenEndpoint) return discover(provider, s.issuer);
    return {
      // Without an issuer the provider is plain OAuth 2.0; the token endpoint's origin stands in.
      issuer: s.issuer ?? new URL(s.tokenEndpoint!).origin,
      authorization_endpoint: s.authorizationUrl,
      token_endpoint: s.tokenEndpoint,
      ...(s.userInfoEndpoint && { userinfo_endpoint: s.userInfoEndpoint }),
      ...(s.jwksUri && { jwks_uri: s.jwksUri }),
    };
  }

  async function configuration(provider: ConfiguredProvider): Promise<{ config: oidc.Configuration; metadata: oidc.ServerMetadata }> {
    const s = provider.settings;
    const metadata = { ...(await serverMetadata(provider)) };
    if (s.userInfoEndpoint) metadata.userinfo_endpoint = s.userInfoEndpoint;
    if (s.jwksUri) metadata.jwks_uri = s.jwksUri;
    const auth = s.tokenEndpointAuthMethod === "client_secret_post" ? oidc.ClientSecretPost(provider.clientSecret) : oidc.ClientSecretBasic(provider.clientSecret);
    const config = new oidc.Configuration(metadata, s.clientId, { token_endpoint_auth_method: s.tokenEndpointAuthMethod }, auth);
    const tokenFetch = timed(s.providerName, "token");
    const userinfoFetch = timed(s.providerName, "userinfo");
    // One fetch serves the token and userinfo requests; label each call by its endpoint.
    config[oidc.customFetch] = (url, init) => (url === metadata.token_endpoint ? tokenFetch : userinfoFetch)(url, init);
    config.timeout = Math.ceil(options.timeoutMs / 1000) + 1;
    const endpoints = [metadata.token_endpoint, metadata.userinfo_endpoint, s.emailsEndpoint].filter((u): u is string => typeof u === "string");
    if (endpoints.some((u) => new URL(u).protocol === "http:")) oidc.allowInsecureRequests(config);
    return { config, metadata };
  }

  /** `configuration`, with a failure to learn it (discovery) as a typed result. */
  async function providerContext(provider: ConfiguredProvider): Promise<Result<{ config: oidc.Configuration; metadata: oidc.ServerMetadata }>> {
    try {
      return success(await configuration(provider));
    } catch (error) {
      return providerFailure(provider.settings.providerName, error, "discovery");
    }
  }

  function jwksFor(provider: ConfiguredProvider, jwksUri: string) {
    let jwks = jwksCache.get(jwksUri);
    if (!jwks) {
      jwks = jose.createRemoteJWKSet(new URL(jwksUri), {
        timeoutDuration: options.timeoutMs,
        // An unknown `kid` refetches the set at most once per cooldown.
        cooldownDuration: 30_000,
        cacheMaxAge: 10 * 60_000,
        [jose.customFetch]: timed(provider.settings.providerName, "jwks"),
      });
      jwksCache.set(jwksUri, jwks);
    }
    return jwks;
  }

  /** Verifies an ID token's signature and claims with jose against the provider's JWKS. */
  async function verifyIdToken(provider: ConfiguredProvider, metadata: oidc.ServerMetadata, idToken: string, expectedNonce: string | undefined) {
    if (!metadata.jwks_uri) throw new jose.errors.JOSEError("the provider publishes no jwks_uri");
    const { payload } = await jose.jwtVerify(idToken, jwksFor(provider, metadata.jwks_uri), {
      issuer: metadata.issuer,
      audience: provider.settings.clientId,
      algorithms: metadata.id_token_signing_alg_values_supported?.filter((a) => a !== "none") ?? DEFAULT_ID_TOKEN_ALGS,
      clockTolerance,
      requiredClaims: ["sub", "iat", "exp"],
    });
    if (expectedNonce !== undefined && payload.nonce !== expectedNonce) {
      throw new jose.errors.JWTClaimValidationFailed('unexpected "nonce" claim value', payload, "nonce", "check_failed");
    }
    // OIDC Core §3.1.3.7 steps 4-5, as openid-client checks them at the token endpoint: a token
    // with several audiences must name us as the party it was issued to, or another client that
    // listed us as one more audience could sign its users in here.
    if (Array.isArray(payload.aud) && payload.aud.length !== 1 && payload.azp !== provider.settings.clientId) {
      throw new jose.errors.JWTClaimValidationFailed('unexpected "azp" claim value', payload, "azp", "check_failed");
    }
    return payload;
  }

  async function userinfoClaims(provider: ConfiguredProvider, config: oidc.Configuration, metadata: oidc.ServerMetadata, accessToken: string, expectedSubject: string | undefined): Promise<Record<string, unknown>> {
    if (provider.settings.issuer && !provider.settings.userInfoEndpoint) {
      return (await oidc.fetchUserInfo(config, accessToken, expectedSubject ?? oidc.skipSubjectCheck)) as Record<string, unknown>;
    }
    // Plain OAuth 2.0 user APIs are not OpenID userinfo: read them as a protected resource.
    const endpoint = metadata.userinfo_endpoint;
    if (!endpoint) throw new Error("no userinfo endpoint");
    const response = await oidc.fetchProtectedResource(config, accessToken, new URL(endpoint), "GET");
    if (!response.ok) throw new UserinfoRefused(response.status);
    const claims = (await response.json()) as Record<string, unknown>;
    // OIDC Core §5.3.2, as fetchUserInfo checks it: claims for another subject are not this user's.
    if (expectedSubject !== undefined && claims.sub !== expectedSubject) throw new Error('userinfo answered for another "sub" than the ID token\'s');
    return claims;
  }

  async function identityFrom(provider: ConfiguredProvider, config: oidc.Configuration, metadata: oidc.ServerMetadata, accessToken: string, idToken: string | undefined, expectedNonce: string | undefined): Promise<Result<ProviderIdentity>> {
    const identity = await claimedIdentity(provider, config, metadata, accessToken, idToken, expectedNonce);
    if (!identity.ok || provider.settings.emailsEndpoint === undefined) return identity;
    // The user API's `email` is whatever the user made public; only the address list says
    // which address is the primary one and whether the provider verified it.
    let entries: unknown;
    try {
      entries = await emailAddresses(config, accessToken, provider.settings.emailsEndpoint);
    } catch (error) {
      return emailsFailure(provider, error);
    }
    const primary = primaryVerifiedEmail(entries);
    if (!primary.ok) return failure(primary.error, `The provider "${provider.settings.providerName}": ${primary.message}`);
    return success({ ...identity.value, email: primary.value, emailVerified: true });
  }

  async function claimedIdentity(provider: ConfiguredProvider, config: oidc.Configuration, metadata: oidc.ServerMetadata, accessToken: string, idToken: string | undefined, expectedNonce: string | undefined): Promise<Result<ProviderIdentity>> {
    const settings = provider.settings;
    if (idToken && settings.issuer) {
      let claims: Record<string, unknown>;
      try {
        claims = await verifyIdToken(provider, metadata, idToken, expectedNonce);
      } catch (error) {
        return providerFailure(settings.providerName, error, "ID token validation");
      }
      const identity = identityFromClaims(claims, "id_token", settings);
      if (!identity.ok || identity.value.email !== undefined || settings.emailsEndpoint !== undefined || !metadata.userinfo_endpoint) return identity;
      // Some providers put the email in userinfo only. Userinfo's `sub` must be the ID token's
      // (OIDC Core §5.3.2); the subject claim, when another, is kept from the ID token.
      const subjectClaim = subjectClaimOf(settings);
      const sub = claims.sub;
      if (!isUsableSubject(sub)) return identity;
      try {
        const extra = await userinfoClaims(provider, config, metadata, accessToken, sub);
        return identityFromClaims({ ...extra, sub, [subjectClaim]: claim(claims, subjectClaim) }, "id_token", settings);
      } catch (error) {
        return userinfoFailure(provider, error);
      }
    }
    try {
      return identityFromClaims(await userinfoClaims(provider, config, metadata, accessToken, undefined), "userinfo", settings);
    } catch (error) {
      return userinfoFailure(provider, error);
    }
  }

  return {
    async redeemCode(provider, request) {
      const name = provider.settings.providerName;
      const context = await providerContext(provider);
      if (!context.ok) return context;
      const { config, metadata } = context.value;
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
        return providerFailure(name, error, "the token request");
      }
      const identity = await identityFrom(provider, config, metadata, tokens.access_token, tokens.id_token, request.expectedNonce);
      if (!identity.ok) return identity;
      return success({
        accessToken: tokens.access_token,
        idToken: tokens.id_token,
        // oauth4webapi lower-cases token_type; RFC 6750 spells the scheme "Bearer".
        tokenType: !tokens.token_type || tokens.token_type.toLowerCase() === "bearer" ? "Bearer" : tokens.token_type,
        expiresIn: typeof tokens.expires_in === "number" ? tokens.expires_in : undefined,
        identity: identity.value,
      });
    },

    async authorizationUrl(provider, request) {
      const context = await providerContext(provider);
      if (!context.ok) return context;
      const { config } = context.value;
      const parameters: Record<string, string> = {
        response_type: "code",
        redirect_uri: request.redirectUri,
        scope: provider.settings.scope,
        state: request.state,
        code_challenge: request.codeChallenge,
        code_challenge_method: "S256",
      };
      if (request.nonce !== undefined) parameters.nonce = request.nonce;
      return success(oidc.buildAuthorizationUrl(config, parameters));
    },

    async identify(provider, tokens) {
      const context = await providerContext(provider);
      if (!context.ok) return context;
      return identityFrom(provider, context.value.config, context.value.metadata, tokens.accessToken, tokens.idToken, tokens.expectedNonce);
    },

    async endpoints(provider) {
      const context = await providerContext(provider);
      if (!context.ok) return context;
      const { metadata } = context.value;
      return success({
        issuer: metadata.issuer,
        authorizationEndpoint: metadata.authorization_endpoint ?? "",
        tokenEndpoint: metadata.token_endpoint ?? "",
        userinfoEndpoint: metadata.userinfo_endpoint,
      });
    },

    async check(provider) {
      const context = await providerContext(provider);
      if (!context.ok) return context;
      const { metadata } = context.value;
      try {
        if (metadata.jwks_uri && provider.settings.issuer) await jwksFor(provider, metadata.jwks_uri).reload();
      } catch (error) {
        return providerFailure(provider.settings.providerName, error, "discovery");
      }
      return success({ issuer: metadata.issuer, authorizationEndpoint: metadata.authorization_endpoint ?? "", tokenEndpoint: metadata.token_endpoint ?? "" });
    },
  };
}

/** Reads a GitHub-shaped email address list (GitHub's `GET /user/emails`) as a protected resource. */
async function emailAddresses(config: oidc.Configuration, accessToken: string, endpoint: string): Promise<unknown> {
  const headers = new Headers({ accept: "application/vnd.github+json, application/json;q=0.9" });
  const response = await oidc.fetchProtectedResource(config, accessToken, new URL(endpoint), "GET", undefined, headers);
  if (!response.ok) throw new UserinfoRefused(response.status);
  return response.json();
}

function emailsFailure(provider: ConfiguredProvider, error: unknown): Failure {
  const name = provider.settings.providerName;
  const status = error instanceof UserinfoRefused || error instanceof oidc.WWWAuthenticateChallengeError ? error.status : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    // GitHub answers 404 (not 403) when the token lacks the user:email scope.
    return failure("USERINFO_FAILED", `The provider "${name}" refused to list the account's email addresses (answered ${status}); the user:email scope may be missing.`);
  }
  return providerFailure(name, error, "the email addresses request");
}

class UserinfoRefused extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`userinfo answered ${status}`);
    this.name = "UserinfoRefused";
    this.status = status;
  }
}

function userinfoFailure(provider: ConfiguredProvider, error: unknown): Failure {
  const name = provider.settings.providerName;
  const status =
    error instanceof UserinfoRefused || error instanceof oidc.WWWAuthenticateChallengeError
      ? error.status
      : (error as { cause?: unknown }).cause instanceof Response
        ? (error as { cause: Response }).cause.status
        : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    return failure("USERINFO_FAILED", `The provider "${name}" refused to say who signed in (userinfo answered ${status}).`);
  }
  return providerFailure(name, error, "the userinfo request");
}
