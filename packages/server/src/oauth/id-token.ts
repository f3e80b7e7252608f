import type { KeyObject } from "node:crypto";
import * as jose from "jose";
import { jwtClaimRefusal, keyObjectOf, parseCompactJws, verifyJwsSignature } from "../domain/compact-jws.ts";
import { failure, type Result, success } from "../domain/failures.ts";
import { type Clock, systemClock } from "../domain/ports/clock.ts";
import { type ProviderCallObserver, timedCall } from "./call-timing.ts";
import type { ProviderConnection } from "./discovery.ts";
import type { OutboundFetch } from "./outbound.ts";
import { providerFailure, ResourceRefused } from "./provider-failure.ts";

/** The claims of an ID token whose signature and claims were verified. */
export type IdTokenClaims = jose.JWTPayload;

/** Verifies providers' ID tokens; holds one JWKS cache per app. */
export interface IdTokenVerifier {
  /**
   * Verifies an ID token (OIDC Core §3.1.3.7) against the provider's published keys: the
   * signature with an algorithm the provider announces (never `none`), `iss` = the provider's
   * issuer, `aud` containing our client (and `azp` = our client when there are several), `exp`
   * and `iat` within the clock tolerance, and `nonce` when one was sent. Fails closed.
   */
  verify(connection: ProviderConnection, idToken: string, expectedNonce: string | undefined): Promise<Result<IdTokenClaims>>;
  /** Fetches the provider's keys now (an admin's check that they can be). */
  reloadKeys(connection: ProviderConnection): Promise<Result<void>>;
}

/** What the verifier fetches keys through, and how long it waits. */
export interface IdTokenVerifierOptions {
  readonly outbound: OutboundFetch;
  readonly timeoutMs: number;
  /** Clock skew tolerated on `exp` and `iat` (default 30 s). */
  readonly clockToleranceSeconds?: number;
  /** How often an unknown `kid` may refetch one provider's keys (default 5 s). */
  readonly unknownKeyRefetchIntervalMs?: number;
  readonly onProviderCall?: ProviderCallObserver;
  /**
   * What the refetch interval is read by (default the system clock). `exp` and `iat` are checked
   * against the wall clock: the provider stamped them by its own.
   */
  readonly clock?: Pick<Clock, "now">;
}

/**
 * A key set the provider fails to serve is the provider's failure (502), not a bad ID token:
 * it must not count against the user (a lockout) as a forged token would.
 */
function keySetFetch(fetchKeys: OutboundFetch): OutboundFetch {
  return async (url, init) => {
    const response = await fetchKeys(url, init);
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new ResourceRefused(response.status);
    }
    return response;
  };
}

/** What a provider that announces no signing algorithms signs with (OpenID Connect Discovery §3 default). */
const DEFAULT_ID_TOKEN_ALGS = ["RS256"];

/** How long a provider's key set is used before it is fetched again regardless. */
const KEYS_MAX_AGE_MS = 10 * 60_000;

/** One provider's key set and its last refetch for an unknown `kid`. */
interface ProviderKeys {
  readonly remote: ReturnType<typeof jose.createRemoteJWKSet>;
  unknownKeyRefetchAt: number;
  unknownKeyRefetch: Promise<void>;
}

/**
 * Checks ID token signatures against each provider's JWKS (cached per `jwks_uri`; jose fetches it
 * and picks the key, domain/compact-jws.ts checks the signature with its node:crypto KeyObject):
 * openid-client's code grant leaves them unchecked under OIDC Core §3.1.3.7 over TLS, and an ID
 * token presented to authenticate never passed a token endpoint at all.
 */
export function createIdTokenVerifier(options: IdTokenVerifierOptions): IdTokenVerifier {
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  const refetchIntervalMs = options.unknownKeyRefetchIntervalMs ?? 5_000;
  const clock = options.clock ?? systemClock;
  const jwksCache = new Map<string, ProviderKeys>();

  function keysFor(connection: ProviderConnection, jwksUri: string): ProviderKeys {
    let keys = jwksCache.get(jwksUri);
    if (!keys) {
      const remote = jose.createRemoteJWKSet(new URL(jwksUri), {
        timeoutDuration: options.timeoutMs,
        cacheMaxAge: KEYS_MAX_AGE_MS,
        // jose's own unknown-kid refetch counts its cooldown from any fetch, so a key rotated to
        // just after a sign-in fetched the set would fail for the whole cooldown. It is left
        // off here (the set still refreshes after KEYS_MAX_AGE_MS); jwksFor refetches instead.
        cooldownDuration: KEYS_MAX_AGE_MS,
        [jose.customFetch]: keySetFetch(
          timedCall(options.outbound, options.onProviderCall, connection.provider.settings.providerName, "jwks"),
        ),
      });
      keys = { remote, unknownKeyRefetchAt: Number.NEGATIVE_INFINITY, unknownKeyRefetch: Promise.resolve() };
      jwksCache.set(jwksUri, keys);
    }
    return keys;
  }

  /**
   * The provider's key set as jose reads it, refetched at once when a token names a `kid` it
   * does not hold (the provider rotated its keys): at most once per `refetchIntervalMs` per
   * provider, so tokens with made-up kids cannot make the service hammer the provider. A token
   * arriving while (or just after) such a refetch waits for it and looks again.
   */
  function jwksFor(connection: ProviderConnection, jwksUri: string): jose.JWTVerifyGetKey {
    const keys = keysFor(connection, jwksUri);
    return async (header, token) => {
      try {
        return await keys.remote(header, token);
      } catch (error) {
        if (!(error instanceof jose.errors.JWKSNoMatchingKey)) throw error;
        if (clock.now() - keys.unknownKeyRefetchAt >= refetchIntervalMs) {
          keys.unknownKeyRefetchAt = clock.now();
          keys.unknownKeyRefetch = keys.remote.reload();
        }
        await keys.unknownKeyRefetch;
        return keys.remote(header, token);
      }
    };
  }

  /** The key the token's header selects from the provider's set (jose picks it by `kid`, `alg` and key type). */
  async function keysForToken(
    connection: ProviderConnection,
    jwksUri: string,
    header: jose.CompactJWSHeaderParameters,
  ): Promise<KeyObject[]> {
    const jwks = jwksFor(connection, jwksUri);
    // Only public keys: a symmetric key (an `oct` JWK) never verifies an ID token here.
    const asymmetric = (key: unknown): KeyObject => {
      if (!(key instanceof CryptoKey) || key.type !== "public") throw new jose.errors.JOSENotSupported("not a public key");
      return keyObjectOf(key);
    };
    try {
      return [asymmetric(await jwks(header, { payload: "", signature: "" }))];
    } catch (error) {
      // Several keys match (no `kid`): each is tried, as jose does.
      if (!(error instanceof jose.errors.JWKSMultipleMatchingKeys)) throw error;
      const keys: KeyObject[] = [];
      for await (const key of error) keys.push(asymmetric(key));
      return keys;
    }
  }

  async function verified(connection: ProviderConnection, idToken: string, expectedNonce: string | undefined): Promise<IdTokenClaims> {
    const { metadata, provider } = connection;
    if (!metadata.jwks_uri) throw new jose.errors.JOSEError("the provider publishes no jwks_uri");
    const jws = parseCompactJws(idToken);
    if (jws === "crit") throw new jose.errors.JOSENotSupported("an unrecognized critical header parameter");
    if (typeof jws === "string") throw new jose.errors.JWSInvalid("not a signed JWT");
    const algorithms = metadata.id_token_signing_alg_values_supported?.filter((a) => a !== "none") ?? DEFAULT_ID_TOKEN_ALGS;
    if (!algorithms.includes(jws.header.alg as string))
      throw new jose.errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
    const keys = await keysForToken(connection, metadata.jwks_uri, jws.header as jose.CompactJWSHeaderParameters);
    const checks = keys.map((key) => verifyJwsSignature(jws, key));
    if (!checks.includes(true)) {
      if (checks.includes("algorithm") || checks.includes("key"))
        throw new jose.errors.JOSENotSupported("the key does not fit the algorithm");
      throw new jose.errors.JWSSignatureVerificationFailed();
    }
    const payload = jws.payload as IdTokenClaims;
    const refusal = jwtClaimRefusal(payload, {
      required: ["sub", "iat", "exp"],
      issuer: metadata.issuer,
      audience: provider.settings.clientId,
      clockToleranceSeconds: clockTolerance,
      now: Math.floor(Date.now() / 1000),
    });
    if (refusal) {
      const message = `"${refusal.claim}" claim check failed (${refusal.reason})`;
      if (refusal.reason === "expired") throw new jose.errors.JWTExpired(message, payload, refusal.claim, "check_failed");
      throw new jose.errors.JWTClaimValidationFailed(
        message,
        payload,
        refusal.claim,
        refusal.reason === "missing" ? "missing" : "check_failed",
      );
    }
    // A token issued in the future (beyond the tolerance) is refused: jose's own check is only of its type.
    if (typeof payload.iat === "number" && payload.iat > Math.floor(Date.now() / 1000) + clockTolerance) {
      throw new jose.errors.JWTClaimValidationFailed(
        '"iat" claim timestamp check failed (issued in the future)',
        payload,
        "iat",
        "check_failed",
      );
    }
    if (expectedNonce !== undefined && payload.nonce !== expectedNonce) {
      throw new jose.errors.JWTClaimValidationFailed('unexpected "nonce" claim value', payload, "nonce", "check_failed");
    }
    // OIDC Core §3.1.3.7 steps 4-5, as openid-client checks them at the token endpoint: a token
    // with several audiences must name us as the party it was issued to, or another client that
    // listed us as one more audience could sign its users in here.
    // An `azp` naming another client is refused with one audience too, as openid-client refuses it.
    const severalAudiences = Array.isArray(payload.aud) && payload.aud.length !== 1;
    if ((severalAudiences || payload.azp !== undefined) && payload.azp !== provider.settings.clientId) {
      throw new jose.errors.JWTClaimValidationFailed('unexpected "azp" claim value', payload, "azp", "check_failed");
    }
    return payload;
  }

  return {
    async verify(connection, idToken, expectedNonce) {
      try {
        return success(await verified(connection, idToken, expectedNonce));
      } catch (error) {
        return providerFailure(connection.provider.settings.providerName, error, "ID token validation");
      }
    },
    async reloadKeys(connection) {
      const jwksUri = connection.metadata.jwks_uri;
      try {
        if (jwksUri) await keysFor(connection, jwksUri).remote.reload();
      } catch (error) {
        const name = connection.provider.settings.providerName;
        const cause = providerFailure(name, error, "the key set (JWKS) fetch");
        // A key set that answers but is unusable (404, not a JWKS) is named as such; unreachable or slow stays as it is.
        if (cause.error !== "INVALID_ID_TOKEN" && cause.error !== "PROVIDER_ERROR") return cause;
        return failure("JWKS_UNAVAILABLE", `The provider "${name}" serves no usable key set (JWKS) at its jwks_uri.`, {
          detail: error instanceof Error ? error.message : String(error),
        });
      }
      return success(undefined);
    },
  };
}
