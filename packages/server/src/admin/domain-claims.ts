import { type DomainClaim, type TxtAnswer, type TxtLookup, txtRecordName, txtRecordValue } from "../domain/domain-claim.ts";
import { failure, type Result, success } from "../domain/failures.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { DomainClaimRepository } from "../domain/ports/domain-claims.ts";
import { AlreadyExistsError } from "../domain/ports/repositories.ts";
import { type AdminActionDeps, type AdminCaller, recordAdminAction } from "./admin-actions.ts";
import { addOrganisationDomain, removeOrganisationDomain } from "./organisation-changes.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";

// Domains an organisation has proven (domain/domain-claim.ts has the rules). The operator's word
// verifies a domain at once; a delegated admin's claim waits for its DNS TXT record.

/** The ports domain claims need: the claims, the organisations (whose writes change routing), a TXT lookup, the trail. */
export interface DomainClaimDeps extends OrganisationAdministration, AdminActionDeps {
  readonly domainClaims: DomainClaimRepository;
  readonly lookupTxt: TxtLookup;
}

/** How many pending domains an organisation may have at once. */
export const MAX_PENDING_CLAIMS = 20;

/** A claim as the admin API answers it: with the TXT record that proves it. */
export interface DomainClaimView {
  readonly domain: string;
  readonly status: DomainClaim["status"];
  readonly txtName: string;
  readonly txtValue: string;
  readonly verifiedAt?: string;
  readonly lastCheckedAt?: string;
}

export function claimView(claim: DomainClaim): DomainClaimView {
  return {
    domain: claim.domain,
    status: claim.status,
    txtName: txtRecordName(claim.domain),
    txtValue: txtRecordValue(claim),
    ...(claim.verifiedAt && { verifiedAt: claim.verifiedAt }),
    ...(claim.lastCheckedAt && { lastCheckedAt: claim.lastCheckedAt }),
  };
}

/** The organisation's domains, verified and pending, each with the record that proves it. */
export async function listDomainClaims(deps: DomainClaimDeps, orgId: string): Promise<Result<DomainClaimView[]>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  return success((await deps.domainClaims.list(orgId)).map(claimView));
}

/**
 * Adds a domain to the organisation: the operator's is verified at once (routing changes now); a
 * delegated admin's is pending and counts nowhere until its TXT record is seen. A domain this
 * organisation claims already, or another holds verified, is CONFLICT. Recorded as `org.domain_added`.
 */
export async function addDomainClaim(
  deps: DomainClaimDeps,
  orgId: string,
  domain: string,
  caller: AdminCaller,
): Promise<Result<{ organisation: Organisation; claim: DomainClaimView }>> {
  const normalised = domain.toLowerCase();
  if (!caller.delegated) {
    const org = await addOrganisationDomain(deps, orgId, normalised, caller);
    if (!org.ok) return org;
    const claim = await deps.domainClaims.get(orgId, normalised);
    return claim ? success({ organisation: org.value, claim: claimView(claim) }) : failure("CONFLICT", "The domain was removed meanwhile.");
  }
  // Each pending claim is looked up on every re-check round: a delegated admin cannot pile them up.
  const pending = (await deps.domainClaims.list(orgId)).filter((c) => c.status === "pending");
  if (pending.length >= MAX_PENDING_CLAIMS) {
    return failure("CONFLICT", `An organisation has at most ${MAX_PENDING_CLAIMS} pending domains: prove or remove one first.`);
  }
  let claim: DomainClaim | undefined;
  try {
    claim = await deps.domainClaims.addPending(orgId, normalised);
  } catch (error) {
    if (error instanceof AlreadyExistsError) {
      return failure("CONFLICT", `The domain "${normalised}" is already claimed by this organisation or verified by another.`);
    }
    throw error;
  }
  if (!claim) return failure("ORG_NOT_FOUND", `No organisation with id "${orgId}".`);
  const changes = [{ field: `domains.${normalised}`, before: null, after: "pending" }];
  await recordAdminAction(deps, caller, { event: "org.domain_added", orgId, changes });
  const org = await requireOrganisation(deps, orgId);
  return org.ok ? success({ organisation: org.value, claim: claimView(claim) }) : org;
}

/**
 * Removes the organisation's claim of a domain. A verified domain decides where sign-ins route,
 * so only the operator removes one; a delegated admin removes their organisation's pending claims.
 */
export async function removeDomainClaim(deps: DomainClaimDeps, orgId: string, domain: string, caller: AdminCaller): Promise<Result<void>> {
  if (caller.delegated && (await deps.domainClaims.get(orgId, domain))?.status === "verified") {
    return failure("FORBIDDEN", "Only the operator removes a verified domain: it decides where sign-ins route. Ask the operator.");
  }
  return removeOrganisationDomain(deps, orgId, domain, caller);
}

/**
 * Looks the claim's TXT record up now: when it carries the claim's value the domain is verified
 * (only this claim: the organisation's other domains are untouched) and routes from then on;
 * else DOMAIN_NOT_VERIFIED says what the lookup found. A domain another organisation holds
 * verified is CONFLICT: a pending claim reserves nothing, and the first to prove it won.
 * Recorded as `org.domain_verified`.
 */
export async function verifyDomainClaim(
  deps: DomainClaimDeps,
  orgId: string,
  domain: string,
  caller: AdminCaller,
  now = new Date(),
): Promise<Result<DomainClaimView>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const claim = await deps.domainClaims.get(orgId, domain);
  if (!claim) return failure("NOT_FOUND", `The organisation does not claim the domain "${domain.toLowerCase()}".`);
  if (claim.status === "verified") return success(claimView(claim));
  return checkClaim(deps, orgId, claim, caller, now.toISOString());
}

async function checkClaim(deps: DomainClaimDeps, orgId: string, claim: DomainClaim, caller: AdminCaller, at: string) {
  const taken = () => failure("CONFLICT", `The domain "${claim.domain}" is verified by another organisation: remove this claim.`);
  const holder = await deps.organisations.findByDomain(claim.domain);
  if (holder && holder.id !== orgId) return taken();
  const name = txtRecordName(claim.domain);
  const value = txtRecordValue(claim);
  const answer = await deps.lookupTxt(name);
  if (answer.kind !== "records" || !answer.values.includes(value)) {
    await deps.domainClaims.checked(orgId, claim.domain, at);
    const found = foundText(name, answer);
    return failure(
      "DOMAIN_NOT_VERIFIED",
      `The domain "${claim.domain}" is not verified: ${found}. Create a TXT record at ${name} with the value ${value}, and check again once DNS publishes it.`,
      { extra: { found: answer.kind === "records" ? "other-values" : answer.kind, txtName: name, txtValue: value } },
    );
  }
  const outcome = await deps.organisations.verifyDomain(orgId, claim.domain, at);
  if (outcome === "taken") return taken();
  if (outcome === "absent") return failure("NOT_FOUND", `The organisation no longer claims the domain "${claim.domain}".`);
  const changes = [{ field: `domains.${claim.domain}`, before: "pending", after: "verified" }];
  await recordAdminAction(deps, caller, { event: "org.domain_verified", orgId, changes });
  return success(claimView({ ...claim, status: "verified", verifiedAt: at, lastCheckedAt: at }));
}

/** What a lookup found, in words: the reason a check failed. */
function foundText(name: string, answer: TxtAnswer): string {
  switch (answer.kind) {
    case "records": {
      const shown = answer.values.slice(0, 3).map((v) => JSON.stringify(v.length > 100 ? `${v.slice(0, 100)}…` : v));
      return `${name} has ${answer.values.length} TXT record(s), none with this claim's value (found ${shown.join(", ")})`;
    }
    case "no-records":
      return `${name} has no TXT record`;
    case "nxdomain":
      return `${name} does not exist (NXDOMAIN)`;
    case "timeout":
      return "the DNS resolver did not answer in time";
    case "failed":
      return `the DNS lookup failed (${answer.code})`;
  }
}

/** Who the scheduled re-check's verifications are recorded as. */
export const DOMAIN_CHECK_CALLER: AdminCaller = { actor: "domain-check", ip: null, delegated: false };

/**
 * One round of the scheduled re-check: looks up each pending claim no organisation holds
 * verified (the least recently checked first, at most `limit`), verifying those whose record is
 * there. Answers how many were checked and verified.
 */
export async function recheckPendingDomains(deps: DomainClaimDeps, now: Date, limit = 100): Promise<{ checked: number; verified: number }> {
  const pending = await deps.domainClaims.pendingClaims(limit);
  let verified = 0;
  for (const { orgId, claim } of pending) {
    if ((await checkClaim(deps, orgId, claim, DOMAIN_CHECK_CALLER, now.toISOString())).ok) verified += 1;
  }
  return { checked: pending.length, verified };
}
