/** `client.admin`'s organisations: create, list, read, rename and delete them, their domains, and their sign-in steps. */
import { segment, type RequestOptions } from "../http.ts";
import { readBody, type RequestBody, type ResponseBody, withOptional } from "../wire.ts";
import { AdminResource, noBody, orgPath } from "./resource.ts";

/** An organisation. Users sign in to it through the email domains it owns. */
export type Org = ResponseBody<"GET /api/v1/orgs/{orgId}">;

/** Input of {@link Admin.createOrg}: a name and the email domains, e.g. `["example.com"]`. */
export type CreateOrgRequest = RequestBody<"POST /api/v1/orgs">;

/** One step of an organisation's sign-in (the contract's `AuthStep`): its order (1, 2 or 3) and at least one method, each in one step only. */
export type AuthStep = ResponseBody<"GET /api/v1/orgs/{orgId}/auth-methods">["authMethods"][number];

/**
 * One of an organisation's email domains: `verified` (routes sign-ins) or `pending` (a delegated
 * admin's claim, counting nowhere until the DNS TXT record `txtName` = `txtValue` is seen).
 */
export type DomainClaim = ResponseBody<"GET /api/v1/orgs/{orgId}/domains">[number];

/** The organisation after {@link Admin.addOrgDomain}, with the claim just made (`claim`; absent from an older service). */
export type OrgWithDomainClaim = ResponseBody<"POST /api/v1/orgs/{orgId}/domains", 201>;

// An older service answers the organisation without the claim.
const readAddedDomain = readBody<OrgWithDomainClaim>("POST /api/v1/orgs/{orgId}/domains", (schema) => withOptional(schema, ["claim"]));

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
   * Adds an email domain: `POST /api/v1/orgs/{orgId}/domains`. The operator's is verified at once
   * (new sign-ins with its addresses route to the organisation); an organisation admin's or setup
   * session's is `pending` until its TXT record (`claim.txtName`, `claim.txtValue`) is served and
   * checked ({@link Admin.verifyDomain}). A domain this organisation claims, or another holds
   * verified, is a `CONFLICT` (409). Not retried: a replay would be that conflict.
   */
  addOrgDomain(orgId: string, domain: string, options?: RequestOptions): Promise<OrgWithDomainClaim> {
    const body: RequestBody<"POST /api/v1/orgs/{orgId}/domains"> = { domain };
    return this.call({ method: "POST", path: `${orgPath(orgId)}/domains`, body, idempotent: false }, options, readAddedDomain);
  }

  /** Lists the organisation's domains, verified and pending, each with its TXT record: `GET /api/v1/orgs/{orgId}/domains`. */
  listDomains(orgId: string, options?: RequestOptions): Promise<DomainClaim[]> {
    return this.call(
      { method: "GET", path: `${orgPath(orgId)}/domains`, idempotent: true },
      options,
      readBody<DomainClaim[]>("GET /api/v1/orgs/{orgId}/domains"),
    );
  }

  /**
   * Checks a domain's TXT record now: `POST /api/v1/orgs/{orgId}/domains/{domain}/verify`. Answers
   * the verified domain; a record not (yet) served is `DOMAIN_NOT_VERIFIED` (409, a `ConflictError`
   * whose `found` says what DNS answered: `nxdomain`, `no-records`, `other-values`, `timeout`,
   * `failed`). Verifying twice is verifying once, so it is retried.
   */
  verifyDomain(orgId: string, domain: string, options?: RequestOptions): Promise<DomainClaim> {
    return this.call(
      { method: "POST", path: `${orgPath(orgId)}/domains/${segment(domain)}/verify`, idempotent: true },
      options,
      readBody<DomainClaim>("POST /api/v1/orgs/{orgId}/domains/{domain}/verify"),
    );
  }

  /**
   * Removes an email domain: `DELETE /api/v1/orgs/{orgId}/domains/{domain}`. New sign-ins with
   * its addresses no longer route to the organisation; its existing users keep their accounts.
   * Only the operator removes a verified domain; a delegated admin removes pending ones.
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
