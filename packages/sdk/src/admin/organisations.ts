/** `client.admin`'s organisations: create, list, read, rename and delete them, their domains, and their sign-in steps. */
import { segment, type RequestOptions } from "../http.ts";
import { readBody, type RequestBody, type ResponseBody } from "../wire.ts";
import { AdminResource, noBody, orgPath } from "./resource.ts";

/** An organisation. Users sign in to it through the email domains it owns. */
export type Org = ResponseBody<"GET /api/v1/orgs/{orgId}">;

/** Input of {@link Admin.createOrg}: a name and the email domains, e.g. `["example.com"]`. */
export type CreateOrgRequest = RequestBody<"POST /api/v1/orgs">;

/** One step of an organisation's sign-in (the contract's `AuthStep`): its order (1, 2 or 3) and at least one method, each in one step only. */
export type AuthStep = ResponseBody<"GET /api/v1/orgs/{orgId}/auth-methods">["authMethods"][number];

type AuthMethods = ResponseBody<"GET /api/v1/orgs/{orgId}/auth-methods">;
const readAuthMethods = readBody<AuthMethods>("GET /api/v1/orgs/{orgId}/auth-methods");
const readSavedAuthMethods = readBody<AuthMethods>("PUT /api/v1/orgs/{orgId}/auth-methods");

export class OrganisationAdmin extends AdminResource {
  /** Creates an organisation: `POST /api/v1/orgs`. Not idempotent: each request creates one. */
  createOrg(request: CreateOrgRequest, options?: RequestOptions): Promise<Org> {
    const body: CreateOrgRequest = { name: request.name, domains: request.domains };
    return this.call({ method: "POST", path: "/api/v1/orgs", body, idempotent: false }, options, readBody<Org>("POST /api/v1/orgs"));
  }

  /** Lists the organisations: `GET /api/v1/orgs`. */
  listOrgs(options?: RequestOptions): Promise<Org[]> {
    return this.call({ method: "GET", path: "/api/v1/orgs", idempotent: true }, options, readBody<Org[]>("GET /api/v1/orgs"));
  }

  /** Reads an organisation: `GET /api/v1/orgs/{orgId}`. */
  getOrg(orgId: string, options?: RequestOptions): Promise<Org> {
    return this.call({ method: "GET", path: orgPath(orgId), idempotent: true }, options, readBody<Org>("GET /api/v1/orgs/{orgId}"));
  }

  /** Renames an organisation: `PATCH /api/v1/orgs/{orgId}` with `{ name }`. Setting the same name again changes nothing, so it is retried like a `PUT`. */
  renameOrg(orgId: string, name: string, options?: RequestOptions): Promise<Org> {
    const body: RequestBody<"PATCH /api/v1/orgs/{orgId}"> = { name };
    return this.call(
      { method: "PATCH", path: orgPath(orgId), body, idempotent: true },
      options,
      readBody<Org>("PATCH /api/v1/orgs/{orgId}"),
    );
  }

  /**
   * Deletes an organisation with its domains, providers, users, identity links, setup links and
   * sessions: `DELETE /api/v1/orgs/{orgId}`. Its users can no longer refresh; its audit trail is kept.
   */
  async deleteOrg(orgId: string, options?: RequestOptions): Promise<void> {
    await this.call({ method: "DELETE", path: orgPath(orgId), idempotent: true }, options, noBody);
  }

  /**
   * Adds an email domain: `POST /api/v1/orgs/{orgId}/domains`; new sign-ins with its addresses
   * route to the organisation. A domain any organisation claims is a `CONFLICT` (409). Not
   * retried: a replay would be that conflict.
   */
  addOrgDomain(orgId: string, domain: string, options?: RequestOptions): Promise<Org> {
    const body: RequestBody<"POST /api/v1/orgs/{orgId}/domains"> = { domain };
    return this.call(
      { method: "POST", path: `${orgPath(orgId)}/domains`, body, idempotent: false },
      options,
      readBody<Org>("POST /api/v1/orgs/{orgId}/domains"),
    );
  }

  /**
   * Removes an email domain: `DELETE /api/v1/orgs/{orgId}/domains/{domain}`. New sign-ins with
   * its addresses no longer route to the organisation; its existing users keep their accounts.
   */
  async removeOrgDomain(orgId: string, domain: string, options?: RequestOptions): Promise<void> {
    await this.call({ method: "DELETE", path: `${orgPath(orgId)}/domains/${segment(domain)}`, idempotent: true }, options, noBody);
  }

  /** Reads the organisation's sign-in steps, in order: `GET /api/v1/orgs/{orgId}/auth-methods`. */
  async getAuthMethods(orgId: string, options?: RequestOptions): Promise<AuthStep[]> {
    const wire = await this.call({ method: "GET", path: `${orgPath(orgId)}/auth-methods`, idempotent: true }, options, readAuthMethods);
    return wire.authMethods;
  }

  /**
   * Replaces the organisation's sign-in steps (1 to 3, orders 1-3, no method twice):
   * `PUT /api/v1/orgs/{orgId}/auth-methods` with `{ authMethod: steps }`. Returns the saved
   * steps, sorted by order.
   */
  async setAuthMethods(orgId: string, steps: AuthStep[], options?: RequestOptions): Promise<AuthStep[]> {
    const authMethod = steps.map((step) => ({ order: step.order, allowedMethods: step.allowedMethods.map((m) => ({ type: m.type })) }));
    const body: RequestBody<"PUT /api/v1/orgs/{orgId}/auth-methods"> = { authMethod };
    const wire = await this.call(
      { method: "PUT", path: `${orgPath(orgId)}/auth-methods`, body, idempotent: true },
      options,
      readSavedAuthMethods,
    );
    return wire.authMethods;
  }
}
