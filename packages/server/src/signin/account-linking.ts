import { type Failure, failure, type Result, success } from "../domain/failures.ts";
import type { ProviderIdentity } from "../domain/identity.ts";
import { emailDomain, type Organisation } from "../domain/organisation.ts";
import type { AuditTrail, IdentityLinkRepository, UserRepository } from "../domain/ports/repositories.ts";
import type { ProviderLinking } from "../domain/provider-linking.ts";
import type { User } from "../domain/user.ts";

/**
 * What the linking rules read of a provider, OAuth (ConfiguredProvider) or SAML
 * (ConfiguredSamlProvider): which users it may link, whether it provisions, and for OAuth
 * whether its emails are trusted unverified (SAML has no `trustEmail`: saml-identity.ts).
 */
export interface LinkableProvider {
  readonly id: string;
  readonly linking: ProviderLinking;
  readonly settings: { readonly providerName: string; readonly enableJit: boolean; readonly trustEmail?: boolean };
}

/** What deciding the user reads: the user with an email, and the (provider, subject) links. */
export interface AccountLookup {
  readonly users: Pick<UserRepository, "findInOrganisation">;
  readonly links: Pick<IdentityLinkRepository, "userFor" | "hasIdentity">;
}

export interface AccountLinking extends AccountLookup {
  readonly links: Pick<IdentityLinkRepository, "userFor" | "hasIdentity" | "link" | "provisionAndLink">;
  /** Where every link made is recorded (`identity.linked`). */
  readonly audit: Pick<AuditTrail, "record">;
}

/**
 * Lower-cases A-Z only. The email the client names is ASCII (its schema says so) but the
 * provider's is not checked: `toLowerCase` folds e.g. U+212A KELVIN SIGN to "k", which would
 * make another address equal the one named.
 */
const asciiLowerCase = (value: string) => value.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The identity's email must be the one the client named, and verified unless the provider is trusted for email. */
export function checkIdentityEmail(identity: ProviderIdentity, email: string, provider: LinkableProvider): Result<string> {
  if (identity.email === undefined || asciiLowerCase(identity.email) !== asciiLowerCase(email)) {
    return failure("EMAIL_MISMATCH", "The account you signed in with at the provider does not have this email address.");
  }
  if (!identity.emailVerified && !provider.settings.trustEmail) {
    return failure("EMAIL_NOT_VERIFIED", "The provider has not verified this email address.");
  }
  return success(identity.email);
}

function active(user: User): Result<User> {
  return user.status === "active" ? success(user) : failure("USER_DISABLED", "This account is disabled. Contact your administrator.");
}

function identityConflict(): Failure {
  return failure(
    "IDENTITY_CONFLICT",
    "This account is already linked to a different identity at this provider. Contact your administrator.",
  );
}

/** What the account step does for an identity: sign in the linked user, link the user with the email, or create one. */
export type AccountPlan =
  { readonly kind: "linked"; readonly user: User } | { readonly kind: "link"; readonly user: User } | { readonly kind: "provision" };

/**
 * Whether `provider` may link the existing `user`, by whom the organisation trusts. A provider
 * whose identity settings a delegated admin (an organisation admin, a setup link) saved could
 * assert anyone's email: it links only a user with no identity yet who is not an admin, unless
 * the operator set `linkExistingUsers` on it. And no provider links an admin who already has an
 * identity, whoever saved it: taking over an admin's account takes the operator removing their
 * identity first (DELETE …/users/{userId}/identities/{provider}).
 */
async function linkRefusal(deps: AccountLookup, provider: LinkableProvider, user: User): Promise<Failure | undefined> {
  const { identitySettingsSavedBy, linkExistingUsers } = provider.linking;
  const delegatedOnly = identitySettingsSavedBy === "delegated" && !linkExistingUsers;
  const refused = (detail: string) =>
    failure("LINK_NOT_ALLOWED", "This provider may not sign in to your existing account. Contact your administrator.", { detail });
  if (delegatedOnly && user.role === "admin") return refused("a provider saved by a delegated admin never links an admin");
  if (!delegatedOnly && user.role !== "admin") return undefined;
  if (!(await deps.links.hasIdentity(user.id))) return undefined;
  return refused(
    delegatedOnly
      ? "a provider saved by a delegated admin links only users without an identity (linkExistingUsers is off)"
      : "an admin who already has an identity is never linked to another",
  );
}

/**
 * The account step's rules, read-only: an existing (provider, subject) link decides; else the
 * organisation's user with the (checked) email is to be linked, if the provider may link them
 * (linkRefusal); else one is provisioned just in time, when that is on and the email is in the
 * organisation's domains (if it claims any).
 */
export async function planAccount(
  deps: AccountLookup,
  org: Organisation,
  provider: LinkableProvider,
  identity: ProviderIdentity,
  email: string,
): Promise<Result<AccountPlan>> {
  const linked = await deps.links.userFor(provider.id, identity.subject);
  if (linked) return success({ kind: "linked", user: linked });
  const existing = await deps.users.findInOrganisation(org.id, email);
  if (existing) {
    const refusal = await linkRefusal(deps, provider, existing);
    return refusal ?? success({ kind: "link", user: existing });
  }
  if (!provider.settings.enableJit) {
    return failure("USER_NOT_FOUND", "No account exists for this email and automatic sign-up is off. Contact your administrator.");
  }
  // An organisation that claims domains provisions only their addresses: a public provider
  // (Google, GitHub) would otherwise let any of its users create an account here.
  if (org.domains.length > 0 && !org.domains.includes(emailDomain(email))) {
    return failure("USER_NOT_FOUND", "Automatic sign-up is only for your organisation's email domains. Contact your administrator.");
  }
  return success({ kind: "provision" });
}

/**
 * Decides the user behind a provider identity. Identity is bound by (provider, subject): an
 * existing link decides; a first sign-in links by verified email; a user already linked to
 * another subject is never re-linked and a subject never moves to another user, so a changed
 * or spoofed email claim cannot take over an account.
 */
export async function linkOrProvisionAccount(
  deps: AccountLinking,
  org: Organisation,
  provider: LinkableProvider,
  identity: ProviderIdentity,
  email: string,
  context: { readonly ip: string | null },
): Promise<Result<User>> {
  const plan = await planAccount(deps, org, provider, identity, email);
  if (!plan.ok) return plan;
  const step = plan.value;
  if (step.kind === "linked") return active(step.user);
  // A user already linked to another subject is refused by the link's own constraint.
  const outcome =
    step.kind === "link"
      ? await deps.links.link(org.id, provider.id, identity.subject, step.user)
      : await deps.links.provisionAndLink(org.id, provider.id, identity.subject, email, identity.name ?? null);
  // Concurrent first sign-ins of one subject all end linked to the one user (insert-or-get);
  // only another subject's link, or this subject's link to someone else, is a conflict.
  if (outcome.kind !== "linked") return identityConflict();
  if (outcome.made) {
    // The sign-in itself made the link: the actor is the user it proved.
    await deps.audit.record({
      orgId: org.id,
      userId: outcome.user.id,
      email: outcome.user.email,
      provider: provider.settings.providerName,
      event: "identity.linked",
      outcome: "success",
      error: null,
      ip: context.ip,
      actor: `user:${outcome.user.id}`,
      changes: [
        { field: "subject", before: null, after: identity.subject },
        ...(step.kind === "provision" ? [{ field: "user", before: null, after: outcome.user.id }] : []),
      ],
    });
  }
  return active(outcome.user);
}

/**
 * What linkOrProvisionAccount would answer, writing nothing: the user it would sign in, or
 * undefined for one it would create. Where it would link, the link's constraint is read
 * instead: a user already linked to another subject at this provider is a conflict.
 */
export async function previewAccount(
  deps: AccountLookup & { readonly links: Pick<IdentityLinkRepository, "subjectOf"> },
  org: Organisation,
  provider: LinkableProvider,
  identity: ProviderIdentity,
  email: string,
): Promise<Result<User | undefined>> {
  const plan = await planAccount(deps, org, provider, identity, email);
  if (!plan.ok) return plan;
  const step = plan.value;
  if (step.kind === "provision") return success(undefined);
  if (step.kind === "link") {
    const subject = await deps.links.subjectOf(provider.id, step.user.id);
    if (subject !== undefined && subject !== identity.subject) return identityConflict();
  }
  return active(step.user);
}
