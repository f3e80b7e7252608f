import { createHash } from "node:crypto";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import { AUTH_SESSION_TTL_MS, AUTHORIZATION_TTL_MS, RECORD, sessionBinding, singleUseRecords, stateKey } from "./flow.ts";

/*
 * The SAML sign-in's part of flow.ts: what its steps hand each other, each record under the hash
 * of its bearer value, behind the accessors below.
 *
 *   authorize ──► (the IdP) ──► ACS ──────────► exchange ─────────► authenticate
 *   a pending request           a one-time code  a one-time handle
 *   by RelayState (10 min)      (60 s)           and the id_token (30 min)
 *
 * The replay marks remember each accepted assertion ID until the assertion expires.
 */

/** How long the code the ACS hands the application lives (the issue: at most 60 s). */
export const SAML_CODE_TTL_MS = 60 * 1000;
/** How long the exchange's access-token handle and id_token are good for authenticate. */
export const SAML_HANDLE_TTL_MS = AUTH_SESSION_TTL_MS;

/** What the service remembers of an AuthnRequest it sent, by its RelayState, until the response comes back. */
export interface PendingSamlRequest {
  readonly orgId: string;
  readonly provider: string;
  readonly requestId: string;
  readonly redirectUri: string;
  readonly email: string;
  /** The `state` the application gets back with the code. */
  readonly state: string;
  readonly sessionToken: string | null;
  /** An administrator's test sign-in (saml-test-sign-in.ts): the ACS creates nothing. */
  readonly test?: boolean;
}

/** The identity a validated assertion proved, as the code, the handle and the id_token carry it. */
export interface SamlSignedIn {
  readonly orgId: string;
  readonly provider: string;
  readonly userId: string;
  readonly subject: string;
  readonly email: string;
  readonly name: string | null;
  /** The IdP's entity ID. */
  readonly idp: string;
  /** Seconds since the epoch. */
  readonly authTime: number;
}

/** The ACS's one-time code: redeemed once by an exchange that names the same sign-in. */
export interface SamlCode extends SamlSignedIn {
  readonly sessionToken: string | null;
  /** What an exchange must match to consume it (samlCodeBinding). */
  readonly binding: string;
}

/** The exchange's access-token handle: consumed once by authenticate, with the id_token's `jti`. */
export interface SamlHandle extends SamlSignedIn {
  readonly jti: string;
  /** The id_token's `jti`: the handle is consumed only with its own id_token. */
  readonly binding: string;
}

/** What an exchange names of the SAML sign-in it completes. */
export interface SamlCodeFields {
  readonly orgId: string;
  readonly provider: string;
  readonly redirectUri: string;
  readonly email: string;
  readonly state: string;
}

/** A hash of what the code is bound to; the exchange's own is compared before the code is consumed. */
export function samlCodeBinding(fields: SamlCodeFields, sessionToken: string | undefined): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        "saml",
        fields.orgId,
        fields.provider,
        fields.redirectUri,
        fields.email.toLowerCase(),
        fields.state,
        sessionBinding(sessionToken),
      ]),
    )
    .digest("base64url");
}

/** AuthnRequests waiting for their response, by RelayState. */
export function pendingSamlRequests(state: ShortLivedState) {
  const records = singleUseRecords<PendingSamlRequest>(state, RECORD.samlRequest, AUTHORIZATION_TTL_MS);
  return {
    put: records.put,
    take: records.take,
    /** Read without consuming: a response that fails validation must not end the rightful sign-in. */
    async peek(relayState: string): Promise<PendingSamlRequest | undefined> {
      const raw = await state.get(stateKey(RECORD.samlRequest, relayState));
      return raw === undefined ? undefined : (JSON.parse(raw) as PendingSamlRequest);
    },
  };
}

/** The ACS's one-time codes. */
export function samlCodes(state: ShortLivedState) {
  return singleUseRecords<SamlCode>(state, RECORD.samlCode, SAML_CODE_TTL_MS);
}

/** The exchange's access-token handles. */
export function samlHandles(state: ShortLivedState) {
  return singleUseRecords<SamlHandle>(state, RECORD.samlHandle, SAML_HANDLE_TTL_MS);
}

/**
 * Each assertion ID is accepted once, across every instance sharing the state: the first to
 * count it wins (an atomic increment, so two instances cannot both see it as new). It is
 * remembered until the assertion's NotOnOrAfter plus the clock skew, after which the IdP's
 * response is refused as expired anyway.
 */
export function assertionReplayMarks(state: ShortLivedState) {
  return {
    async firstUse(providerId: string, assertionId: string, rememberMs: number): Promise<boolean> {
      const key = stateKey(RECORD.samlAssertion, `${providerId}\n${assertionId}`);
      return (await state.increment(key, Math.max(1000, rememberMs))) === 1;
    },
  };
}
