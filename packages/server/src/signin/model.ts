import type { ProviderSettings } from "./provider-settings.ts";

export interface Organisation {
  readonly id: string;
  readonly name: string;
  readonly domains: readonly string[];
  readonly createdAt: string;
}

export type UserStatus = "active" | "disabled";

export interface User {
  readonly id: string;
  readonly orgId: string;
  readonly email: string;
  readonly fullName: string | null;
  readonly status: UserStatus;
  readonly createdAt: string;
}

/** A provider as the sign-in logic needs it: settings plus the opened client secret. */
export interface ConfiguredProvider {
  readonly id: string;
  readonly orgId: string;
  readonly settings: ProviderSettings;
  readonly clientSecret: string | undefined;
}

export type AuditOutcome = "success" | "failure";

export interface AuditEvent {
  readonly orgId: string | null;
  readonly userId: string | null;
  readonly email: string | null;
  readonly provider: string | null;
  readonly event: string;
  readonly outcome: AuditOutcome;
  /** The failure identifier (e.g. INVALID_GRANT); never a token or secret. */
  readonly error: string | null;
  readonly ip: string | null;
}

export interface AuditRecord extends AuditEvent {
  readonly id: string;
  readonly createdAt: string;
}
