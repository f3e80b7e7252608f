import { failure, type Result, success } from "../domain/failures.ts";

/** One entry of a GitHub-shaped email address list (GitHub's `GET /user/emails`, Gitea's too). */
export interface EmailAddressEntry {
  readonly email?: unknown;
  readonly primary?: unknown;
  readonly verified?: unknown;
}

/**
 * The account's primary email address, only if the provider verified it. GitHub's user API
 * (`GET /user`) reports the address the user chose to make public, which GitHub does not
 * vouch for; its `GET /user/emails` marks which address is primary and which are verified.
 * A secondary verified address is not used: the primary is the one the account stands for.
 */
export function primaryVerifiedEmail(entries: unknown): Result<string> {
  if (!Array.isArray(entries)) return failure("PROVIDER_ERROR", "the email address list is not a list.");
  const primary = entries.find((e): e is EmailAddressEntry => typeof e === "object" && e !== null && (e as EmailAddressEntry).primary === true);
  if (!primary || typeof primary.email !== "string" || primary.email === "") {
    return failure("EMAIL_NOT_VERIFIED", "the account has no primary email address.");
  }
  if (primary.verified !== true) return failure("EMAIL_NOT_VERIFIED", "the account's primary email address is not verified.");
  return success(primary.email);
}
