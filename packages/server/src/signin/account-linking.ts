import { failure, type Result, success } from "../domain/failures.ts";
import type { ProviderIdentity } from "../domain/identity.ts";
import { emailDomain, type Organisation } from "../domain/organisation.ts";
import type { IdentityLinkRepository, UserRepository } from "../domain/ports/repositories.ts";
import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import type { User } from "../domain/user.ts";

export interface AccountLinking {
  readonly users: Pick<UserRepository, "findInOrganisation">;
  readonly links: Pick<IdentityLinkRepository, "userFor" | "link" | "provisionAndLink">;
}

/**
 * Lower-cases A-Z only. The email the client names is ASCII (its schema says so) but the
 * provider's is not checked: `toLowerCase` folds e.g. U+212A KELVIN SIGN to "k", which would
 * make another address equal the one named.
 */
const asciiLowerCase = (value: string) => value.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The identity's email must be the one the client named, and verified unless the provider is trusted for email. */
export function checkIdentityEmail(identity: ProviderIdentity, email: string, provider: ConfiguredProvider): Result<string> {
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

/**
 * Decides the user behind a provider identity. Identity is bound by (provider, subject): an
 * existing link decides; a first sign-in links by verified email; a user already linked to
 * another subject is never re-linked and a subject never moves to another user, so a changed
 * or spoofed email claim cannot take over an account.
 */
export async function linkOrProvisionAccount(
  deps: AccountLinking,
  org: Organisation,
  provider: ConfiguredProvider,
  identity: ProviderIdentity,
  email: string,
): Promise<Result<User>> {
  const linked = await deps.links.userFor(provider.id, identity.subject);
  if (linked) return active(linked);
  const existing = await deps.users.findInOrganisation(org.id, email);
  let outcome;
  if (existing) {
    // A user already linked to another subject is refused by the link's own constraint.
    outcome = await deps.links.link(org.id, provider.id, identity.subject, existing);
  } else if (provider.settings.enableJit) {
    // An organisation that claims domains provisions only their addresses: a public provider
    // (Google, GitHub) would otherwise let any of its users create an account here.
    if (org.domains.length > 0 && !org.domains.includes(emailDomain(email))) {
      return failure("USER_NOT_FOUND", "Automatic sign-up is only for your organisation's email domains. Contact your administrator.");
    }
    outcome = await deps.links.provisionAndLink(org.id, provider.id, identity.subject, email, identity.name ?? null);
  } else {
    return failure("USER_NOT_FOUND", "No account exists for this email and automatic sign-up is off. Contact your administrator.");
  }
  // Concurrent first sign-ins of one subject all end linked to the one user (insert-or-get);
  // only another subject's link, or this subject's link to someone else, is a conflict.
  if (outcome.kind === "linked") return active(outcome.user);
  return failure(
    "IDENTITY_CONFLICT",
    "This account is already linked to a different identity at this provider. Contact your administrator.",
  );
}
