/**
 * `client.admin`: organisation administration (organisations, their OAuth providers, users
 * and the sign-in audit trail). Every call sends the client's `adminToken` as
 * `Authorization: Bearer`. Responses are checked for the fields typed here; other fields
 * pass through.
 */
import { parseJson, segment, type RawResponse, type RequestOptions, type RequestSpec, type Transport } from "./http.ts";
import { bearer } from "./user-account.ts";
import { readArray, readShape, ShapeError, type JsonObject } from "./validate.ts";

/** An organisation. Users sign in to it through the email domains it owns. */
export interface Org {
  id: string;
  name: string;
  domains: string[];
  createdAt?: string | null;
  [key: string]: unknown;
}

/** Input of {@link Admin.createOrg}. */
export interface CreateOrgRequest {
  name: string;
  /** Email domains of the organisation, e.g. `["example.com"]`. */
  domains: string[];
}

/** How the service authenticates to the provider's token endpoint (RFC 6749 §2.3.1). */
export type TokenEndpointAuthMethod = "client_secret_basic" | "client_secret_post" | (string & {});

/**
 * What an admin writes with {@link Admin.putProvider}: the contract's `GenericOAuthConfig`
 * plus this service's additions. With `issuer`, endpoints come from OpenID Connect discovery.
 */
export interface OAuthProviderSettingsInput {
  /** Display name. */
  providerName?: string;
  clientId: string;
  /** Write-only: never returned (see {@link OAuthProviderSettings.clientSecretSet}). Omit to keep the stored one. */
  clientSecret?: string;
  issuer?: string;
  authorizationUrl?: string;
  tokenEndpoint?: string;
  userInfoEndpoint?: string;
  jwksUri?: string;
  scope?: string;
  /** The contract's single redirect URI; prefer `redirectUris`. */
  redirectUri?: string;
  /** Registered redirect URIs, matched exactly. */
  redirectUris?: string[];
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** Create unknown users of the organisation's domains at first sign-in. */
  enableJit?: boolean;
  /** Accept the provider's email claim without `email_verified: true`. */
  trustEmail?: boolean;
  /** Refuse exchanges that did not start at `oauth.authorizationUrl` (state + PKCE). */
  requirePkce?: boolean;
}

/** A provider's stored settings, as returned (never the secret). */
export interface OAuthProviderSettings {
  /** The provider's name in the organisation (the `provider` of `oauth.exchangeCode`), when the server includes it. */
  name?: string | null;
  providerName: string;
  clientId: string;
  /** Whether a client secret is stored. */
  clientSecretSet: boolean;
  authorizationUrl?: string | null;
  tokenEndpoint?: string | null;
  userInfoEndpoint?: string | null;
  scope?: string | null;
  issuer?: string | null;
  jwksUri?: string | null;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  redirectUris: string[];
  enableJit: boolean;
  trustEmail: boolean;
  requirePkce?: boolean | null;
  [key: string]: unknown;
}

/** A user of an organisation. */
export interface OrgUser {
  id: string;
  email: string;
  orgId?: string | null;
  fullName?: string | null;
  /** E.g. `"active"` or `"disabled"`. */
  status?: string | null;
  createdAt?: string | null;
  [key: string]: unknown;
}

/** Input of {@link Admin.createUser}. */
export interface CreateUserRequest {
  email: string;
  fullName: string;
}

/** One sign-in audit record. Never contains a token or secret. */
export interface AuditRecord {
  id: string;
  /** E.g. `"oauth.exchange"`. */
  event: string;
  /** `"success"` or `"failure"`. */
  outcome: string;
  createdAt: string;
  /** The failure identifier (e.g. `INVALID_GRANT`) of a failed event. */
  error?: string | null;
  email?: string | null;
  provider?: string | null;
  userId?: string | null;
  ip?: string | null;
  [key: string]: unknown;
}

/** One page of the audit trail, newest first. */
export interface AuditPage {
  items: AuditRecord[];
  /** Pass to {@link Admin.listAudit} for the next page; absent or null on the last page. */
  nextCursor?: string | null;
}

/** Input of {@link Admin.listAudit}. */
export interface ListAuditRequest {
  limit?: number;
  cursor?: string;
}

const orgShape = { id: "string", name: "string", domains: "string[]", createdAt: "string?" } as const;
const providerShape = {
  name: "string?",
  providerName: "string",
  clientId: "string",
  clientSecretSet: "boolean",
  authorizationUrl: "string?",
  tokenEndpoint: "string?",
  userInfoEndpoint: "string?",
  scope: "string?",
  issuer: "string?",
  jwksUri: "string?",
  tokenEndpointAuthMethod: "string",
  redirectUris: "string[]",
  enableJit: "boolean",
  trustEmail: "boolean",
  requirePkce: "boolean?",
} as const;
const userShape = {
  id: "string",
  email: "string",
  orgId: "string?",
  fullName: "string?",
  status: "string?",
  createdAt: "string?",
} as const;
const auditShape = {
  id: "string",
  event: "string",
  outcome: "string",
  createdAt: "string",
  error: "string?",
  email: "string?",
  provider: "string?",
  userId: "string?",
  ip: "string?",
} as const;

/** Admin operations. Reach them as `client.admin`; they need the client's `adminToken`. */
export class Admin {
  readonly #transport: Transport;
  readonly #token: string | undefined;

  /** @internal Created by `Pipeshub`. */
  constructor(transport: Transport, adminToken: string | undefined) {
    this.#transport = transport;
    this.#token = adminToken;
  }

  /** Creates an organisation: `POST /api/v1/orgs`. */
  createOrg(request: CreateOrgRequest, options?: RequestOptions): Promise<Org> {
    return this.#call({ method: "POST", path: "/api/v1/orgs", body: { name: request.name, domains: request.domains } }, options, decodeOrg);
  }

  /** Reads an organisation: `GET /api/v1/orgs/{orgId}`. */
  getOrg(orgId: string, options?: RequestOptions): Promise<Org> {
    return this.#call({ method: "GET", path: orgPath(orgId) }, options, decodeOrg);
  }

  /** Creates or replaces a provider: `PUT /api/v1/orgs/{orgId}/oauth-providers/{name}`. The service validates the settings (and discovery) when saved. */
  putProvider(orgId: string, name: string, settings: OAuthProviderSettingsInput, options?: RequestOptions): Promise<OAuthProviderSettings> {
    return this.#call({ method: "PUT", path: providerPath(orgId, name), body: settings }, options, decodeProvider);
  }

  /** Reads a provider's settings: `GET /api/v1/orgs/{orgId}/oauth-providers/{name}`. */
  getProvider(orgId: string, name: string, options?: RequestOptions): Promise<OAuthProviderSettings> {
    return this.#call({ method: "GET", path: providerPath(orgId, name) }, options, decodeProvider);
  }

  /** Lists the organisation's providers: `GET /api/v1/orgs/{orgId}/oauth-providers`. */
  listProviders(orgId: string, options?: RequestOptions): Promise<OAuthProviderSettings[]> {
    return this.#call({ method: "GET", path: `${orgPath(orgId)}/oauth-providers` }, options, (raw) =>
      readList(parseJson(raw), "providers", (item, path) => readShape(item, providerShape, path)),
    );
  }

  /** Deletes a provider: `DELETE /api/v1/orgs/{orgId}/oauth-providers/{name}`. */
  async deleteProvider(orgId: string, name: string, options?: RequestOptions): Promise<void> {
    await this.#call({ method: "DELETE", path: providerPath(orgId, name) }, options, () => undefined);
  }

  /** Creates a user: `POST /api/v1/orgs/{orgId}/users`. */
  createUser(orgId: string, request: CreateUserRequest, options?: RequestOptions): Promise<OrgUser> {
    return this.#call(
      { method: "POST", path: `${orgPath(orgId)}/users`, body: { email: request.email, fullName: request.fullName } },
      options,
      (raw) => readShape(parseJson(raw), userShape),
    );
  }

  /** Finds users by email: `GET /api/v1/orgs/{orgId}/users?email=`. */
  findUsers(orgId: string, email: string, options?: RequestOptions): Promise<OrgUser[]> {
    return this.#call({ method: "GET", path: `${orgPath(orgId)}/users`, query: { email } }, options, (raw) =>
      readList(parseJson(raw), "users", (item, path) => readShape(item, userShape, path)),
    );
  }

  /** Reads the sign-in audit trail, a page at a time: `GET /api/v1/orgs/{orgId}/audit?limit=&cursor=`. */
  listAudit(orgId: string, request: ListAuditRequest = {}, options?: RequestOptions): Promise<AuditPage> {
    return this.#call(
      { method: "GET", path: `${orgPath(orgId)}/audit`, query: { limit: request.limit, cursor: request.cursor } },
      options,
      (raw) => {
        const value = parseJson(raw);
        const page = readShape(value, { nextCursor: "string?" });
        return {
          items: readList(value, "events", (item, path) => readShape(item, auditShape, path)),
          nextCursor: page.nextCursor ?? null,
        };
      },
    );
  }

  #call<T>(spec: RequestSpec, options: RequestOptions | undefined, decode: (raw: RawResponse) => T): Promise<T> {
    if (this.#token === undefined) {
      return Promise.reject(new TypeError("client.admin needs the adminToken client option"));
    }
    return this.#transport.request({ ...spec, headers: bearer(this.#token) }, options, decode);
  }
}

function decodeOrg(raw: RawResponse): Org {
  return readShape(parseJson(raw), orgShape);
}

function decodeProvider(raw: RawResponse): OAuthProviderSettings {
  return readShape(parseJson(raw), providerShape);
}

function orgPath(orgId: string): string {
  return `/api/v1/orgs/${segment(orgId)}`;
}

function providerPath(orgId: string, name: string): string {
  return `${orgPath(orgId)}/oauth-providers/${segment(name)}`;
}

/** A list answered as a bare array, as `{ items: [...] }`, or as `{ <key>: [...] }`. */
function readList<T>(value: unknown, key: string, readItem: (item: unknown, path: string) => T): T[] {
  if (Array.isArray(value)) return readArray(value, "response", readItem);
  if (typeof value === "object" && value !== null) {
    const object = value as JsonObject;
    if (Array.isArray(object.items)) return readArray(object.items, "response.items", readItem);
    if (Array.isArray(object[key])) return readArray(object[key], `response.${key}`, readItem);
  }
  throw new ShapeError(`response: expected an array, or an object with an "items" or "${key}" array`);
}
