/**
 * `client.admin`: organisation administration (organisations, their OAuth providers, users,
 * sign-in steps, the audit trail, setup links, the service's keys and the console's sessions).
 * Each resource's operations live in admin/<resource>.ts; `Admin` is all of them. Every call
 * sends the client's `adminToken` as `Authorization: Bearer`. Answers are checked against the
 * service's /openapi.json (generated/schemas.ts); fields it does not name pass through.
 */
import { SamlProviderAdmin } from "./admin/saml-providers.ts";

export type { AuditChange, AuditPage, AuditRecord, ListAuditRequest } from "./admin/audit.ts";
export type { ConsoleSession } from "./admin/console-sessions.ts";
export type { ServiceSettings, SigningKey } from "./admin/keys.ts";
export type { AuthStep, CreateOrgRequest, DomainClaim, Org, OrgWithDomainClaim } from "./admin/organisations.ts";
export type {
  DoctorFinding,
  DoctorFindingStatus,
  HealthBucket,
  HealthWindow,
  ProviderChange,
  ProviderCheck,
  ProviderDoctorReport,
  ProviderEvent,
  ProviderHealth,
  TestSignInDecision,
  TestSignInResult,
  TestSignInStart,
} from "./admin/provider-checks.ts";
export type {
  IdentitySettingsSavedBy,
  OAuthProviderSettings,
  OAuthProviderSettingsInput,
  ProviderPreset,
  SavedProvider,
  TokenEndpointAuthMethod,
} from "./admin/providers.ts";
export type { IntrospectionToken, NewIntrospectionToken, NewScimToken, ScimToken } from "./admin/scim.ts";
export type { SamlProviderPreset, SamlProviderSettings, SamlProviderSettingsInput, SavedSamlProvider } from "./admin/saml-providers.ts";
export type { NewSetupLink, SetupLink, SetupSession } from "./admin/setup-links.ts";
export type {
  CreateUserRequest,
  EndedSessions,
  ListedUser,
  ListUsersRequest,
  OrgUser,
  UserIdentity,
  UserPage,
  UserRole,
  UserStatus,
} from "./admin/users.ts";

/**
 * Admin operations. Reach them as `client.admin`; they need the client's `adminToken`.
 * GET, PUT and DELETE are idempotent (RFC 9110 §9.2.2) and retried as configured.
 */
export class Admin extends SamlProviderAdmin {}
