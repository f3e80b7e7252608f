/** `client.admin`'s setup links: one-time links for an organisation's IT admin, and their redemption. */
import { segment, type RequestOptions } from "../http.ts";
import { readBody, type RequestBody, type ResponseBody, type Schema } from "../wire.ts";
import { noBody, orgPath } from "./resource.ts";
import { AuditAdmin } from "./audit.ts";

/** A one-time setup link for an organisation's IT admin; `usedAt` says when it was redeemed (a link works once). */
export type SetupLink = Schema<"SetupLink">;

/** A new setup link, with its URL and secret: shown only in this answer. */
export type NewSetupLink = ResponseBody<"POST /api/v1/orgs/{orgId}/setup-links", 201>;

/** What redeeming a setup link gives: a bearer token for the admin API, scoped to the organisation's providers. */
export type SetupSession = ResponseBody<"POST /api/v1/setup-sessions", 201>;

export class SetupLinkAdmin extends AuditAdmin {
  /**
   * Makes a one-time setup link for the organisation's IT admin: `POST /api/v1/orgs/{orgId}/setup-links`.
   * Its holder may configure, check and test the organisation's providers, and nothing else.
   */
  createSetupLink(
    orgId: string,
    request: RequestBody<"POST /api/v1/orgs/{orgId}/setup-links"> = {},
    options?: RequestOptions,
  ): Promise<NewSetupLink> {
    return this.call(
      { method: "POST", path: `${orgPath(orgId)}/setup-links`, body: request, idempotent: false },
      options,
      readBody<NewSetupLink>("POST /api/v1/orgs/{orgId}/setup-links"),
    );
  }

  /** The organisation's setup links, newest first: `GET /api/v1/orgs/{orgId}/setup-links`. */
  listSetupLinks(orgId: string, options?: RequestOptions): Promise<SetupLink[]> {
    return this.call(
      { method: "GET", path: `${orgPath(orgId)}/setup-links`, idempotent: true },
      options,
      readBody<SetupLink[]>("GET /api/v1/orgs/{orgId}/setup-links"),
    );
  }

  /** Revokes a setup link (a session it opened ends at once): `DELETE /api/v1/orgs/{orgId}/setup-links/{id}`. */
  async revokeSetupLink(orgId: string, id: string, options?: RequestOptions): Promise<void> {
    await this.call({ method: "DELETE", path: `${orgPath(orgId)}/setup-links/${segment(id)}`, idempotent: true }, options, noBody);
  }

  /**
   * Redeems a setup link's token, once, for a setup session: `POST /api/v1/setup-sessions`. Needs no
   * admin token; use the session token as a client's `adminToken` for the organisation's providers.
   */
  redeemSetupLink(token: string, options?: RequestOptions): Promise<SetupSession> {
    const body: RequestBody<"POST /api/v1/setup-sessions"> = { token };
    return this.callWithoutToken(
      { method: "POST", path: "/api/v1/setup-sessions", body, idempotent: false },
      options,
      readBody<SetupSession>("POST /api/v1/setup-sessions"),
    );
  }
}
