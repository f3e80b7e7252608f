export type UserStatus = "active" | "disabled";

/** What a user may do in their organisation: an `admin` also administers it (its providers, its audit trail). */
export type UserRole = "member" | "admin";

/** A person with an account in one organisation; the same email may have accounts in several. */
export interface User {
  readonly id: string;
  readonly orgId: string;
  readonly email: string;
  readonly fullName: string | null;
  readonly status: UserStatus;
  readonly role: UserRole;
  readonly createdAt: string;
}
