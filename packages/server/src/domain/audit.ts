export type AuditOutcome = "success" | "failure";

/**
 * Who did what a record tells: `operator` (the admin token or an operator's console session),
 * `org-admin:<userId>`, `setup-link:<setupLinkId>`, `scim:<tokenId>`, `demo` (what the demo mode
 * seeds), or `user:<userId>` for a sign-in's own effects (an identity linked at sign-in). Null on
 * sign-in step records.
 */
export type AuditActor = string;

/** One field an admin write changed: its values before and after, or only that it changed (secrets, large values). */
export type AuditChange =
  { readonly field: string; readonly before: unknown; readonly after: unknown } | { readonly field: string; readonly changed: true };

/** One sign-in step's record in the organisation's audit trail (`event`: oauth.exchange, authenticate, session.logout, …). */
export interface AuditEvent {
  readonly orgId: string | null;
  readonly userId: string | null;
  readonly email: string | null;
  readonly provider: string | null;
  readonly event: string;
  readonly outcome: AuditOutcome;
  /** The failure identifier (e.g. INVALID_GRANT); never a token or secret. */
  readonly error: string | null;
  readonly ip: string | null;
  /** Who acted, for admin actions and identity links; absent (null) on sign-in steps. */
  readonly actor?: AuditActor | null;
  /** What an admin write changed, field by field; never a secret's value. */
  readonly changes?: readonly AuditChange[] | null;
  /**
   * A sign-in step's sign-in session, as a hash of its token (never the token): the steps of
   * one sign-in count as one attempt in a provider's health. Absent on other records.
   */
  readonly signIn?: string | null;
  /** The redirect URI a sign-in step named (the application's): which one a REDIRECT_URI_MISMATCH tried. Absent on other records. */
  readonly redirectUri?: string | null;
}

/** An audit event as stored: with its id (which sorts in creation order) and time. */
export interface AuditRecord extends AuditEvent {
  readonly id: string;
  readonly createdAt: string;
  readonly actor: AuditActor | null;
  readonly changes: readonly AuditChange[] | null;
}

/** How sign-ins through one provider went over a window (`GET …/oauth-providers/{name}/health`). */
export interface ProviderOutcomes {
  /**
   * Sign-ins through the provider: the audited steps (each exchange, and each authenticate naming
   * it), those of one sign-in session counted once, with the outcome of its latest step.
   */
  readonly attempts: number;
  readonly successes: number;
  /** Failed attempts by reason (the failure id). */
  readonly failures: Readonly<Record<string, number>>;
  readonly lastSuccessAt: string | null;
  readonly lastFailure: { readonly reason: string; readonly at: string } | null;
  /** The same attempts by the minute or hour (UTC) they were recorded in: only those with any, oldest first. */
  readonly timeline: readonly OutcomesInPeriod[];
}

/** How finely {@link ProviderOutcomes.timeline} divides the window: by the UTC minute or hour. */
export type OutcomePrecision = "minute" | "hour";

/** The sign-in steps through a provider recorded in one minute or hour. */
export interface OutcomesInPeriod {
  /** The minute's or hour's start (ISO 8601, UTC). */
  readonly start: string;
  readonly attempts: number;
  readonly successes: number;
}

/** What an audit page may be narrowed to; every given field must match. */
export interface AuditFilter {
  readonly outcome?: AuditOutcome;
  readonly provider?: string;
  readonly event?: string;
  /** Matched case-insensitively. */
  readonly email?: string;
  readonly actor?: string;
}
