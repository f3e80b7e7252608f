export type AuditOutcome = "success" | "failure";

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
}

/** An audit event as stored: with its id (which sorts in creation order) and time. */
export interface AuditRecord extends AuditEvent {
  readonly id: string;
  readonly createdAt: string;
}
