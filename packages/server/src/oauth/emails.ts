import * as oidc from "openid-client";
import { failure, type Result, success } from "../domain/failures.ts";
import type { ProviderConnection } from "./discovery.ts";
import { providerFailure, refusalStatus, ResourceRefused } from "./provider-failure.ts";

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
  const primary = entries.find(
    (e): e is EmailAddressEntry => typeof e === "object" && e !== null && (e as EmailAddressEntry).primary === true,
  );
  if (!primary || typeof primary.email !== "string" || primary.email === "") {
    return failure("EMAIL_NOT_VERIFIED", "the account has no primary email address.");
  }
  if (primary.verified !== true) return failure("EMAIL_NOT_VERIFIED", "the account's primary email address is not verified.");
  return success(primary.email);
}

/**
 * Reads the provider's email address list (its `emailsEndpoint`, as a protected resource,
 * RFC 6750) and answers the verified primary address (see `primaryVerifiedEmail`).
 */
export async function fetchPrimaryVerifiedEmail(connection: ProviderConnection, accessToken: string): Promise<Result<string>> {
  const { provider, config } = connection;
  const name = provider.settings.providerName;
  const endpoint = provider.settings.emailsEndpoint;
  if (endpoint === undefined) return failure("PROVIDER_ERROR", `The provider "${name}" has no email address list configured.`);
  let entries: unknown;
  try {
    const headers = new Headers({ accept: "application/vnd.github+json, application/json;q=0.9" });
    const response = await oidc.fetchProtectedResource(config, accessToken, new URL(endpoint), "GET", undefined, headers);
    if (!response.ok) throw new ResourceRefused(response.status);
    entries = await response.json();
  } catch (error) {
    const status =
      error instanceof ResourceRefused || error instanceof oidc.WWWAuthenticateChallengeError ? refusalStatus(error) : undefined;
    if (status !== undefined && status >= 400 && status < 500) {
      // GitHub answers 404 (not 403) when the token lacks the user:email scope.
      return failure(
        "USERINFO_FAILED",
        `The provider "${name}" refused to list the account's email addresses (answered ${status}); the user:email scope may be missing.`,
      );
    }
    return providerFailure(name, error, "the email addresses request");
  }
  const primary = primaryVerifiedEmail(entries);
  return primary.ok ? primary : failure(primary.error, `The provider "${name}": ${primary.message}`);
}
