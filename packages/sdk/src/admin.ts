/**
 * `client.admin`: organisation administration (organisations, their OAuth providers, users,
 * sign-in steps, the sign-in audit trail and the service's signing keys). Every call sends the
 * client's `adminToken` as `Authorization: Bearer`. Responses are checked for the fields typed
 * here; other fields pass through.
 */
import { parseJson, segment, type RawResponse, type RequestOptions, type RequestSpec, type Transport } from "./http.ts";
import { bearer, type AllowedMethod } from "./user-account.ts";
import { type Infer, readArray, readShape, ShapeError } from "./validate.ts";

/** An organisation. Users sign in to it through the email domains it owns. */
export interface Org {
  id: string;
  name: string;
  domains: string[];
  createdAt: string;
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
  /** The provider's name; when sent, it must equal the `name` of the path. */
  providerName?: string;
  clientId: string;
  /** Write-only: never returned (see {@link OAuthProviderSettings.clientSecretSet}). Omit to keep the stored one. */
  clientSecret?: string;
  /**
   * Write-only, for rotating the secret without downtime: the secret the provider will switch
   * to. Sign-ins fall back to it when the provider refuses the current one; make it current with
   * {@link Admin.promoteProviderSecret}. Omit to keep the stored one.
   */
  nextClientSecret?: string;
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
  /** The claim that identifies the user (default `sub`; Entra ID's preset uses `oid`). Claims people can edit are refused. */
  subjectClaim?: string;
  /** The claim whose `true` means the email is verified (default `email_verified`). */
  emailVerifiedClaim?: string;
  /** A GitHub-style list of the user's addresses: the verified primary one is used. */
  emailsEndpoint?: string;
  /**
   * The operator's alone (an organisation admin or a setup session sending it gets 403
   * `FORBIDDEN`): let the provider link existing users who already have an identity elsewhere,
   * e.g. to move an organisation to it; never an admin who has one. Omit to keep the stored value.
   */
  linkExistingUsers?: boolean;
  /** Start from a preset (see {@link Admin.listProviderPresets}); fields given here override it. */
  preset?: string;
  /** The options the preset needs, e.g. `{ domain: "acme.okta.com" }`. */
  presetOptions?: Record<string, string>;
}

/** A provider preset the service knows, with the options it takes. */
export interface ProviderPreset {
  name: string;
  title: string;
  description: string;
  options: { name: string; required: boolean; description: string; example: string }[];
}

/** A provider's stored settings, as returned (never the secret). */
export interface OAuthProviderSettings {
  /** The provider's name in the organisation: the `provider` of `oauth.exchangeCode`. */
  providerName: string;
  clientId: string;
  /** Whether a client secret is stored. */
  clientSecretSet: boolean;
  /** Whether a next secret is stored for a rotation (see {@link OAuthProviderSettingsInput.nextClientSecret}). */
  nextClientSecretSet: boolean;
  /** Absent for a plain OAuth 2.0 provider. */
  issuer?: string | null;
  /** Explicit endpoints, when configured (otherwise they come from discovery). */
  authorizationUrl?: string | null;
  tokenEndpoint?: string | null;
  userInfoEndpoint?: string | null;
  jwksUri?: string | null;
  scope: string;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  redirectUris: string[];
  enableJit: boolean;
  trustEmail: boolean;
  requirePkce: boolean;
  /** The claim that identifies the user, when not `sub`. */
  subjectClaim?: string | null;
  /** The claim whose `true` means the email is verified, when not `email_verified`. */
  emailVerifiedClaim?: string | null;
  /** A GitHub-style list of the user's addresses, when configured. */
  emailsEndpoint?: string | null;
  /**
   * Who last saved the identity settings (issuer, endpoints, clientId, subjectClaim,
   * emailVerifiedClaim, trustEmail). `delegated` (an organisation admin or a setup link): the
   * provider links only existing users with no identity who are not admins, unless `linkExistingUsers`.
   */
  identitySettingsSavedBy: IdentitySettingsSavedBy;
  /** Set by the operator: the provider may link existing users with an identity elsewhere (never an admin who has one). */
  linkExistingUsers: boolean;
  createdAt: string;
  updatedAt: string;
  [key: string]: unknown;
}

/** Who last saved a provider's identity settings: the operator, or a delegated admin (an organisation admin or a setup link). */
export type IdentitySettingsSavedBy = "operator" | "delegated" | (string & {});

/** What {@link Admin.saveProvider} did: the saved settings, and whether the provider is new. */
export interface SavedProvider {
  provider: OAuthProviderSettings;
  /** `true` when the provider was created (HTTP 201), `false` when one of that name was replaced (200). */
  created: boolean;
  /**
   * Identity links the save dropped: a changed issuer, token endpoint or subject claim means the
   * provider's subjects name other accounts, so its users link again at their next sign-in.
   */
  identityLinksDropped: number;
}

/** A user's link to an identity at one of the organisation's providers ({@link Admin.listUserIdentities}). */
export interface UserIdentity {
  /** The provider's name. */
  provider: string;
  /** The user's identifier at the provider. */
  subject: string;
  /** When the link was made (ISO 8601). */
  linkedAt: string;
}

/** What {@link Admin.testProvider} learnt from the provider just now. */
export interface ProviderCheck {
  /** Always `true` in a result: a failed check rejects (e.g. `PipeshubDefaultError` 502 `PROVIDER_UNAVAILABLE`). */
  ok: boolean;
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  [key: string]: unknown;
}

/** How a doctor check came out: `fail` — sign-in will not work until fixed; `warn` — it may work, but something is off. */
export type DoctorFindingStatus = "pass" | "warn" | "fail" | (string & {});

/** One check of {@link Admin.doctorProvider}. */
export interface DoctorFinding {
  /** `discovery`, `issuer`, `jwks`, `signing-algorithms`, `pkce`, `client-credentials`, `email-scope`, `userinfo` or `clock`. */
  check: string;
  status: DoctorFindingStatus;
  /** What was found, for a person. */
  message: string;
  /** On `warn` and `fail`: what to change, and where (at the provider or in this service's settings). */
  fix?: string | null;
  [key: string]: unknown;
}

/** What {@link Admin.doctorProvider} found: one finding per check that applies to the provider. */
export interface ProviderDoctorReport {
  findings: DoctorFinding[];
  [key: string]: unknown;
}

/**
 * A user's role in their organisation: a `member`, or an `admin`, who administers the
 * organisation (its providers, its audit trail) with their own sign-in's access token.
 */
export type UserRole = "member" | "admin";

/**
 * Whether a user may sign in: `active`, or `disabled` — refused at sign-in (`USER_DISABLED`),
 * their sign-in sessions ended when they were disabled.
 */
export type UserStatus = "active" | "disabled";

/** A user of an organisation. */
export interface OrgUser {
  id: string;
  orgId: string;
  email: string;
  fullName?: string | null;
  /** `"active"` or `"disabled"` (a newer service may know more statuses). */
  status: UserStatus | (string & {});
  /** `"member"` or `"admin"` (a newer service may know more roles). */
  role: UserRole | (string & {});
  createdAt: string;
  [key: string]: unknown;
}

/** Input of {@link Admin.createUser}. */
export interface CreateUserRequest {
  email: string;
  fullName?: string;
  /** Default `"member"`. */
  role?: UserRole;
}

/** One step of an organisation's sign-in (the contract's `AuthStep`). */
export interface AuthStep {
  /** 1, 2 or 3. */
  order: number;
  /** At least one; a method appears in one step only. */
  allowedMethods: { type: AllowedMethod }[];
}

/**
 * One field an admin write changed: its values before and after (null: none), or only that it
 * changed (`changed: true`: a secret, never its value, or a value too large to keep).
 */
export type AuditChange = { field: string; before: unknown; after: unknown } | { field: string; changed: true };

/** One audit record: a sign-in step, or an admin write or refused admin request. Never contains a token or secret. */
export interface AuditRecord {
  id: string;
  createdAt: string;
  /** E.g. `"oauth.exchange"`, `"provider.updated"`, `"keys.rotated"`. */
  event: string;
  /** `"success"` or `"failure"`. */
  outcome: "success" | "failure" | (string & {});
  orgId: string | null;
  userId: string | null;
  email: string | null;
  provider: string | null;
  /** The failure identifier (e.g. `INVALID_GRANT`) of a failed event. */
  error: string | null;
  ip: string | null;
  /** Who acted: `operator`, `org-admin:<userId>`, `setup-link:<id>`; null on sign-in steps. */
  actor: string | null;
  /** What an admin write changed, field by field; null on other records. */
  changes: AuditChange[] | null;
  /** A failure's reason (its failure identifier, as `error`). */
  reason?: string;
  /** A failure's explanation: what to change, and where, to stop it. */
  fix?: string;
  [key: string]: unknown;
}

/** Where {@link Admin.startTestSignIn} sends the administrator's browser, and the state to complete with. */
export interface TestSignInStart {
  authorizationUrl: string;
  state: string;
  /** The redirect URI the provider will send the code to. */
  redirectUri: string;
}

/** What a real sign-in by the person who did the test sign-in would do. */
export interface TestSignInDecision {
  outcome: "would-sign-in" | "would-create" | "refused" | (string & {});
  /** With `would-sign-in`: the user it would be. */
  userId?: string;
  /** With `refused`: the failure identifier a real sign-in would answer. */
  reason?: string;
  /** With `refused`: what to change, and where. */
  fix?: string;
}

/** The outcome of {@link Admin.completeTestSignIn}: nothing was created. */
export interface TestSignInResult {
  orgId: string;
  provider: string;
  /** The verified ID token's claims; null from a plain OAuth 2.0 provider. */
  claims: Record<string, unknown> | null;
  /** What the provider's userinfo endpoint answered, when it has one. */
  userinfo: Record<string, unknown> | null;
  decision: TestSignInDecision;
}

/** One difference the provider watch found: a field's before and after, or keys/algorithms added and removed. */
export interface ProviderChange {
  /** `issuer`, `authorizationEndpoint`, `tokenEndpoint`, `userinfoEndpoint`, `jwksUri`, `algorithms` or `keys`. */
  field: string;
  before?: string | null;
  after?: string | null;
  added?: string[];
  removed?: string[];
}

/** A change the provider watch found at one of the organisation's providers. */
export interface ProviderEvent {
  id: string;
  type: "provider.changed";
  orgId: string;
  provider: string;
  changes: ProviderChange[];
  at: string;
}

/** A one-time setup link for an organisation's IT admin. */
export interface SetupLink {
  id: string;
  orgId: string;
  createdAt: string;
  expiresAt: string;
  /** When it was redeemed; a link works once. */
  usedAt: string | null;
  revokedAt: string | null;
}

/** A new setup link, with its URL and secret: shown only in this answer. */
export interface NewSetupLink extends SetupLink {
  url: string;
  token: string;
}

/** What redeeming a setup link gives: a bearer token for the admin API, scoped to the organisation's providers. */
export interface SetupSession {
  sessionToken: string;
  orgId: string;
  expiresAt: string;
}

/**
 * A live session of the admin console: an operator's (opened with the admin token), an
 * organisation admin's, or a setup link's (then `id` is the link's). `id` names the session; it
 * is not its cookie or token.
 */
export interface ConsoleSession {
  id: string;
  kind: "operator" | "org-admin" | "setup-link";
  orgId: string | null;
  userId: string | null;
  createdAt: string;
  expiresAt: string;
}

/** The windows {@link Admin.getProviderHealth} reads over. */
export type HealthWindow = "1h" | "24h" | "7d";

/** How sign-ins through one provider went over a window. */
export interface ProviderHealth {
  window: HealthWindow | (string & {});
  /** The window's start (ISO 8601). */
  since: string;
  /** Audited sign-in steps through the provider: each exchange, and each authenticate naming it. */
  attempts: number;
  successes: number;
  /** Failed attempts by reason (the failure identifier, e.g. `INVALID_GRANT`). */
  failures: Record<string, number>;
  lastSuccessAt: string | null;
  lastFailure: { reason: string; at: string; fix?: string } | null;
  /** The length of each bucket of `series`: 300 (1h), 3600 (24h) or 21600 (7d). */
  bucketSeconds: number;
  /** The same attempts over time: every bucket from the one holding `since` to the one holding now, oldest first. */
  series: HealthBucket[];
}

/** The attempts of one bucket of {@link ProviderHealth.series}. */
export interface HealthBucket {
  /** The bucket's start (ISO 8601, UTC): a multiple of `bucketSeconds`. */
  start: string;
  attempts: number;
  successes: number;
  /** attempts − successes. */
  failures: number;
}

/** One page of the audit trail, newest first. */
export interface AuditPage {
  records: AuditRecord[];
  /** Pass to {@link Admin.listAudit} for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Input of {@link Admin.listAudit}. */
export interface ListAuditRequest {
  /** 1 to 200 (default 50). */
  limit?: number;
  cursor?: string;
  /** Only successes, or only failures. */
  outcome?: "success" | "failure";
  /** Only this provider's records. */
  provider?: string;
  /** Only this event, e.g. `"oauth.exchange"`. */
  event?: string;
  /** Only this email's records (case-insensitive). */
  email?: string;
  /** Only what this actor did, e.g. `"operator"`, `"org-admin:<userId>"`, `"setup-link:<id>"`. */
  actor?: string;
}

const orgShape = { id: "string", name: "string", domains: "string[]", createdAt: "string" } as const;
const providerShape = {
  providerName: "string",
  clientId: "string",
  clientSecretSet: "boolean",
  nextClientSecretSet: "boolean",
  issuer: "string?",
  authorizationUrl: "string?",
  tokenEndpoint: "string?",
  userInfoEndpoint: "string?",
  jwksUri: "string?",
  scope: "string",
  tokenEndpointAuthMethod: "string",
  redirectUris: "string[]",
  enableJit: "boolean",
  trustEmail: "boolean",
  requirePkce: "boolean",
  subjectClaim: "string?",
  emailVerifiedClaim: "string?",
  emailsEndpoint: "string?",
  identitySettingsSavedBy: "string",
  linkExistingUsers: "boolean",
  createdAt: "string",
  updatedAt: "string",
} as const;
const savedProviderShape = { identityLinksDropped: "integer" } as const;
const identityShape = { provider: "string", subject: "string", linkedAt: "string" } as const;
const checkShape = { ok: "boolean", issuer: "string", authorizationEndpoint: "string", tokenEndpoint: "string" } as const;
const doctorReportShape = { findings: "array" } as const;
const findingShape = { check: "string", status: "string", message: "string", fix: "string?" } as const;
const userShape = {
  id: "string",
  orgId: "string",
  email: "string",
  fullName: "string?",
  status: "string",
  role: "string",
  createdAt: "string",
} as const;
const auditPageShape = { records: "array", nextCursor: "string?" } as const;
const auditShape = {
  id: "string",
  createdAt: "string",
  event: "string",
  outcome: "string",
  orgId: "string?",
  userId: "string?",
  email: "string?",
  provider: "string?",
  error: "string?",
  ip: "string?",
  actor: "string?",
  changes: "array?",
} as const;
const auditChangeShape = { field: "string" } as const;

/** An audit record, its changes (when any) each naming its field. */
function decodeAuditRecord(item: unknown, path: string): AuditRecord {
  const record = readShape(item, auditShape, path);
  const changes =
    record.changes === undefined || record.changes === null
      ? null
      : readArray(record.changes, `${path}.changes`, (change, at) => readShape(change, auditChangeShape, at) as AuditChange);
  // A service from before these fields existed leaves them out: read as null.
  const { orgId = null, userId = null, email = null, provider = null, error = null, ip = null, actor = null } = record;
  return { ...record, orgId, userId, email, provider, error, ip, actor, changes };
}

const healthShape = {
  window: "string",
  since: "string",
  attempts: "integer",
  successes: "integer",
  failures: "object",
  lastSuccessAt: "string?",
  lastFailure: "object?",
  bucketSeconds: "integer",
  series: "array",
} as const;
const healthBucketShape = { start: "string", attempts: "integer", successes: "integer", failures: "integer" } as const;
const testSignInStartShape = { authorizationUrl: "string", state: "string", redirectUri: "string" } as const;
const testSignInShape = { orgId: "string", provider: "string", claims: "object?", userinfo: "object?", decision: "object" } as const;
const decisionShape = { outcome: "string", userId: "string?", reason: "string?", fix: "string?" } as const;
const eventShape = { id: "string", type: "string", orgId: "string", provider: "string", changes: "array", at: "string" } as const;
const changeShape = { field: "string", before: "string?", after: "string?", added: "string[]?", removed: "string[]?" } as const;
const setupLinkShape = {
  id: "string",
  orgId: "string",
  createdAt: "string",
  expiresAt: "string",
  usedAt: "string?",
  revokedAt: "string?",
} as const;
const consoleSessionShape = {
  id: "string",
  kind: "string",
  orgId: "string?",
  userId: "string?",
  createdAt: "string",
  expiresAt: "string",
} as const;
const CONSOLE_SESSION_KINDS: readonly string[] = ["operator", "org-admin", "setup-link"];
const setupSessionShape = { sessionToken: "string", orgId: "string", expiresAt: "string" } as const;
/** The link's fields alone, an absent `usedAt` or `revokedAt` as `null`. */
const toSetupLink = ({ id, orgId, createdAt, expiresAt, usedAt, revokedAt }: Infer<typeof setupLinkShape>): SetupLink => ({
  id,
  orgId,
  createdAt,
  expiresAt,
  usedAt: usedAt ?? null,
  revokedAt: revokedAt ?? null,
});
const lastFailureShape = { reason: "string", at: "string", fix: "string?" } as const;
const authMethodsShape = { authMethods: "array" } as const;
const authStepShape = { order: "integer", allowedMethods: "array" } as const;
const stepMethodShape = { type: "string" } as const;
const rotateShape = { kid: "string" } as const;
const reencryptShape = { reencrypted: "integer" } as const;
const presetShape = { name: "string", title: "string", description: "string", options: "array" } as const;

/**
 * Admin operations. Reach them as `client.admin`; they need the client's `adminToken`.
 * GET, PUT and DELETE are idempotent (RFC 9110 §9.2.2) and retried as configured.
 */
export class Admin {
  readonly #transport: Transport;
  readonly #token: string | undefined;

  /** @internal Created by `Pipeshub`. */
  constructor(transport: Transport, adminToken: string | undefined) {
    this.#transport = transport;
    this.#token = adminToken;
  }

  /** Creates an organisation: `POST /api/v1/orgs`. Not idempotent: each request creates one. */
  createOrg(request: CreateOrgRequest, options?: RequestOptions): Promise<Org> {
    return this.#call(
      { method: "POST", path: "/api/v1/orgs", body: { name: request.name, domains: request.domains }, idempotent: false },
      options,
      decodeOrg,
    );
  }

  /** Lists the organisations: `GET /api/v1/orgs`. */
  listOrgs(options?: RequestOptions): Promise<Org[]> {
    return this.#call({ method: "GET", path: "/api/v1/orgs", idempotent: true }, options, (raw) =>
      readArray(parseJson(raw), "response", (item, path) => readShape(item, orgShape, path)),
    );
  }

  /** Reads an organisation: `GET /api/v1/orgs/{orgId}`. */
  getOrg(orgId: string, options?: RequestOptions): Promise<Org> {
    return this.#call({ method: "GET", path: orgPath(orgId), idempotent: true }, options, decodeOrg);
  }

  /** Creates or replaces a provider: `PUT /api/v1/orgs/{orgId}/oauth-providers/{name}`. The service validates the settings (and discovery) when saved. */
  putProvider(orgId: string, name: string, settings: OAuthProviderSettingsInput, options?: RequestOptions): Promise<OAuthProviderSettings> {
    return this.saveProvider(orgId, name, settings, options).then((saved) => saved.provider);
  }

  /** {@link Admin.putProvider}, also telling whether the provider was created or replaced (e.g. to say which to a person). */
  saveProvider(orgId: string, name: string, settings: OAuthProviderSettingsInput, options?: RequestOptions): Promise<SavedProvider> {
    return this.#call({ method: "PUT", path: providerPath(orgId, name), body: settings, idempotent: true }, options, (raw) => {
      // The count is the save's, not the provider's: the provider is answered as getProvider reads it.
      const { identityLinksDropped, ...provider } = readShape(parseJson(raw), { ...providerShape, ...savedProviderShape });
      return { provider: provider as OAuthProviderSettings, created: raw.response.status === 201, identityLinksDropped };
    });
  }

  /** Reads a provider's settings: `GET /api/v1/orgs/{orgId}/oauth-providers/{name}`. */
  getProvider(orgId: string, name: string, options?: RequestOptions): Promise<OAuthProviderSettings> {
    return this.#call({ method: "GET", path: providerPath(orgId, name), idempotent: true }, options, decodeProvider);
  }

  /** Lists the provider presets (Google, Entra ID, GitHub, …) and their options: `GET /api/v1/provider-presets`. */
  listProviderPresets(options?: RequestOptions): Promise<ProviderPreset[]> {
    return this.#call({ method: "GET", path: "/api/v1/provider-presets", idempotent: true }, options, (raw) =>
      readArray(parseJson(raw), "response", (item, path) => readShape(item, presetShape, path) as unknown as ProviderPreset),
    );
  }

  /** Lists the organisation's providers: `GET /api/v1/orgs/{orgId}/oauth-providers`. */
  listProviders(orgId: string, options?: RequestOptions): Promise<OAuthProviderSettings[]> {
    return this.#call({ method: "GET", path: `${orgPath(orgId)}/oauth-providers`, idempotent: true }, options, (raw) =>
      readArray(parseJson(raw), "response", (item, path) => readShape(item, providerShape, path)),
    );
  }

  /** Deletes a provider: `DELETE /api/v1/orgs/{orgId}/oauth-providers/{name}`. */
  async deleteProvider(orgId: string, name: string, options?: RequestOptions): Promise<void> {
    await this.#call({ method: "DELETE", path: providerPath(orgId, name), idempotent: true }, options, () => undefined);
  }

  /**
   * Checks that the provider's discovery document and keys can be fetched now:
   * `POST /api/v1/orgs/{orgId}/oauth-providers/{name}/test`. Changes nothing, so it is
   * retried like a read.
   *
   * @throws {PipeshubDefaultError} 502 `PROVIDER_UNAVAILABLE` / `PROVIDER_ERROR`, 504 `PROVIDER_TIMEOUT`, 404 `NOT_FOUND`.
   */
  testProvider(orgId: string, name: string, options?: RequestOptions): Promise<ProviderCheck> {
    return this.#call({ method: "POST", path: `${providerPath(orgId, name)}/test`, idempotent: true }, options, (raw) =>
      readShape(parseJson(raw), checkShape),
    );
  }

  /**
   * Ends a client-secret rotation: the `nextClientSecret` saved with the settings becomes the
   * current secret and the old one is forgotten:
   * `POST /api/v1/orgs/{orgId}/oauth-providers/{name}/promote-secret`. Not retried: a replay
   * after it worked would answer 409.
   *
   * @throws {PipeshubDefaultError} 409 `CONFLICT` (no next secret stored), 404 `NOT_FOUND`.
   */
  promoteProviderSecret(orgId: string, name: string, options?: RequestOptions): Promise<OAuthProviderSettings> {
    return this.#call({ method: "POST", path: `${providerPath(orgId, name)}/promote-secret`, idempotent: false }, options, decodeProvider);
  }

  /**
   * Examines the provider now, as a sign-in would meet it: discovery and its issuer, the key set
   * and its algorithms, PKCE, whether the token endpoint accepts the client's credentials, the
   * email scope, userinfo and the provider's clock:
   * `POST /api/v1/orgs/{orgId}/oauth-providers/{name}/doctor`. A provider's problems are findings
   * (`status: "fail"` with a `fix`), not errors. Changes nothing, so it is retried like a read.
   *
   * @throws {PipeshubDefaultError} 404 `NOT_FOUND` (no such organisation or provider).
   */
  doctorProvider(orgId: string, name: string, options?: RequestOptions): Promise<ProviderDoctorReport> {
    return this.#call({ method: "POST", path: `${providerPath(orgId, name)}/doctor`, idempotent: true }, options, (raw) => {
      const report = readShape(parseJson(raw), doctorReportShape);
      return { ...report, findings: readArray(report.findings, "response.findings", (item, path) => readShape(item, findingShape, path)) };
    });
  }

  /** Creates a user: `POST /api/v1/orgs/{orgId}/users`. Not idempotent: a replay of a created user answers 409. */
  createUser(orgId: string, request: CreateUserRequest, options?: RequestOptions): Promise<OrgUser> {
    const body: Record<string, string> = { email: request.email };
    if (request.fullName !== undefined) body.fullName = request.fullName;
    if (request.role !== undefined) body.role = request.role;
    return this.#call({ method: "POST", path: `${orgPath(orgId)}/users`, body, idempotent: false }, options, decodeUser);
  }

  /** Finds users by email (at most one): `GET /api/v1/orgs/{orgId}/users?email=`. */
  findUsers(orgId: string, email: string, options?: RequestOptions): Promise<OrgUser[]> {
    return this.#call({ method: "GET", path: `${orgPath(orgId)}/users`, query: { email }, idempotent: true }, options, decodeUsers);
  }

  /** Lists the organisation's users: `GET /api/v1/orgs/{orgId}/users`. */
  listUsers(orgId: string, options?: RequestOptions): Promise<OrgUser[]> {
    return this.#call({ method: "GET", path: `${orgPath(orgId)}/users`, idempotent: true }, options, decodeUsers);
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
    return this.#call({ method: "GET", path: `${orgPath(orgId)}/users/${segment(userId)}/identities`, idempotent: true }, options, (raw) =>
      readArray(parseJson(raw), "response", (item, path) => readShape(item, identityShape, path)),
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
    await this.#call(
      { method: "DELETE", path: `${orgPath(orgId)}/users/${segment(userId)}/identities/${segment(provider)}`, idempotent: true },
      options,
      () => undefined,
    );
  }

  /** `PATCH /api/v1/orgs/{orgId}/users/{userId}`: setting what is already set changes nothing, so it is retried like a `PUT`. */
  #patchUser(orgId: string, userId: string, body: { role: UserRole } | { status: UserStatus }, options?: RequestOptions): Promise<OrgUser> {
    return this.#call({ method: "PATCH", path: `${orgPath(orgId)}/users/${segment(userId)}`, body, idempotent: true }, options, decodeUser);
  }

  /**
   * Reads the organisation's audit trail (its sign-in steps and the admin writes to it), a page at
   * a time, newest first, optionally narrowed:
   * `GET /api/v1/orgs/{orgId}/audit?limit=&cursor=&outcome=&provider=&event=&email=&actor=`.
   */
  listAudit(orgId: string, request: ListAuditRequest = {}, options?: RequestOptions): Promise<AuditPage> {
    return this.#auditPage(`${orgPath(orgId)}/audit`, request, options);
  }

  /**
   * Reads the records outside any organisation (`keys.rotated`, `keys.reencrypted`, sign-ins that
   * reached none), newest first, narrowed like {@link Admin.listAudit}: `GET /api/v1/audit`. The
   * operator's alone.
   */
  listServiceAudit(request: ListAuditRequest = {}, options?: RequestOptions): Promise<AuditPage> {
    return this.#auditPage("/api/v1/audit", request, options);
  }

  #auditPage(path: string, request: ListAuditRequest, options?: RequestOptions): Promise<AuditPage> {
    const { limit, cursor, outcome, provider, event, email, actor } = request;
    return this.#call(
      { method: "GET", path, query: { limit, cursor, outcome, provider, event, email, actor }, idempotent: true },
      options,
      (raw) => {
        const page = readShape(parseJson(raw), auditPageShape);
        return {
          records: readArray(page.records, "response.records", decodeAuditRecord),
          nextCursor: page.nextCursor ?? null,
        };
      },
    );
  }

  /**
   * Makes a one-time setup link for the organisation's IT admin: `POST /api/v1/orgs/{orgId}/setup-links`.
   * Its holder may configure, check and test the organisation's providers, and nothing else.
   */
  createSetupLink(orgId: string, request: { expiresInHours?: number } = {}, options?: RequestOptions): Promise<NewSetupLink> {
    return this.#call({ method: "POST", path: `${orgPath(orgId)}/setup-links`, body: request, idempotent: false }, options, (raw) => {
      const link = readShape(parseJson(raw), { ...setupLinkShape, url: "string", token: "string" } as const);
      return { ...toSetupLink(link), url: link.url, token: link.token };
    });
  }

  /** The organisation's setup links, newest first: `GET /api/v1/orgs/{orgId}/setup-links`. */
  listSetupLinks(orgId: string, options?: RequestOptions): Promise<SetupLink[]> {
    return this.#call({ method: "GET", path: `${orgPath(orgId)}/setup-links`, idempotent: true }, options, (raw) =>
      readArray(parseJson(raw), "response", (item, path) => toSetupLink(readShape(item, setupLinkShape, path))),
    );
  }

  /** Revokes a setup link (a session it opened ends at once): `DELETE /api/v1/orgs/{orgId}/setup-links/{id}`. */
  async revokeSetupLink(orgId: string, id: string, options?: RequestOptions): Promise<void> {
    await this.#call(
      { method: "DELETE", path: `${orgPath(orgId)}/setup-links/${segment(id)}`, idempotent: true },
      options,
      () => undefined,
    );
  }

  /**
   * Redeems a setup link's token, once, for a setup session: `POST /api/v1/setup-sessions`. Needs no
   * admin token; use the session token as a client's `adminToken` for the organisation's providers.
   */
  redeemSetupLink(token: string, options?: RequestOptions): Promise<SetupSession> {
    return this.#transport.request({ method: "POST", path: "/api/v1/setup-sessions", body: { token }, idempotent: false }, options, (raw) =>
      readShape(parseJson(raw), setupSessionShape),
    );
  }

  /** What the provider watch found changed at the organisation's providers, newest first: `GET /api/v1/orgs/{orgId}/events?limit=`. */
  listEvents(orgId: string, request: { limit?: number } = {}, options?: RequestOptions): Promise<ProviderEvent[]> {
    return this.#call(
      { method: "GET", path: `${orgPath(orgId)}/events`, query: { limit: request.limit }, idempotent: true },
      options,
      (raw) => {
        const page = readShape(parseJson(raw), { events: "array" } as const);
        return readArray(page.events, "response.events", (item, path) => {
          const event = readShape(item, eventShape, path);
          if (event.type !== "provider.changed") throw new ShapeError(`${path}.type is not provider.changed`);
          return {
            id: event.id,
            type: "provider.changed" as const,
            orgId: event.orgId,
            provider: event.provider,
            changes: readArray(event.changes, `${path}.changes`, (change, at) => readShape(change, changeShape, at) as ProviderChange),
            at: event.at,
          };
        });
      },
    );
  }

  /**
   * Starts a test sign-in at a provider: `POST /api/v1/orgs/{orgId}/oauth-providers/{name}/test-signin`.
   * Send a browser to `authorizationUrl`; the provider sends the code to `redirectUri`.
   */
  startTestSignIn(orgId: string, name: string, request: { redirectUri?: string } = {}, options?: RequestOptions): Promise<TestSignInStart> {
    return this.#call(
      { method: "POST", path: `${providerPath(orgId, name)}/test-signin`, body: request, idempotent: false },
      options,
      (raw) => readShape(parseJson(raw), testSignInStartShape),
    );
  }

  /**
   * Completes a test sign-in with the code the provider sent back: `POST /api/v1/test-signins/complete`.
   * Runs the real redemption and every check; creates no user, link, session or lockout count.
   */
  completeTestSignIn(request: { state: string; code: string }, options?: RequestOptions): Promise<TestSignInResult> {
    return this.#call(
      { method: "POST", path: "/api/v1/test-signins/complete", body: { state: request.state, code: request.code }, idempotent: false },
      options,
      (raw) => {
        const result = readShape(parseJson(raw), testSignInShape);
        const decision = readShape(result.decision, decisionShape, "response.decision");
        return {
          orgId: result.orgId,
          provider: result.provider,
          claims: result.claims ?? null,
          userinfo: result.userinfo ?? null,
          decision: {
            outcome: decision.outcome,
            ...(decision.userId && { userId: decision.userId }),
            ...(decision.reason && { reason: decision.reason }),
            ...(decision.fix && { fix: decision.fix }),
          },
        };
      },
    );
  }

  /**
   * How sign-ins through a provider went over the last hour, day (default) or week, failures by
   * reason and what to do about the last one, and over time (`series`): `GET /api/v1/orgs/{orgId}/oauth-providers/{name}/health?window=`.
   */
  getProviderHealth(orgId: string, name: string, window?: HealthWindow, options?: RequestOptions): Promise<ProviderHealth> {
    return this.#call(
      { method: "GET", path: `${providerPath(orgId, name)}/health`, query: { window }, idempotent: true },
      options,
      (raw) => {
        const health = readShape(parseJson(raw), healthShape);
        const failures: Record<string, number> = {};
        for (const [reason, count] of Object.entries(health.failures)) {
          if (typeof count !== "number") throw new ShapeError(`response.failures.${reason} must be a number`);
          failures[reason] = count;
        }
        const last = health.lastFailure ? readShape(health.lastFailure, lastFailureShape, "response.lastFailure") : null;
        return {
          window: health.window,
          since: health.since,
          attempts: health.attempts,
          successes: health.successes,
          failures,
          lastSuccessAt: health.lastSuccessAt ?? null,
          lastFailure: last && { reason: last.reason, at: last.at, ...(last.fix && { fix: last.fix }) },
          bucketSeconds: health.bucketSeconds,
          series: readArray(health.series, "response.series", (item, path) => {
            const b = readShape(item, healthBucketShape, path);
            return { start: b.start, attempts: b.attempts, successes: b.successes, failures: b.failures };
          }),
        };
      },
    );
  }

  /** Reads the organisation's sign-in steps, in order: `GET /api/v1/orgs/{orgId}/auth-methods`. */
  getAuthMethods(orgId: string, options?: RequestOptions): Promise<AuthStep[]> {
    return this.#call({ method: "GET", path: `${orgPath(orgId)}/auth-methods`, idempotent: true }, options, decodeAuthSteps);
  }

  /**
   * Replaces the organisation's sign-in steps (1 to 3, orders 1-3, no method twice):
   * `PUT /api/v1/orgs/{orgId}/auth-methods` with `{ authMethod: steps }`. Returns the saved
   * steps, sorted by order.
   */
  setAuthMethods(orgId: string, steps: AuthStep[], options?: RequestOptions): Promise<AuthStep[]> {
    const authMethod = steps.map((step) => ({ order: step.order, allowedMethods: step.allowedMethods.map((m) => ({ type: m.type })) }));
    return this.#call(
      { method: "PUT", path: `${orgPath(orgId)}/auth-methods`, body: { authMethod }, idempotent: true },
      options,
      decodeAuthSteps,
    );
  }

  /**
   * Creates a new signing key for the service's own tokens: `POST /api/v1/keys/rotate`. The
   * previous key stays published in the JWKS until the tokens it signed have expired. Not
   * idempotent: each request rotates again.
   */
  rotateSigningKeys(options?: RequestOptions): Promise<{ kid: string }> {
    return this.#call({ method: "POST", path: "/api/v1/keys/rotate", idempotent: false }, options, (raw) => {
      const wire = readShape(parseJson(raw), rotateShape);
      return { kid: wire.kid };
    });
  }

  /**
   * Re-encrypts every client secret and sealed signing key under the service's current (first)
   * `ENCRYPTION_KEY`: `POST /api/v1/keys/reencrypt`; afterwards the previous keys can be dropped
   * from the list. Safe to replay: a repeat finds nothing left to re-encrypt (`reencrypted: 0`).
   */
  reencryptSecrets(options?: RequestOptions): Promise<{ reencrypted: number }> {
    return this.#call({ method: "POST", path: "/api/v1/keys/reencrypt", idempotent: true }, options, (raw) => {
      const wire = readShape(parseJson(raw), reencryptShape);
      return { reencrypted: wire.reencrypted };
    });
  }

  /** Every live console session (operators', organisation admins', setup links'), oldest first: `GET /api/v1/console-sessions`. Operator only. */
  listConsoleSessions(options?: RequestOptions): Promise<ConsoleSession[]> {
    return this.#call({ method: "GET", path: "/api/v1/console-sessions", idempotent: true }, options, (raw) => {
      const wire = readShape(parseJson(raw), { sessions: "array" } as const);
      return readArray(wire.sessions, "response.sessions", (item, path) => {
        const session = readShape(item, consoleSessionShape, path);
        if (!CONSOLE_SESSION_KINDS.includes(session.kind)) throw new ShapeError(`${path}.kind is not a console session's kind`);
        return { ...session, kind: session.kind as ConsoleSession["kind"], orgId: session.orgId ?? null, userId: session.userId ?? null };
      });
    });
  }

  /** Ends one console session at once (a setup link's by revoking the link): `DELETE /api/v1/console-sessions/{id}`. */
  async endConsoleSession(id: string, options?: RequestOptions): Promise<void> {
    await this.#call({ method: "DELETE", path: `/api/v1/console-sessions/${segment(id)}`, idempotent: true }, options, () => undefined);
  }

  /** Ends every console session, setup links' included: `DELETE /api/v1/console-sessions`; answers how many were live. */
  endAllConsoleSessions(options?: RequestOptions): Promise<{ ended: number }> {
    return this.#call({ method: "DELETE", path: "/api/v1/console-sessions", idempotent: true }, options, (raw) => ({
      ended: readShape(parseJson(raw), { ended: "integer" } as const).ended,
    }));
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

function decodeUser(raw: RawResponse): OrgUser {
  return readShape(parseJson(raw), userShape);
}

function decodeUsers(raw: RawResponse): OrgUser[] {
  return readArray(parseJson(raw), "response", (item, path) => readShape(item, userShape, path));
}

function decodeAuthSteps(raw: RawResponse): AuthStep[] {
  const wire = readShape(parseJson(raw), authMethodsShape);
  return readArray(wire.authMethods, "response.authMethods", (item, path) => {
    const step = readShape(item, authStepShape, path);
    const allowedMethods = readArray(step.allowedMethods, `${path}.allowedMethods`, (method, methodPath) => ({
      type: readShape(method, stepMethodShape, methodPath).type,
    }));
    return { order: step.order, allowedMethods };
  });
}

function orgPath(orgId: string): string {
  return `/api/v1/orgs/${segment(orgId)}`;
}

function providerPath(orgId: string, name: string): string {
  return `${orgPath(orgId)}/oauth-providers/${segment(name)}`;
}
