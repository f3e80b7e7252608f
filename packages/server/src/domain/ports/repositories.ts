/**
 * The storage ports: what the sign-in logic and the administration need from storage, as
 * interfaces. `store/` implements them over SQL; nothing here knows how they are kept.
 */
import type { AuditEvent, AuditFilter, AuditRecord, OutcomePrecision, ProviderOutcomes } from "../audit.ts";
import type { ProviderChange, ProviderEvent, ProviderSnapshot } from "../provider-watch.ts";
import type { SetupLink } from "../setup-link.ts";
import type { AuthStep } from "../auth-steps.ts";
import type { Organisation } from "../organisation.ts";
import type { LinkedIdentity } from "../identity.ts";
import type { ProviderLinking } from "../provider-linking.ts";
import type { ConfiguredProvider, ProviderSettings, ProviderView } from "../provider-settings.ts";
import type { Result } from "../failures.ts";
import type { SecretBinding } from "../secret-binding.ts";
import type { User, UserRole, UserStatus } from "../user.ts";

/** Thrown by a repository when something unique is already taken (a domain, an email in an organisation). */
export class AlreadyExistsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AlreadyExistsError";
  }
}

/** Organisations and the email domains they claim. */
export interface OrganisationRepository {
  /** Creates an organisation; throws `AlreadyExistsError` when one of the domains is already claimed. */
  create(name: string, domains: readonly string[]): Promise<Organisation>;
  get(id: string): Promise<Organisation | undefined>;
  /** The first `limit` organisations, oldest first. */
  list(limit?: number): Promise<Organisation[]>;
  /** The organisation holding `domain` verified (case-insensitive); a pending claim is never found. */
  findByDomain(domain: string): Promise<Organisation | undefined>;
  /** Renames the organisation; undefined when there is none. */
  rename(id: string, name: string): Promise<Organisation | undefined>;
  /**
   * Adds a verified domain (the operator's word; the organisation's own pending claim of it becomes
   * verified); throws `AlreadyExistsError` when any organisation (this one too) holds it verified;
   * undefined when there is no organisation.
   */
  addDomain(id: string, domain: string): Promise<Organisation | undefined>;
  /**
   * Turns the organisation's pending claim of `domain` verified at `at` (its TXT record was seen):
   * `verified` (also when it was already), `taken` when another organisation holds it verified,
   * `absent` when the organisation does not claim it.
   */
  verifyDomain(id: string, domain: string, at: string): Promise<"verified" | "taken" | "absent">;
  /** Removes the organisation's claim of a domain, verified or pending; false when it claims no such domain. */
  removeDomain(id: string, domain: string): Promise<boolean>;
  /**
   * Deletes the organisation and everything of it (domains, providers, users and their identity
   * links, sign-in steps, setup links, console sessions, refresh tokens, provider snapshots and
   * events) in one transaction; its audit records stay. False when there is none.
   */
  remove(id: string): Promise<boolean>;
}

/** What an update of a user sets: only what is given. */
export interface UserChanges {
  readonly role?: UserRole;
  readonly status?: UserStatus;
}

/** Users; an email is unique within an organisation, case-insensitively. */
export interface UserRepository {
  /** Throws `AlreadyExistsError` when the email is taken in the organisation (case-insensitively). A member unless `role` says otherwise. */
  create(orgId: string, email: string, fullName: string | null, role?: UserRole): Promise<User>;
  /** The organisation's user with this email (case-insensitively), created when there is none; safe under concurrent calls. */
  createOrGet(orgId: string, email: string, fullName: string | null): Promise<User>;
  get(id: string): Promise<User | undefined>;
  findInOrganisation(orgId: string, email: string): Promise<User | undefined>;
  /** Every user with this email, in any organisation, oldest first. */
  findByEmail(email: string): Promise<User[]>;
  list(orgId: string, limit?: number): Promise<User[]>;
  /**
   * Sets what `changes` gives of the organisation's user `id`, in one write; disabling also revokes
   * every refresh-token family of theirs in the same transaction. Undefined when it has no such user.
   */
  update(orgId: string, id: string, changes: UserChanges): Promise<User | undefined>;
}

/**
 * How an attempt to link a subject ended: a race that linked either side first is a conflict, never
 * an overwrite. `made`: this call stored the link (not a concurrent one, nor one already there).
 */
export type LinkOutcome = { kind: "linked"; user: User; made: boolean } | { kind: "conflict" };

/** The (provider, subject) → user bindings that decide who signs in. */
export interface IdentityLinkRepository {
  userFor(providerId: string, subject: string): Promise<User | undefined>;
  subjectOf(providerId: string, userId: string): Promise<string | undefined>;
  /** Whether the user is linked to an identity at any provider. */
  hasIdentity(userId: string): Promise<boolean>;
  /** The user's links, by provider name. */
  identitiesOf(userId: string): Promise<LinkedIdentity[]>;
  /** Removes the user's link at the organisation's provider `providerName`; answers the subject it held, undefined when none. */
  unlink(orgId: string, userId: string, providerName: string): Promise<string | undefined>;
  /**
   * Links an existing user: insert-or-get on the link's constraints, so concurrent calls for the
   * same (provider, subject) and user all answer `linked`; a subject linked to another user, or
   * the user linked to another subject, is a `conflict`.
   */
  link(orgId: string, providerId: string, subject: string, user: User): Promise<LinkOutcome>;
  /** Creates the user (or finds the one a concurrent call created) and links it (just-in-time provisioning). */
  provisionAndLink(orgId: string, providerId: string, subject: string, email: string, fullName: string | null): Promise<LinkOutcome>;
}

/** What a provider write keeps of what was there: decided by the administration, applied atomically by storage. */
export interface ProviderReplacement {
  /** Given the settings being replaced: whether the provider's identity links still mean the same accounts. */
  identityLinksSurvive(before: ProviderSettings): boolean;
  /**
   * Where the stored secrets may be sent after the write (absent: where the settings say). A
   * write that keeps a stored secret must keep its binding and client id, or it is refused.
   */
  readonly secretBinding?: SecretBinding;
  /**
   * Given what is being replaced (undefined for a new provider): which existing users the provider
   * may link after the write. Absent: a replace keeps what is stored, a new provider counts as a delegated admin's.
   */
  linking?(before: { readonly settings: ProviderSettings; readonly linking: ProviderLinking } | undefined): ProviderLinking;
}

/** An organisation's OAuth/OIDC providers, by name; the client secret is kept sealed. */
export interface ProviderRepository {
  /**
   * Creates or replaces a provider; `clientSecret` (and `nextClientSecret`) undefined keeps the
   * stored one. On a replace, the identity links are dropped in the same transaction unless
   * `replacement` says they survive (`identityLinksDropped`: how many). INVALID_PROVIDER_SETTINGS
   * when it would keep a stored secret for another binding or client id (domain/secret-binding.ts).
   */
  put(
    orgId: string,
    settings: ProviderSettings,
    clientSecret: string | undefined,
    replacement: ProviderReplacement,
    nextClientSecret?: string,
  ): Promise<Result<{ view: ProviderView; created: boolean; identityLinksDropped: number }>>;
  /**
   * Makes the next client secret the current one and forgets the old: `undefined` when there is
   * no such provider, `"no-next-secret"` when no next secret is stored.
   */
  promoteSecret(orgId: string, name: string): Promise<ProviderView | "no-next-secret" | undefined>;
  view(orgId: string, name: string): Promise<ProviderView | undefined>;
  /** The organisation's providers, by name. */
  list(orgId: string): Promise<ProviderView[]>;
  /** Every organisation's providers, by organisation and name (the provider watch's rounds). */
  listEverywhere(): Promise<{ readonly orgId: string; readonly provider: ProviderView }[]>;
  remove(orgId: string, name: string): Promise<boolean>;
  /** The provider with its secret opened, for talking to the provider. */
  configured(orgId: string, name: string): Promise<ConfiguredProvider | undefined>;
}

/** The sign-in audit trail: one record per exchange, authenticate, logout or refresh-token reuse. */
export interface AuditTrail {
  record(event: AuditEvent): Promise<void>;
  /** Newest first; `cursor` is the id of the last record of the previous page. `orgId` null: records of no organisation. */
  page(
    orgId: string | null,
    limit: number,
    cursor?: string,
    filter?: AuditFilter,
  ): Promise<{ records: AuditRecord[]; nextCursor: string | null }>;
  /**
   * The outcomes of the sign-in steps through one provider of the organisation since `since` (ISO
   * time), in total and by the minute or hour (`precision`) they were recorded in.
   */
  providerOutcomes(orgId: string, provider: string, since: string, precision: OutcomePrecision): Promise<ProviderOutcomes>;
}

/** What the provider watch remembers of each provider, and the changes it found. */
export interface ProviderWatchRepository {
  lastSnapshot(orgId: string, provider: string): Promise<ProviderSnapshot | undefined>;
  saveSnapshot(orgId: string, provider: string, snapshot: ProviderSnapshot): Promise<void>;
  /** Records a `provider.changed` event and returns it. */
  recordChange(orgId: string, provider: string, changes: readonly ProviderChange[]): Promise<ProviderEvent>;
  /** The organisation's events, newest first. */
  events(orgId: string, limit: number): Promise<ProviderEvent[]>;
}

/** Setup links, by the hashes of their link and session tokens (the tokens themselves are never kept). */
export interface SetupLinkRepository {
  create(orgId: string, tokenHash: string, expiresAt: string): Promise<SetupLink>;
  list(orgId: string): Promise<SetupLink[]>;
  /** Marks the link revoked (its session ends with it); false when the organisation has no such link. */
  revoke(orgId: string, id: string): Promise<boolean>;
  /**
   * Redeems an unused, unrevoked, unexpired link in one atomic step, binding it to a session;
   * undefined when there is no such link (used, revoked, expired or unknown alike).
   */
  redeem(tokenHash: string, sessionHash: string, now: string): Promise<SetupLink | undefined>;
  bySession(sessionHash: string): Promise<SetupLink | undefined>;
  /** Every organisation's redeemed links whose session may still act at `now` (ISO time), oldest first. */
  activeSessions(now: string): Promise<SetupLink[]>;
}

/** Each organisation's sign-in steps (PipesHub's orgAuthConfig). */
export interface AuthStepRepository {
  /** The steps the organisation stored; undefined when it stored none (see `effectiveAuthSteps`). */
  get(orgId: string): Promise<readonly AuthStep[] | undefined>;
  put(orgId: string, steps: readonly AuthStep[]): Promise<void>;
}

/** A refresh token as stored: the JWT's `jti`, its family (`sid`) and lifetime. */
export interface RefreshTokenRecord {
  readonly jti: string;
  readonly familyId: string;
  readonly userId: string;
  readonly expiresAt: string;
  readonly createdAt: string;
}

/** A stored refresh token and the state of its family. */
export interface RefreshTokenState {
  readonly jti: string;
  readonly familyId: string;
  readonly userId: string;
  readonly expiresAt: string;
  readonly usedAt: string | null;
  readonly familyRevokedAt: string | null;
}

/**
 * Why a refresh-token family ended: the user logged out, a used token came back (theft assumed),
 * or the operator disabled the user.
 */
/** Why a family was revoked: signed out, a reused token, the user disabled, or their sessions ended by the operator. */
export type RevocationReason = "logout" | "reuse" | "disabled" | "ended";

/** Refresh-token families (one per sign-in) and their rotated tokens. */
export interface RefreshTokenRepository {
  createFamily(family: { id: string; userId: string; orgId: string; createdAt: string }, first: RefreshTokenRecord): Promise<void>;
  find(jti: string): Promise<RefreshTokenState | undefined>;
  /** Marks `usedJti` used and stores `next`, atomically; false when it was already used. */
  rotate(usedJti: string, usedAt: string, next: RefreshTokenRecord): Promise<boolean>;
  /** Revokes the family unless it already is (the first reason is kept). */
  revokeFamily(familyId: string, reason: RevocationReason, at: string): Promise<void>;
  /** Revokes every family of the user not already revoked (their earlier reasons kept), in one write; answers how many. */
  revokeUserFamilies(userId: string, reason: RevocationReason, at: string): Promise<number>;
  /** True when the family exists and is not revoked. */
  isFamilyActive(familyId: string): Promise<boolean>;
}

/** One of the service's signing keys as stored: the private half sealed (see `SecretBox`), bound to its kid. */
export interface StoredSigningKey {
  readonly kid: string;
  /** The public JWK. */
  readonly publicJwk: Readonly<Record<string, unknown>>;
  readonly privateJwkSealed: string;
  readonly createdAt: string;
  readonly retiredAt: string | null;
}

/** Where the service's signing keys are shared between instances. */
export interface SigningKeyRepository {
  /** Keys not retired, or retired after `retiredAfter` (ISO time); newest first (by creation, then kid). */
  published(retiredAfter: string): Promise<StoredSigningKey[]>;
  add(key: StoredSigningKey): Promise<void>;
  /** Adds `key` and retires every other un-retired key at its creation time, atomically. */
  rotateTo(key: StoredSigningKey): Promise<void>;
}
