/**
 * Read-only probes of a provider for the admin's doctor: one request each, through the same
 * outbound guard (deadline, size cap, no redirects, network guard) as sign-in, answering what
 * came back — status, `Date`, JSON body — rather than judging it. The doctor judges.
 */
import * as oidc from "openid-client";
import { isConnectionFailure } from "../domain/provider-connection.ts";
import type { ProviderConnection } from "./discovery.ts";
import { findOutboundError, type OutboundFetch, type OutboundInit } from "./outbound.ts";
import { redeemCode } from "./token.ts";

/** Where OpenID Connect Discovery 1.0 §4 puts an issuer's metadata. */
export const discoveryUrl = (issuer: string) => `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;

/** What a provider answered: the status, its clock (`Date`) when sent, and the body when it was JSON. */
export interface ProbeAnswer {
  readonly status: number;
  /** The `Date` header in epoch milliseconds, when present and parseable. */
  readonly date: number | undefined;
  /** When the answer was received, by our clock (epoch milliseconds). */
  readonly receivedAt: number;
  readonly json: unknown;
}

/**
 * Why a request got no answer: `reason` in words fit for the operator (it names the cause), and
 * whether it is a failure to connect at all (refused, unreachable, no TLS, timed out), which
 * callers other than the operator read without its cause (domain/provider-connection.ts).
 */
export interface Unreached {
  readonly reached: false;
  readonly reason: string;
  readonly cannotConnect: boolean;
}

/** A probe answered, or why it could not: unreachable, timed out, a redirect, too large, refused by the network guard. */
export type Probed = { readonly reached: true; readonly answer: ProbeAnswer } | Unreached;

/** Why a request failed, in words fit for an admin: the outbound guard's message names the host, never a full URL. */
export function unreachableReason(error: unknown): string {
  const outbound = findOutboundError(error);
  if (outbound) return outbound.message;
  return error instanceof Error ? error.name : "the request failed";
}

/** Sends one request and reads the answer; never throws for a provider's failure. */
export async function probe(outbound: OutboundFetch, url: string, init: OutboundInit = {}): Promise<Probed> {
  try {
    const response = await outbound(url, init);
    const receivedAt = Date.now();
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const date = Date.parse(response.headers.get("date") ?? "");
    return { reached: true, answer: { status: response.status, date: Number.isNaN(date) ? undefined : date, receivedAt, json } };
  } catch (error) {
    const kind = findOutboundError(error)?.kind;
    return { reached: false, reason: unreachableReason(error), cannotConnect: kind === "unreachable" || kind === "timeout" };
  }
}

/** The token endpoint's answer to a code that cannot be valid: its status and OAuth `error` code (RFC 6749 §5.2). */
export type TokenProbe = { readonly reached: true; readonly status: number; readonly oauthError: string | undefined } | Unreached;

/** A code no provider issued: the probe must never redeem anything. */
const PROBE_CODE = "pipeshub-doctor-probe-not-a-real-code";

/**
 * Redeems a made-up code with the connection's client authentication (through openid-client,
 * exactly as sign-in does): a provider authenticates the client before it looks at the code, so
 * `invalid_grant` means the credentials were accepted and `invalid_client` that they were not.
 * The connection must be one made for this probe: its fetch is wrapped to see the status.
 */
export async function probeTokenEndpoint(connection: ProviderConnection, redirectUri: string): Promise<TokenProbe> {
  let status: number | undefined;
  // Every connection oauth/discovery.ts makes fetches through the outbound guard.
  const inner = connection.config[oidc.customFetch];
  if (!inner) throw new Error("a provider connection without the outbound fetch");
  connection.config[oidc.customFetch] = async (url, init) => {
    const response = await inner(url, init);
    status = response.status;
    return response;
  };
  // Through openid-client's fetch alone (not the exchange's direct token call), which the wrapper sees.
  const { tokenCall: _direct, ...throughOpenidClient } = connection;
  const redeemed = await redeemCode(throughOpenidClient, { code: PROBE_CODE, redirectUri });
  if (status === undefined)
    return redeemed.ok
      ? { reached: false, reason: "no answer", cannotConnect: false }
      : { reached: false, reason: redeemed.detail ?? redeemed.message, cannotConnect: isConnectionFailure(redeemed.error) };
  return { reached: true, status, oauthError: redeemed.ok ? undefined : redeemed.extra?.providerError };
}
