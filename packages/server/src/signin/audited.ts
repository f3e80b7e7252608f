import type { AuditEvent } from "../domain/audit.ts";
import type { Result } from "../domain/failures.ts";
import { tokenHash } from "../domain/ids.ts";
import type { AuditTrail } from "../domain/ports/repositories.ts";

/** What a sign-in step tells its audit record as it learns it. */
export interface AuditSubject {
  /** The organisation is known: from here on, a failure lands in its audit trail. */
  organisation(orgId: string): void;
  /** The provider that was actually used (authenticate may learn it from the tokens). */
  provider(name: string): void;
  /** The user the step proved. */
  user(userId: string): void;
  /** The sign-in session the step belongs to (the exchange may learn it from the authorization request). */
  signInSession(sessionToken: string): void;
}

/** The attempt being audited: what is known before the step runs. */
export interface AuditedAttempt {
  readonly event: string;
  readonly email: string | null;
  readonly provider: string | null;
  readonly orgId?: string | null;
  readonly ip: string | null;
  /** The sign-in session's token, when the request names one. */
  readonly signInSession?: string | undefined;
  /** The redirect URI the request named, when it names one. */
  readonly redirectUri?: string | undefined;
}

/**
 * What a sign-in session is recorded as: a hash of its token, apart from the hash it is kept under,
 * so the audit trail ties the steps of one sign-in together without holding a key to the session.
 */
const signInOf = (sessionToken: string) => tokenHash(`audit-sign-in:${sessionToken}`);

/**
 * Runs a sign-in step and leaves exactly one audit record of its outcome, success or failure,
 * with the organisation, provider and user it had learnt when it ended. (A step that throws,
 * an unexpected error, leaves none: it reaches the error handler instead.)
 */
export async function audited<T>(
  audit: Pick<AuditTrail, "record">,
  attempt: AuditedAttempt,
  step: (subject: AuditSubject) => Promise<Result<T>>,
): Promise<Result<T>> {
  const learnt: { orgId: string | null; provider: string | null; userId: string | null; signIn: string | null } = {
    orgId: attempt.orgId ?? null,
    provider: attempt.provider,
    userId: null,
    signIn: attempt.signInSession === undefined ? null : signInOf(attempt.signInSession),
  };
  const result = await step({
    organisation(orgId) {
      learnt.orgId = orgId;
    },
    provider(name) {
      learnt.provider = name;
    },
    user(userId) {
      learnt.userId = userId;
    },
    signInSession(sessionToken) {
      learnt.signIn = signInOf(sessionToken);
    },
  });
  const event: AuditEvent = {
    orgId: learnt.orgId,
    userId: learnt.userId,
    email: attempt.email,
    provider: learnt.provider,
    event: attempt.event,
    outcome: result.ok ? "success" : "failure",
    error: result.ok ? null : result.error,
    ip: attempt.ip,
    ...(learnt.signIn !== null && { signIn: learnt.signIn }),
    ...(attempt.redirectUri !== undefined && { redirectUri: attempt.redirectUri }),
  };
  await audit.record(event);
  return result;
}
