import type { User, UserRole } from "./user.ts";

/**
 * SCIM 2.0 provisioning (RFC 7643, RFC 7644): what an organisation's directory (Entra ID, Okta, …)
 * may keep here. A SCIM token reaches only the users SCIM provisioned in its organisation: the
 * operator's and those made just in time are not its to read or change.
 */

/** An organisation's SCIM bearer token as kept: never the token, only its hash (in storage). */
export interface ScimToken {
  readonly id: string;
  readonly orgId: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** The attributes of a SCIM User kept as given and shown back (the user's email and name are kept on the user). */
export interface ScimUserAttributes {
  readonly userName: string;
  readonly name?: Readonly<Record<string, unknown>>;
  readonly displayName?: string;
  readonly emails?: readonly Readonly<Record<string, unknown>>[];
}

/** A user SCIM provisioned, with what SCIM keeps of them. */
export interface ScimUser {
  readonly user: User;
  readonly externalId: string | null;
  readonly attributes: ScimUserAttributes;
  /** Bumped by every write: the resource's `meta.version`. */
  readonly version: number;
}

/** What a SCIM create or replace of a user sets. */
export interface ScimUserWrite {
  readonly email: string;
  readonly fullName: string | null;
  readonly externalId: string | null;
  readonly active: boolean;
  readonly attributes: ScimUserAttributes;
}

/** The filters the service answers (RFC 7644 §3.4.2.2), each an equality on one attribute. */
export type ScimUserFilter = { readonly attribute: "userName" | "externalId" | "email"; readonly value: string } | undefined;

/** A SCIM group of an organisation and its members' user ids. */
export interface ScimGroup {
  readonly id: string;
  readonly orgId: string;
  readonly displayName: string;
  readonly externalId: string | null;
  readonly members: readonly string[];
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A write that found a newer version than the one it was told to expect (If-Match). */
export const VERSION_MISMATCH = "version-mismatch" as const;

/** What a write of a provisioned user answered: the user after it, and the user before it. */
export interface ScimUserChange {
  readonly before: ScimUser;
  readonly after: ScimUser;
}

/** SCIM's storage: tokens, provisioned users, groups, and the admin-role group of each organisation. */
export interface ScimRepository {
  createToken(orgId: string, tokenHash: string): Promise<ScimToken>;
  listTokens(orgId: string): Promise<ScimToken[]>;
  /** Revokes a token of the organisation; false when it has no such token not revoked yet. */
  revokeToken(orgId: string, id: string): Promise<boolean>;
  /** The unrevoked token with this hash. */
  activeToken(tokenHash: string): Promise<ScimToken | undefined>;

  /** Provisions a user; throws `AlreadyExistsError` when the email or userName is taken in the organisation. */
  createUser(orgId: string, provisionedBy: string, write: ScimUserWrite): Promise<ScimUser>;
  /** The organisation's user `id`, when SCIM provisioned it. */
  getUser(orgId: string, id: string): Promise<ScimUser | undefined>;
  /** The provisioned users matching `filter`, from the 1-based `startIndex`, at most `count`, and how many match in all. */
  findUsers(orgId: string, filter: ScimUserFilter, startIndex: number, count: number): Promise<{ total: number; users: ScimUser[] }>;
  /**
   * Replaces a provisioned user's attributes in one transaction; when `write.active` is false and
   * the user was active, every refresh-token family of theirs is revoked in the same transaction.
   * Undefined when there is no such provisioned user; VERSION_MISMATCH when `ifVersion` is given and stale.
   * Throws `AlreadyExistsError` when the new email or userName is taken.
   */
  replaceUser(
    orgId: string,
    id: string,
    write: ScimUserWrite,
    ifVersion?: number,
  ): Promise<ScimUserChange | undefined | typeof VERSION_MISMATCH>;
  /** Deletes a provisioned user (identity links, group memberships) and revokes their refresh-token families, in one transaction. */
  deleteUser(orgId: string, id: string, ifVersion?: number): Promise<ScimUser | undefined | typeof VERSION_MISMATCH>;

  createGroup(orgId: string, displayName: string, externalId: string | null, members: readonly string[]): Promise<ScimGroup>;
  getGroup(orgId: string, id: string): Promise<ScimGroup | undefined>;
  findGroups(
    orgId: string,
    displayName: string | undefined,
    startIndex: number,
    count: number,
  ): Promise<{ total: number; groups: ScimGroup[] }>;
  /** Replaces the group's name, externalId and members (only provisioned users of the organisation are kept). */
  replaceGroup(
    orgId: string,
    id: string,
    displayName: string,
    externalId: string | null,
    members: readonly string[],
  ): Promise<ScimGroup | undefined>;
  deleteGroup(orgId: string, id: string): Promise<boolean>;
  /** Sets the role of the organisation's provisioned users `userIds` (the admin group's members and former members). */
  setRoles(orgId: string, userIds: readonly string[], role: UserRole): Promise<void>;

  /** The displayName of the group whose members are the organisation's admins (the operator's setting), or null. */
  adminGroup(orgId: string): Promise<string | null>;
  setAdminGroup(orgId: string, displayName: string | null): Promise<boolean>;
}
