/** `client.admin`'s users of an organisation: create, find and list them, their role and status, and their identity links. */
import { segment, type RequestOptions } from "../http.ts";
import { readBody, type RequestBody, type ResponseBody } from "../wire.ts";
import { noBody, orgPath } from "./resource.ts";
import { ProviderCheckAdmin } from "./provider-checks.ts";

/** A user of an organisation. */
export type OrgUser = ResponseBody<"GET /api/v1/orgs/{orgId}/users">[number];

/**
 * A user's role in their organisation: a `member`, or an `admin`, who administers the
 * organisation (its providers, its audit trail) with their own sign-in's access token.
 */
export type UserRole = OrgUser["role"];

/**
 * Whether a user may sign in: `active`, or `disabled` — refused at sign-in (`USER_DISABLED`),
 * their sign-in sessions ended when they were disabled.
 */
export type UserStatus = OrgUser["status"];

/** Input of {@link Admin.createUser}: the email, and optionally the full name and role (default `"member"`). */
export type CreateUserRequest = RequestBody<"POST /api/v1/orgs/{orgId}/users">;

/** A user's link to an identity at one of the organisation's providers ({@link Admin.listUserIdentities}). */
export type UserIdentity = ResponseBody<"GET /api/v1/orgs/{orgId}/users/{userId}/identities">[number];

const readUser = readBody<OrgUser>("PATCH /api/v1/orgs/{orgId}/users/{userId}");
const readUsers = readBody<OrgUser[]>("GET /api/v1/orgs/{orgId}/users");

export class UserAdmin extends ProviderCheckAdmin {
  /** Creates a user: `POST /api/v1/orgs/{orgId}/users`. Not idempotent: a replay of a created user answers 409. */
  createUser(orgId: string, request: CreateUserRequest, options?: RequestOptions): Promise<OrgUser> {
    const body: CreateUserRequest = { email: request.email };
    if (request.fullName !== undefined) body.fullName = request.fullName;
    if (request.role !== undefined) body.role = request.role;
    return this.call(
      { method: "POST", path: `${orgPath(orgId)}/users`, body, idempotent: false },
      options,
      readBody<OrgUser>("POST /api/v1/orgs/{orgId}/users"),
    );
  }

  /** Finds users by email (at most one): `GET /api/v1/orgs/{orgId}/users?email=`. */
  findUsers(orgId: string, email: string, options?: RequestOptions): Promise<OrgUser[]> {
    return this.call({ method: "GET", path: `${orgPath(orgId)}/users`, query: { email }, idempotent: true }, options, readUsers);
  }

  /** Lists the organisation's users: `GET /api/v1/orgs/{orgId}/users`. */
  listUsers(orgId: string, options?: RequestOptions): Promise<OrgUser[]> {
    return this.call({ method: "GET", path: `${orgPath(orgId)}/users`, idempotent: true }, options, readUsers);
  }

  /**
   * Makes the organisation's user an admin of it, or a member again:
   * `PATCH /api/v1/orgs/{orgId}/users/{userId}` with `{ role }`. An admin may then do for the
   * organisation what a setup session may (its providers, its audit trail) with the access token
   * of their own sign-in, or in the console; a change applies at their next request. Setting the
   * same role again changes nothing, so it is retried like a `PUT`.
   *
   * @throws {PipeshubDefaultError} 404 `NOT_FOUND` (no such user in the organisation), `ORG_NOT_FOUND`.
   */
  setUserRole(orgId: string, userId: string, role: UserRole, options?: RequestOptions): Promise<OrgUser> {
    return this.#patchUser(orgId, userId, { role }, options);
  }

  /**
   * Disables the organisation's user, or enables them again:
   * `PATCH /api/v1/orgs/{orgId}/users/{userId}` with `{ status }`. Disabling refuses their
   * sign-ins (`USER_DISABLED`) and ends every sign-in session of theirs at once: their refresh
   * tokens, and their access tokens wherever the service checks them, stop working (an
   * application that verifies access tokens only against the JWKS accepts them until they
   * expire). Enabling lets them sign in again; ended sessions stay ended. Recorded in the
   * organisation's audit trail (`user.disabled`, `user.enabled`). Setting the same status again
   * changes nothing, so it is retried like a `PUT`.
   *
   * @throws {PipeshubDefaultError} 404 `NOT_FOUND` (no such user in the organisation), `ORG_NOT_FOUND`.
   */
  setUserStatus(orgId: string, userId: string, status: UserStatus, options?: RequestOptions): Promise<OrgUser> {
    return this.#patchUser(orgId, userId, { status }, options);
  }

  /**
   * The user's identity links, by provider: `GET /api/v1/orgs/{orgId}/users/{userId}/identities`.
   * The operator's alone.
   *
   * @throws {PipeshubDefaultError} 404 `NOT_FOUND` (no such user in the organisation), `ORG_NOT_FOUND`.
   */
  listUserIdentities(orgId: string, userId: string, options?: RequestOptions): Promise<UserIdentity[]> {
    return this.call(
      { method: "GET", path: `${orgPath(orgId)}/users/${segment(userId)}/identities`, idempotent: true },
      options,
      readBody<UserIdentity[]>("GET /api/v1/orgs/{orgId}/users/{userId}/identities"),
    );
  }

  /**
   * Removes the user's identity link at a provider (recorded as `identity.unlinked`): their next
   * sign-in links again by the usual rules — how the operator moves an admin who already has an
   * identity to another provider. `DELETE /api/v1/orgs/{orgId}/users/{userId}/identities/{provider}`.
   * The operator's alone.
   *
   * @throws {PipeshubDefaultError} 404 `NOT_FOUND` (no such user, or no link at that provider).
   */
  async unlinkUserIdentity(orgId: string, userId: string, provider: string, options?: RequestOptions): Promise<void> {
    await this.call(
      { method: "DELETE", path: `${orgPath(orgId)}/users/${segment(userId)}/identities/${segment(provider)}`, idempotent: true },
      options,
      noBody,
    );
  }

  /** `PATCH /api/v1/orgs/{orgId}/users/{userId}`: setting what is already set changes nothing, so it is retried like a `PUT`. */
  #patchUser(orgId: string, userId: string, body: RequestBody<"PATCH /api/v1/orgs/{orgId}/users/{userId}">, options?: RequestOptions) {
    return this.call({ method: "PATCH", path: `${orgPath(orgId)}/users/${segment(userId)}`, body, idempotent: true }, options, readUser);
  }
}
