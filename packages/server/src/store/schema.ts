/** Timestamps are ISO-8601 strings in UTC in both engines, so they sort as text. */
export interface OrganisationsTable {
  id: string;
  name: string;
  created_at: string;
  /** The SCIM group whose members are the organisation's admins (the operator's setting; migration 0017). */
  scim_admin_group?: string | null;
}

/** One organisation's claim of one email domain (migration 0018): only a verified claim routes sign-ins. */
export interface OrganisationDomainsTable {
  org_id: string;
  domain: string;
  /** `verified` (unique per domain among verified claims) or `pending` (a DNS TXT record not seen yet). */
  status: string;
  /** The random part of the TXT record that proves this claim. */
  txt_token: string;
  created_at: string;
  verified_at: string | null;
  last_checked_at: string | null;
}

export interface UsersTable {
  id: string;
  org_id: string;
  email: string;
  email_lower: string;
  full_name: string | null;
  status: string;
  /** `member` or `admin` (migration 0009; existing rows are members). */
  role: string;
  created_at: string;
  /** `scim:<token id>` when SCIM provisioned the user (migration 0017); null for the operator's and JIT's. */
  provisioned_by?: string | null;
  /** The directory's id for a provisioned user (SCIM `externalId`). */
  external_id?: string | null;
  /** SCIM's userName, lower-cased: unique in the organisation. */
  scim_user_name?: string | null;
  /** JSON: the SCIM resource's attributes not kept elsewhere (name, displayName, emails). */
  scim_attributes?: string | null;
  /** Bumped by every SCIM write: the resource's `meta.version` (ETag). */
  version?: number;
}

export interface ProvidersTable {
  id: string;
  org_id: string;
  name: string;
  /** ProviderSettings without the client secret, as JSON. */
  settings: string;
  /** The client secret, AES-256-GCM sealed (see keys/secret-box.ts); null when none. */
  client_secret_sealed: string | null;
  /** The next client secret of a rotation, sealed like the current one; null when none. */
  next_client_secret_sealed: string | null;
  /** Where the secrets may be sent (domain/secret-binding.ts, encoded); null in rows an older version wrote. */
  client_secret_binding: string | null;
  /** Who last saved the identity settings: `operator` or `delegated` (see domain/provider-linking.ts). */
  identity_settings_saved_by: string;
  /** The operator's linkExistingUsers: 1 or 0. */
  link_existing_users: number;
  created_at: string;
  updated_at: string;
  /** `oauth` or `saml` (migration 0016; rows stored before are `oauth`): which kind of settings the row holds. */
  protocol?: string;
  /** A SAML provider's SP certificate (PEM, public); null when it has no SP key. */
  sp_certificate?: string | null;
  /** A SAML provider's SP private key (PEM), sealed like a client secret; null when none. */
  sp_private_key_sealed?: string | null;
}

export interface IdentityLinksTable {
  org_id: string;
  provider_id: string;
  subject: string;
  user_id: string;
  created_at: string;
}

export interface AuditTable {
  id: string;
  org_id: string | null;
  user_id: string | null;
  email: string | null;
  provider: string | null;
  event: string;
  outcome: string;
  error: string | null;
  ip: string | null;
  created_at: string;
  actor: string | null;
  /** JSON: the AuditChange list of an admin write. */
  changes: string | null;
  /** A sign-in step's sign-in session (a hash of its token; migration 0015): its steps count as one attempt in health. */
  sign_in?: string | null;
  /** The redirect URI a sign-in step named (migration 0019): which one a REDIRECT_URI_MISMATCH tried. */
  redirect_uri?: string | null;
}

export interface ProviderSnapshotsTable {
  org_id: string;
  provider: string;
  /** JSON of a domain ProviderSnapshot. */
  snapshot: string;
  taken_at: string;
}

export interface ProviderEventsTable {
  id: string;
  org_id: string;
  provider: string;
  type: string;
  /** JSON of the ProviderChange list. */
  changes: string;
  created_at: string;
}

export interface SetupLinksTable {
  id: string;
  org_id: string;
  token_hash: string;
  session_hash: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
}

/** A console session, by the hash of its cookie (an operator's keyed by the admin token). */
export interface ConsoleSessionsTable {
  id: string;
  key_hash: string;
  /** `operator` or `org-admin`. */
  kind: string;
  org_id: string | null;
  user_id: string | null;
  sign_in_session: string | null;
  created_at: string;
  expires_at: string;
}

export interface OrganisationAuthStepsTable {
  org_id: string;
  steps: string;
  updated_at: string;
}

/** One row: a known text sealed under ENCRYPTION_KEY (store/encryption-key-check.ts). */
export interface EncryptionKeyCheckTable {
  id: string;
  sealed_check: string;
  updated_at: string;
}

/** The service's own ES256 signing keys; the private JWK is sealed with the kid as context. */
export interface SigningKeysTable {
  kid: string;
  /** The public JWK, as JSON. */
  public_jwk: string;
  /** The private JWK as JSON, AES-256-GCM sealed (see keys/secret-box.ts). */
  private_jwk_sealed: string;
  created_at: string;
  retired_at: string | null;
}

/** One sign-in's chain of rotated refresh tokens (`sid` in the tokens). */
export interface RefreshTokenFamiliesTable {
  id: string;
  user_id: string;
  org_id: string;
  created_at: string;
  revoked_at: string | null;
  /** "logout", "reuse", "disabled" or "ended" (by the operator). */
  revoked_reason: string | null;
}

export interface RefreshTokensTable {
  jti: string;
  family_id: string;
  user_id: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

/** An organisation's SCIM bearer token, by its SHA-256 hash. */
export interface ScimTokensTable {
  id: string;
  org_id: string;
  token_hash: string;
  created_at: string;
  revoked_at: string | null;
}

/** A resource server's bearer token for token introspection, by its SHA-256 hash. */
export interface IntrospectionTokensTable {
  id: string;
  name: string | null;
  token_hash: string;
  created_at: string;
  revoked_at: string | null;
}

export interface ScimGroupsTable {
  id: string;
  org_id: string;
  display_name: string;
  external_id: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ScimGroupMembersTable {
  group_id: string;
  user_id: string;
}

/** One row: the count of changes to what the lookup caches remember (migration 0020). */
export interface LookupChangesTable {
  id: number;
  version: string | number;
}

export interface Database {
  lookup_changes: LookupChangesTable;
  organisations: OrganisationsTable;
  organisation_domains: OrganisationDomainsTable;
  users: UsersTable;
  providers: ProvidersTable;
  identity_links: IdentityLinksTable;
  audit_events: AuditTable;
  provider_snapshots: ProviderSnapshotsTable;
  provider_events: ProviderEventsTable;
  setup_links: SetupLinksTable;
  console_sessions: ConsoleSessionsTable;
  signing_keys: SigningKeysTable;
  refresh_token_families: RefreshTokenFamiliesTable;
  refresh_tokens: RefreshTokensTable;
  organisation_auth_steps: OrganisationAuthStepsTable;
  encryption_key_check: EncryptionKeyCheckTable;
  scim_tokens: ScimTokensTable;
  introspection_tokens: IntrospectionTokensTable;
  scim_groups: ScimGroupsTable;
  scim_group_members: ScimGroupMembersTable;
}
