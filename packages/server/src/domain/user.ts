export type UserStatus = "active" | "disabled";

/** A person with an account in one organisation; the same email may have accounts in several. */
export interface User {
  readonly id: string;
  readonly orgId: string;
  readonly email: string;
  readonly fullName: string | null;
  readonly status: UserStatus;
  readonly createdAt: string;
}
