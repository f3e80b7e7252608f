import { failure, type Result, success } from "../domain/failures.ts";
import type { ProviderIdentity } from "../domain/identity.ts";
import { emailVerifiedClaimOf, type ProviderSettings, subjectClaimOf } from "../domain/provider-settings.ts";
import type { ProviderConnection } from "../oauth/discovery.ts";
import { fetchPrimaryVerifiedEmail } from "../oauth/emails.ts";
import type { IdTokenClaims, IdTokenVerifier } from "../oauth/id-token.ts";
import { fetchUserinfo, type UserinfoClaims } from "../oauth/userinfo.ts";

/**
 * Verify, then identify: the ID token (when the provider is OpenID Connect and sent one) is
 * verified first; the identity is then read from its claims, or from userinfo without one.
 */
export interface IdentityDeps {
  readonly idTokens: IdTokenVerifier;
}

/**
 * The ID token's verified claims, for an OpenID Connect provider (one with an issuer) that sent
 * one; undefined otherwise, and the identity then comes from userinfo alone.
 */
export async function verifyIdToken(
  deps: IdentityDeps,
  connection: ProviderConnection,
  idToken: string | undefined,
  expectedNonce: string | undefined,
): Promise<Result<IdTokenClaims | undefined>> {
  if (!idToken || !connection.provider.settings.issuer) return success(undefined);
  return deps.idTokens.verify(connection, idToken, expectedNonce);
}

/**
 * Who signed in. From the verified ID token's claims when there are any: userinfo is asked
 * only for a missing email, and must answer for the ID token's subject (OIDC Core §5.3.2); else
 * from userinfo alone. With an `emailsEndpoint` (GitHub), the email is the verified primary
 * address from it, never the user API's self-chosen public one.
 *
 * `fetched` is userinfo the caller has already asked for with this access token, expecting the
 * ID token's `sub` (none without ID token claims): when given, it is used instead of asking again.
 */
export async function identify(
  connection: ProviderConnection,
  accessToken: string,
  idTokenClaims: IdTokenClaims | undefined,
  fetched?: Result<UserinfoClaims>,
): Promise<Result<ProviderIdentity>> {
  const settings = connection.provider.settings;
  const claimed = idTokenClaims
    ? await fromIdToken(connection, accessToken, idTokenClaims, fetched)
    : await fromUserinfo(connection, accessToken, fetched);
  if (!claimed.ok || settings.emailsEndpoint === undefined) return claimed;
  const primary = await fetchPrimaryVerifiedEmail(connection, accessToken);
  return primary.ok ? success({ ...claimed.value, email: primary.value, emailVerified: true }) : primary;
}

async function fromIdToken(
  connection: ProviderConnection,
  accessToken: string,
  claims: IdTokenClaims,
  fetched: Result<UserinfoClaims> | undefined,
): Promise<Result<ProviderIdentity>> {
  const settings = connection.provider.settings;
  const identity = identityFromClaims(claims, "id_token", settings);
  if (!identity.ok || identity.value.email !== undefined || settings.emailsEndpoint !== undefined || !connection.metadata.userinfo_endpoint)
    return identity;
  // Some providers put the email in userinfo only. Userinfo's `sub` must be the ID token's;
  // the subject claim, when another, is kept from the ID token.
  const sub = claims.sub;
  if (!isUsableSubject(sub)) return identity;
  const extra = fetched ?? (await fetchUserinfo(connection, accessToken, sub));
  if (!extra.ok) return extra;
  const subjectClaim = subjectClaimOf(settings);
  return identityFromClaims({ ...extra.value, sub, [subjectClaim]: claim(claims, subjectClaim) }, "id_token", settings);
}

async function fromUserinfo(
  connection: ProviderConnection,
  accessToken: string,
  fetched: Result<UserinfoClaims> | undefined,
): Promise<Result<ProviderIdentity>> {
  const claims = fetched ?? (await fetchUserinfo(connection, accessToken, undefined));
  return claims.ok ? identityFromClaims(claims.value, "userinfo", connection.provider.settings) : claims;
}

/** A subject that can name an account: not empty, not a stringified null, not absurdly long. */
function isUsableSubject(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "" && value !== "null" && value !== "undefined" && value.length <= 255;
}

/** A claim by name, never from the object's prototype. */
function claim(claims: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

/** Some providers send booleans as strings or 1 (e.g. in optional claims); nothing else means yes. */
function isAffirmative(value: unknown): boolean {
  return value === true || value === "true" || value === 1 || value === "1";
}

/**
 * Who signed in, from ID token or userinfo claims. The subject is the provider's `subjectClaim`
 * (default `sub`); the email counts as verified when its `emailVerifiedClaim` (default
 * `email_verified`) is true.
 */
export function identityFromClaims(
  claims: Record<string, unknown>,
  source: ProviderIdentity["source"],
  settings: ProviderSettings,
): Result<ProviderIdentity> {
  const subjectClaim = subjectClaimOf(settings);
  // Plain OAuth 2.0 user APIs often name the subject `id` and make it a number (GitHub).
  const rawSubject = claim(claims, subjectClaim) ?? (subjectClaim === "sub" && source === "userinfo" ? claim(claims, "id") : undefined);
  const subject = typeof rawSubject === "number" && Number.isSafeInteger(rawSubject) ? String(rawSubject) : rawSubject;
  if (!isUsableSubject(subject)) {
    return failure(
      "PROVIDER_ERROR",
      subjectClaim === "sub"
        ? "The provider did not say who signed in (no usable subject)."
        : `The provider did not say who signed in (no usable "${subjectClaim}" claim).`,
    );
  }
  const verified = isAffirmative(claim(claims, emailVerifiedClaimOf(settings)));
  return success({
    subject,
    email: typeof claims.email === "string" && claims.email !== "" ? claims.email : undefined,
    emailVerified: verified,
    name: typeof claims.name === "string" ? claims.name : undefined,
    source,
  });
}
