/**
 * `client.admin`'s directory provisioning: an organisation's SCIM tokens (what an IdP such as
 * Entra ID or Okta calls the secret token, with the tenant URL), the SCIM group whose members are
 * admins, and the introspection tokens resource servers check the service's tokens with.
 */
import { segment, type RequestOptions } from "../http.ts";
import { readBody, type RequestBody, type ResponseBody, type Schema } from "../wire.ts";
import { ConsoleSessionAdmin } from "./console-sessions.ts";
import { noBody, orgPath } from "./resource.ts";

/** An organisation's SCIM token, as listed: never its value. */
export type ScimToken = Schema<"ScimToken">;

/** A new SCIM token with its value and the SCIM base URL (the IdP's tenant URL): shown only in this answer. */
export type NewScimToken = ResponseBody<"POST /api/v1/orgs/{orgId}/scim-tokens", 201>;

/** A resource server's introspection token, as listed: never its value. */
export type IntrospectionToken = Schema<"IntrospectionToken">;

/** A new introspection token with its value: shown only in this answer. */
export type NewIntrospectionToken = ResponseBody<"POST /api/v1/introspection-tokens", 201>;

export class ScimAdmin extends ConsoleSessionAdmin {
  /**
   * Makes a SCIM token for the organisation's directory: `POST /api/v1/orgs/{orgId}/scim-tokens`.
   * Give the IdP `baseUrl` as its tenant URL and `token` as its secret token. Not idempotent.
   */
  createScimToken(orgId: string, options?: RequestOptions): Promise<NewScimToken> {
    return this.call(
      { method: "POST", path: `${orgPath(orgId)}/scim-tokens`, idempotent: false },
      options,
      readBody<NewScimToken>("POST /api/v1/orgs/{orgId}/scim-tokens"),
    );
  }

  /** The organisation's SCIM tokens, newest first: `GET /api/v1/orgs/{orgId}/scim-tokens`. */
  listScimTokens(orgId: string, options?: RequestOptions): Promise<ScimToken[]> {
    return this.call(
      { method: "GET", path: `${orgPath(orgId)}/scim-tokens`, idempotent: true },
      options,
      readBody<ScimToken[]>("GET /api/v1/orgs/{orgId}/scim-tokens"),
    );
  }

  /** Revokes a SCIM token (its next request is refused): `DELETE /api/v1/orgs/{orgId}/scim-tokens/{id}`. */
  async revokeScimToken(orgId: string, id: string, options?: RequestOptions): Promise<void> {
    await this.call({ method: "DELETE", path: `${orgPath(orgId)}/scim-tokens/${segment(id)}`, idempotent: true }, options, noBody);
  }

  /** Sets which SCIM group's members are admins (null: none): `PUT /api/v1/orgs/{orgId}/scim-admin-group`. The operator's alone. */
  setScimAdminGroup(
    orgId: string,
    displayName: string | null,
    options?: RequestOptions,
  ): Promise<ResponseBody<"PUT /api/v1/orgs/{orgId}/scim-admin-group">> {
    const body: RequestBody<"PUT /api/v1/orgs/{orgId}/scim-admin-group"> = { displayName };
    return this.call(
      { method: "PUT", path: `${orgPath(orgId)}/scim-admin-group`, body, idempotent: true },
      options,
      readBody("PUT /api/v1/orgs/{orgId}/scim-admin-group"),
    );
  }

  /** Makes an introspection token for a resource server: `POST /api/v1/introspection-tokens`. Not idempotent. */
  createIntrospectionToken(
    request: RequestBody<"POST /api/v1/introspection-tokens"> = {},
    options?: RequestOptions,
  ): Promise<NewIntrospectionToken> {
    return this.call(
      { method: "POST", path: "/api/v1/introspection-tokens", body: request, idempotent: false },
      options,
      readBody<NewIntrospectionToken>("POST /api/v1/introspection-tokens"),
    );
  }

  /** The introspection tokens, newest first: `GET /api/v1/introspection-tokens`. */
  listIntrospectionTokens(options?: RequestOptions): Promise<IntrospectionToken[]> {
    return this.call(
      { method: "GET", path: "/api/v1/introspection-tokens", idempotent: true },
      options,
      readBody<IntrospectionToken[]>("GET /api/v1/introspection-tokens"),
    );
  }

  /** Revokes an introspection token: `DELETE /api/v1/introspection-tokens/{id}`. */
  async revokeIntrospectionToken(id: string, options?: RequestOptions): Promise<void> {
    await this.call({ method: "DELETE", path: `/api/v1/introspection-tokens/${segment(id)}`, idempotent: true }, options, noBody);
  }
}
