import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import type { Discovery } from "../oauth/discovery.ts";
import type { OutboundFetch } from "../oauth/outbound.ts";
import { CANNOT_CONNECT } from "../domain/provider-connection.ts";
import type { ProbeAnswer, Unreached } from "../oauth/provider-probe.ts";
import { inConsole, providerSetting, type ProviderField, type WordedFix } from "../domain/fix-wording.ts";

/** `pass`: fine; `warn`: sign-in may work but something is off; `fail`: sign-in will not work until fixed. */
export type FindingStatus = "pass" | "warn" | "fail";

/** One check of the provider doctor; `fix` (on warn and fail) says what to change and where. */
export interface DoctorFinding {
  readonly check: string;
  readonly status: FindingStatus;
  readonly message: string;
  readonly fix?: string;
  /** The fix as the console words it (its fields and buttons, no API path), when that differs (domain/fix-wording.ts). */
  readonly inConsole?: string;
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
/** A fix as each reader reads it: one text for both, or one worded for each. */
export type Fix = string | WordedFix;
const fixOf = (fix: Fix) =>
  typeof fix === "string" ? { fix: sentence(fix) } : { fix: sentence(fix.api), inConsole: sentence(fix.console) };
export const warn = (check: string, message: string, fix: Fix): DoctorFinding => ({ check, status: "warn", message, ...fixOf(fix) });
export const fail = (check: string, message: string, fix: Fix): DoctorFinding => ({ check, status: "fail", message, ...fixOf(fix) });

/**
 * A failing finding about a request that got no answer: "`what`: `reason`." — and, when it could
 * not connect at all, the same with "could not connect to the provider" for the cause.
 */
export function unreached(check: string, what: string, probed: Unreached, fix: Fix): DoctorFinding {
  const finding = fail(check, `${what}: ${probed.reason}.`, fix);
  return probed.cannotConnect
    ? { ...finding, withoutCause: `${what}: ${CANNOT_CONNECT.charAt(0).toLowerCase()}${CANNOT_CONNECT.slice(1)}` }
    : finding;
}

/**
 * Where an admin changes a provider's setting here, for fixes that say "here": the setting and
 * its API path for the API's callers, the console's field for the console.
 */
export function settingsHere(provider: ConfiguredProvider, field: ProviderField): WordedFix {
  const name = provider.settings.providerName;
  return {
    api: `here: set \`${field}\` in the provider's settings (PUT /api/v1/orgs/${provider.orgId}/oauth-providers/${name})`,
    console: `here: set ${inConsole(name, field)}`,
  };
}

/** A provider's other setting named in a fix (`nextClientSecret` for the API, its console field for the console). */
export const settingNamed = (provider: ConfiguredProvider, field: ProviderField): WordedFix =>
  providerSetting(provider.settings.providerName, field);

/** The scope tokens a sign-in requests. */
export const requestedScopes = (provider: ConfiguredProvider): string[] => provider.settings.scope.split(/\s+/).filter(Boolean);
