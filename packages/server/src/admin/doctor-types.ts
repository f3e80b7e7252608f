import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import type { Discovery } from "../oauth/discovery.ts";
import type { OutboundFetch } from "../oauth/outbound.ts";
import { CANNOT_CONNECT } from "../domain/provider-connection.ts";
import type { ProbeAnswer, Unreached } from "../oauth/provider-probe.ts";

/** `pass`: fine; `warn`: sign-in may work but something is off; `fail`: sign-in will not work until fixed. */
export type FindingStatus = "pass" | "warn" | "fail";

/** One check of the provider doctor; `fix` (on warn and fail) says what to change and where. */
export interface DoctorFinding {
  readonly check: string;
  readonly status: FindingStatus;
  readonly message: string;
  readonly fix?: string;
  /**
   * When the message names why a provider could not be connected to: the message without that
   * cause, as callers other than the operator read it (domain/provider-connection.ts).
   */
  readonly withoutCause?: string;
}

/** The provider's metadata as sign-in would use it (discovered, or from explicit settings). */
export interface ProviderMetadata {
  readonly issuer: string;
  readonly authorization_endpoint?: string;
  readonly token_endpoint?: string;
  readonly userinfo_endpoint?: string;
  readonly jwks_uri?: string;
  readonly scopes_supported?: readonly string[];
  readonly code_challenge_methods_supported?: readonly string[];
  readonly id_token_signing_alg_values_supported?: readonly string[];
  /** Whether it came from the discovery document (false: from the provider's explicit settings). */
  readonly discovered: boolean;
}

/** What every check sees. */
export interface DoctorContext {
  readonly provider: ConfiguredProvider;
  readonly metadata: ProviderMetadata | undefined;
  readonly outbound: OutboundFetch;
  readonly discovery: Pick<Discovery, "connect">;
  readonly clockToleranceSeconds: number;
  /** Every answer the provider gave so far: the clock check reads their `Date`. */
  readonly answers: ProbeAnswer[];
}

export const pass = (check: string, message: string): DoctorFinding => ({ check, status: "pass", message });
/** A fix may start with a "here: …" clause: it is a sentence all the same. */
const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
export const warn = (check: string, message: string, fix: string): DoctorFinding => ({
  check,
  status: "warn",
  message,
  fix: sentence(fix),
});
export const fail = (check: string, message: string, fix: string): DoctorFinding => ({
  check,
  status: "fail",
  message,
  fix: sentence(fix),
});

/**
 * A failing finding about a request that got no answer: "`what`: `reason`." — and, when it could
 * not connect at all, the same with "could not connect to the provider" for the cause.
 */
export function unreached(check: string, what: string, probed: Unreached, fix: string): DoctorFinding {
  const finding = fail(check, `${what}: ${probed.reason}.`, fix);
  return probed.cannotConnect
    ? { ...finding, withoutCause: `${what}: ${CANNOT_CONNECT.charAt(0).toLowerCase()}${CANNOT_CONNECT.slice(1)}` }
    : finding;
}

/** Where an admin changes a provider's settings here, for fixes that say "here". */
export function settingsHere(provider: ConfiguredProvider, field: string): string {
  return `here: set \`${field}\` in the provider's settings (PUT /api/v1/orgs/${provider.orgId}/oauth-providers/${provider.settings.providerName})`;
}

/** The scope tokens a sign-in requests. */
export const requestedScopes = (provider: ConfiguredProvider): string[] => provider.settings.scope.split(/\s+/).filter(Boolean);
