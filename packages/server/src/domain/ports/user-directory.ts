import type { LinkedIdentity } from "../identity.ts";
import type { User } from "../user.ts";

/** Which of an organisation's users a page holds. */
export interface UserListing {
  /** Only the user with this email (case-insensitively). */
  readonly email?: string | undefined;
  /** Only users whose email or full name contains this text (case-insensitively). */
  readonly q?: string | undefined;
  readonly limit: number;
  /** The page after the user with this id (the `nextCursor` of the page before). */
  readonly cursor?: string | undefined;
}

/** A user as the operator administers them: with their identity links and when they last signed in. */
export interface ListedUser extends User {
  /** Their identity links, by provider name. */
  readonly identities: readonly LinkedIdentity[];
  /** When the latest sign-in that reached the service's tokens began (ISO time); null when none has. */
  readonly lastSignInAt: string | null;
}

/** The organisation's users a page at a time, in a stable order (by id, oldest first). */
export interface UserDirectory {
  page(orgId: string, listing: UserListing): Promise<{ users: ListedUser[]; nextCursor: string | null }>;
}
