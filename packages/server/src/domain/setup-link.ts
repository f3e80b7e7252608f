/**
 * A self-service setup link: made by an operator for one organisation, redeemed once by that
 * organisation's IT admin for a setup session that may configure, check and test that
 * organisation's providers and nothing else, until the link expires or is revoked.
 */
export interface SetupLink {
  readonly id: string;
  readonly orgId: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** When it was redeemed; a link works once. */
  readonly usedAt: string | null;
  readonly revokedAt: string | null;
}

/** Whether a redeemed link's session may still act at `now` (ISO time). */
export function setupSessionActive(link: SetupLink, now: string): boolean {
  return link.usedAt !== null && link.revokedAt === null && link.expiresAt > now;
}
