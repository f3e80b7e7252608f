/** `client.admin`'s users of an organisation: create, find and list them, their role and status, and their identity links. */
import { segment, type RequestOptions } from "../http.ts";
import { readBody, withOptional, type Query, type RequestBody, type ResponseBody } from "../wire.ts";
import { noBody, orgPath } from "./resource.ts";
import { ProviderCheckAdmin } from "./provider-checks.ts";

/** A user of an organisation. */
export type OrgUser = ResponseBody<"PATCH /api/v1/orgs/{orgId}/users/{userId}">;

/**
 * A user as {@link Admin.listUsers} and {@link Admin.findUsers} answer: with their identity links
 * and `lastSignInAt`, when their latest sign-in that reached the service's tokens began (null when
 * none has; also from a service older than these fields, which leaves out `identities` too: read as []).
 */
export type ListedUser = ResponseBody<"GET /api/v1/orgs/{orgId}/users">[number];

/** One page of {@link Admin.listUsersPage}: pass `nextCursor` as `cursor` for the next (null on the last). */
export interface UserPage {
  users: ListedUser[];
  nextCursor: string | null;
}

/**
 * Input of {@link Admin.listUsersPage}: `q` (only users whose email or full name contains it,
 * case-insensitively), `limit` (1 to 200, default 50; a number here, digits in the query) and `cursor`.
 */
export type ListUsersRequest = Omit<Query<"GET /api/v1/orgs/{orgId}/users">, "limit" | "email"> & { limit?: number };

/** What {@link Admin.endUserSessions} answers: how many sign-ins of the user it ended. */
export type EndedSessions = ResponseBody<"DELETE /api/v1/orgs/{orgId}/users/{userId}/sessions">;

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
const readListed = readBody<ListedUser[]>("GET /api/v1/orgs/{orgId}/users", (schema) =>
  withOptional(schema, ["[].identities", "[].lastSignInAt"]),
);
/** A page of users, and the cursor of the next from the `x-next-cursor` header. */
const readUserPage = (raw: Parameters<typeof readListed>[0]): UserPage => ({
  users: readListed(raw).map((user) => ({ ...user, identities: user.identities ?? [], lastSignInAt: user.lastSignInAt ?? null })),
  nextCursor: raw.response.headers.get("x-next-cursor"),
});
const readUsers = (raw: Parameters<typeof readListed>[0]): ListedUser[] => readUserPage(raw).users;

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
  findUsers(orgId: string, email: string, options?: RequestOptions): Promise<ListedUser[]> {
    return this.call({ method: "GET", path: `${orgPath(orgId)}/users`, query: { email }, idempotent: true }, options, readUsers);
  }

  /**
   * Lists every user of the organisation, oldest first, following the pages of
   * {@link Admin.listUsersPage} (one request per 50 users): `GET /api/v1/orgs/{orgId}/users`.
   */
  async listUsers(orgId: string, options?: RequestOptions): Promise<ListedUser[]> {
    const users: ListedUser[] = [];
    let cursor: string | null = null;
    do {
      const page: UserPage = await this.listUsersPage(orgId, cursor === null ? {} : { cursor }, options);
      users.push(...page.users);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return users;
  }

  /**
   * One page of the organisation's users, oldest first, narrowed by `q`:
   * `GET /api/v1/orgs/{orgId}/users?q=&limit=&cursor=` (the next page's cursor comes in the
   * `x-next-cursor` header). The operator's alone.
   */
  listUsersPage(orgId: string, request: ListUsersRequest = {}, options?: RequestOptions): Promise<UserPage> {
    const query: Record<string, string> = {};
    if (request.q !== undefined) query.q = request.q;
    if (request.limit !== undefined) query.limit = String(request.limit);
    if (request.cursor !== undefined) query.cursor = request.cursor;
    return this.call({ method: "GET", path: `${orgPath(orgId)}/users`, query, idempotent: true }, options, readUserPage);
  }

  /**
   * Ends every session of the user without disabling them: each sign-in of theirs (its refresh
   * token is refused from then on, and its access token wherever the service checks it) and their
   * console sessions as an organisation admin; they may sign in again. Recorded as
   * `user.sessions_ended`. Ending them again ends none, so it is retried:
   * `DELETE /api/v1/orgs/{orgId}/users/{userId}/sessions`. The operator's alone.
   *
   * @throws {PipeshubDefaultError} 404 `NOT_FOUND` (no such user in the organisation), `ORG_NOT_FOUND`.
   */
  endUserSessions(orgId: string, userId: string, options?: RequestOptions): Promise<EndedSessions> {
    return this.call(
      { method: "DELETE", path: `${orgPath(orgId)}/users/${segment(userId)}/sessions`, idempotent: true },
      options,
      readBody<EndedSessions>("DELETE /api/v1/orgs/{orgId}/users/{userId}/sessions"),
    );
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
