import type { DomainClaim } from "../domain-claim.ts";

/** A pending claim together with the organisation that made it. */
export interface OrganisationClaim {
  readonly orgId: string;
  readonly claim: DomainClaim;
}

/**
 * Organisations' domain claims, both states (domain/domain-claim.ts). What changes routing —
 * verifying a claim, adding or removing a domain — goes through the `OrganisationRepository`,
 * whose writes the sign-in's lookup cache watches; this port only reads and records pending work.
 */
export interface DomainClaimRepository {
  /** The organisation's claims, verified and pending, by domain. */
  list(orgId: string): Promise<DomainClaim[]>;
  get(orgId: string, domain: string): Promise<DomainClaim | undefined>;
  /**
   * Adds a pending claim with a new random token; throws `AlreadyExistsError` when this
   * organisation claims the domain already (either state) or another holds it verified;
   * undefined when there is no such organisation.
   */
  addPending(orgId: string, domain: string): Promise<DomainClaim | undefined>;
  /** Records that the claim's TXT record was looked up at `at` (and found wanting). */
  checked(orgId: string, domain: string, at: string): Promise<void>;
  /** Pending claims no organisation holds verified, least recently checked first. */
  pendingClaims(limit: number): Promise<OrganisationClaim[]>;
}
