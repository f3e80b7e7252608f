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
  /** The directory's id, for a user SCIM provisioned (its `externalId`); null or absent otherwise. */
  readonly externalId?: string | null;
  /** Whether SCIM provisioned the user (the organisation's directory, not the operator or a first sign-in). */
  readonly provisioned?: boolean;
}

/** What a user's lifecycle tells the events webhook: `user.disabled` and `user.deleted`. */
export interface UserEvent {
  readonly type: "user.disabled" | "user.deleted";
  readonly orgId: string;
  readonly userId: string;
  readonly email: string;
  readonly at: string;
}
