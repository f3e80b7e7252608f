
/** Timestamps are ISO-8601 strings in UTC in both engines, so they sort as text. */
export interface OrganisationsTable {
  id: string;
  name: string;
  created_at: string;
}

export interface OrganisationDomainsTable {
  domain: string;
  org_id: string;
}

export interface UsersTable {
  id: string;
  org_id: string;
  email: string;
  email_lower: string;
  full_name: string | null;
  status: string;
  created_at: string;
}

export interface ProvidersTable {
  id: string;
  org_id: string;
  name: string;
  /** ProviderSettings without the client secret, as JSON. */
  settings: string;
  /** The client secret, AES-256-GCM sealed (see keys/secret-box.ts); null when none. */
  client_secret_sealed: string | null;
  created_at: string;
  updated_at: string;
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
}


export interface Database {
  organisations: OrganisationsTable;
  organisation_domains: OrganisationDomainsTable;
  users: UsersTable;
  providers: ProvidersTable;
  identity_links: IdentityLinksTable;
  audit_events: AuditTable;
}
