/**
 * A session of the admin console as the operator sees it in `GET /api/v1/console-sessions`: an
 * operator's (opened with the admin token), an organisation admin's (opened with their access
 * token), or a setup link's (its redeemed setup session). The id is not the credential: a
 * listing never lets anyone act as the session.
 */
export interface ConsoleSessionView {
  readonly id: string;
  readonly kind: "operator" | "org-admin" | "setup-link";
  readonly orgId: string | null;
  readonly userId: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** A console session as stored: a cookie's session (never a setup link's, which its link row keeps). */
export interface StoredConsoleSession extends ConsoleSessionView {
  readonly kind: "operator" | "org-admin";
  /** An organisation admin's session: the sign-in (refresh token family) it came from, which it ends with. */
  readonly signInSession: string | null;
}
