import type { Config } from "../config.ts";
import type { AuditEvent } from "../domain/audit.ts";
import type { AuditTrail } from "../domain/ports/repositories.ts";
import type { Metrics } from "../http/public/metrics.ts";
import { createSigningKeys } from "../keys/signing-keys.ts";
import type { Clock } from "../domain/ports/clock.ts";
import { createDiscovery } from "../oauth/discovery.ts";
import { createIdTokenVerifier } from "../oauth/id-token.ts";
import { createOutboundFetch } from "../oauth/outbound.ts";
import { authSessions } from "../signin/flow.ts";
import { accountLockout } from "../signin/lockout.ts";
import { createSessionTokens } from "../signin/session-tokens.ts";
import type { Store } from "../store/store.ts";
import type { LateLogger, OpenedStore, SharedState } from "./backends.ts";
import { samlSignInParts } from "./saml-sign-in.ts";

/** The audit trail that also counts every record, so /metrics and the audit trail agree. */
export function countedAuditTrail(store: Store, metrics: Metrics): Pick<AuditTrail, "record"> {
  return {
    async record(event: AuditEvent): Promise<void> {
      await metrics.recordSignIn(event);
      await store.audit.record(event);
    },
  };
}

/** Talking to providers: one outbound guard, discovery and the ID-token verifier over it, each call timed on /metrics. */
export function providerClients(config: Config, metrics: Metrics, logger: LateLogger, clock: Clock) {
  const outbound = createOutboundFetch({
    timeoutMs: config.outboundTimeoutMs,
    maxResponseBytes: 1024 * 1024,
    allowInsecureLoopback: config.allowInsecureLoopbackProviders,
    networkAllow: config.providerNetworkAllow,
  });
  const onProviderCall = (provider: string, endpoint: string, seconds: number) => {
    metrics.observeProviderCall(provider, endpoint, seconds);
    logger.current?.debug({ provider, endpoint, ms: Math.round(seconds * 1000) }, "provider call");
  };
  const discovery = createDiscovery({
    outbound,
    timeoutMs: config.outboundTimeoutMs,
    allowInsecureLoopback: config.allowInsecureLoopbackProviders,
    onProviderCall,
    clock,
  });
  const idTokens = createIdTokenVerifier({ outbound, timeoutMs: config.outboundTimeoutMs, onProviderCall, clock });
  return { outbound, discovery, idTokens };
}

export type ProviderClients = ReturnType<typeof providerClients>;

/** The service's own tokens and the sign-in's short-lived parts: sessions and the lockout; the SAML sign-in's ports. */
export function buildSignIn(config: Config, opened: OpenedStore, shared: SharedState, audit: Pick<AuditTrail, "record">, clock: Clock) {
  const { store, secrets } = opened;
  const signingKeys = createSigningKeys({ repository: store.signingKeys, secrets, refreshTokenTtlSeconds: config.refreshTokenTtlSeconds });
  const sessionTokens = createSessionTokens({ keys: signingKeys, sessions: store.refreshTokens, users: store.users, audit, config });
  const sessions = authSessions(shared.state);
  const lockout = accountLockout(shared.state, { threshold: config.lockoutThreshold, blockSeconds: config.lockoutSeconds });
  const saml = samlSignInParts(config, opened, shared, signingKeys, clock);
  return { signingKeys, sessionTokens, sessions, lockout, saml };
}

export type SignInParts = ReturnType<typeof buildSignIn>;
