import type { FailureId } from "./failures.ts";

/**
 * What an administrator can do about each failure a sign-in records: one sentence, shown beside
 * the failure in the audit trail and in a provider's health. Failures of the caller's own making
 * (a malformed request) say so; the rest say what to change and where — here or at the provider.
 */
export const FAILURE_FIX: Readonly<Record<FailureId, string>> = {
  VALIDATION_ERROR: "The application sent a malformed request: the message names the field to fix in its call.",
  INVALID_JSON: "The application sent a body that is not JSON: fix its call.",
  MALFORMED_REQUEST: "The HTTP request could not be parsed: fix the client or the proxy in front of the service.",
  PROVIDER_NOT_FOUND:
    "The application named a provider this organisation does not have: add it here (PUT /api/v1/orgs/{orgId}/oauth-providers/{name}) or fix the name the application sends.",
  REDIRECT_URI_MISMATCH:
    "Add the application's redirect URI to the provider's redirectUris here, and register the same URI at the provider.",
  INVALID_GRANT:
    "The provider refused the authorization code: it was used twice or too late, or the redirect URI differs from the one registered at the provider.",
  INVALID_STATE:
    "The sign-in was not started here, was already finished, or belongs to another session: start again; with several instances, give them all the same REDIS_URL.",
  STATE_REQUIRED: "The provider requires PKCE (requirePkce): start the sign-in at /userAccount/oauth/authorize and send back its state.",
  INVALID_PROVIDER_SETTINGS: "Correct the provider's settings here: the message names the field.",
  METHOD_NOT_ALLOWED: "The organisation's sign-in steps do not offer this method at this step: change its auth methods here.",
  METHOD_NOT_SUPPORTED: "This service does not support the sign-in method asked for: use OAuth/OpenID Connect.",
  ACCOUNT_BLOCKED: "Too many failed attempts in a row: the account unblocks by itself after LOCKOUT_SECONDS.",
  INVALID_TOKEN: "The token is expired, revoked or not this service's: sign in again.",
  UNAUTHORIZED: "The credentials were missing or wrong.",
  EMAIL_MISMATCH:
    "The account used at the provider has another email than the one typed: sign in with the matching account, or correct the user's email at the provider.",
  EMAIL_NOT_VERIFIED:
    "The provider did not assert the email as verified: verify it at the provider, request the email scope, set emailVerifiedClaim here if the provider names the claim differently, or trustEmail if it vouches for every address.",
  IDENTITY_CONFLICT:
    "This user is already linked to another identity at this provider: if the person's provider account changed, the operator removes the old link (DELETE /api/v1/orgs/{orgId}/users/{userId}/identities/{provider}) and the next sign-in links the new one.",
  LINK_NOT_ALLOWED:
    "A provider whose identity settings an organisation admin or a setup link saved links only existing users who have no identity yet and are not admins, and no provider links an admin who already has an identity: to move members to this provider, the operator saves it (admin token) with linkExistingUsers: true; for an admin, the operator saves the provider and removes the admin's old identity (DELETE /api/v1/orgs/{orgId}/users/{userId}/identities/{provider}).",
  INVALID_ID_TOKEN:
    "The provider's ID token failed a check (signature, issuer, audience, expiry, nonce): run the provider doctor, check the issuer and client id here, and the clocks of both sides.",
  USERINFO_FAILED:
    "The provider's userinfo endpoint refused the access token: check the scopes requested (openid email) and the userinfo endpoint here.",
  SAML_MALFORMED:
    "What reached the ACS is not a SAML 2.0 Response (not base64, not well-formed XML, or missing a required element): check that the IdP posts its SAMLResponse with the HTTP-POST binding to this provider's acsUrl.",
  SAML_TOO_LARGE: "The SAMLResponse is larger than the service accepts (256 KiB): have the IdP send fewer attributes.",
  SAML_DOCTYPE_NOT_ALLOWED:
    "The SAMLResponse carries a DOCTYPE or entity declaration, which no IdP needs and attacks use: the response was forged or the IdP is misconfigured.",
  SAML_SIGNATURE_INVALID:
    "The assertion is not signed by a certificate configured here (or its signature does not cover the assertion used): compare the fingerprint the message names with the provider's idpCertificates, and add the IdP's new certificate (several are allowed during a rollover) or re-read its metadata; set the IdP to sign the assertion.",
  SAML_WEAK_ALGORITHM: "The IdP signs with SHA-1: set it to RSA-SHA256 (recommended), or set allowSha1 on the provider here if it cannot.",
  SAML_ISSUER_MISMATCH:
    "The assertion's Issuer is not the provider's idpEntityId: correct idpEntityId here (or re-read the IdP's metadata).",
  SAML_AUDIENCE_MISMATCH:
    "The assertion is for another audience: register this provider's spEntityId (shown here and in its SP metadata) as the Entity ID / Audience URI at the IdP.",
  SAML_DESTINATION_MISMATCH:
    "The response was sent for another ACS URL: register this provider's acsUrl as the Reply / ACS URL at the IdP; behind a proxy, check PUBLIC_URL.",
  SAML_RECIPIENT_MISMATCH:
    "The assertion's subject confirmation names another Recipient: register this provider's acsUrl as the Reply / ACS URL at the IdP; behind a proxy, check PUBLIC_URL.",
  SAML_NOT_YET_VALID:
    "The assertion is not valid yet by this service's clock: synchronise the clocks of the IdP and this service (NTP), or raise clockSkewSeconds here.",
  SAML_EXPIRED:
    "The assertion had expired when it arrived: synchronise the clocks of the IdP and this service (NTP), raise clockSkewSeconds here, or sign in again without waiting.",
  SAML_UNSOLICITED:
    "The IdP sent a response that answers no sign-in started here (IdP-initiated): start sign-in from the application, or set allowIdpInitiated on the provider here.",
  SAML_IN_RESPONSE_TO_MISMATCH:
    "The response answers another sign-in than this one (an old tab, a second attempt, or another instance's request): start again; with several instances, give them all the same REDIS_URL.",
  SAML_STATUS_NOT_SUCCESS:
    "The IdP refused the sign-in (its status code is in the message): check at the IdP that the user is assigned to this application and may sign in.",
  SAML_ENCRYPTED_NOT_SUPPORTED:
    "The IdP encrypts its assertions but this provider holds no SP key that decrypts them: give the provider an SP key (its certificate is in the SP metadata) and register that certificate at the IdP, or turn encryption off there.",
  SAML_REPLAYED:
    "The same SAML response was posted twice (a browser's back button, or someone replaying it): sign in again; with several instances, give them all the same REDIS_URL.",
  SAML_SUBJECT_UNUSABLE:
    "Have the IdP send a persistent NameID (urn:oasis:names:tc:SAML:2.0:nameid-format:persistent), or set the provider's subjectAttribute to an attribute the IdP always sends.",
  SAML_EMAIL_MISSING:
    "Have the IdP send the user's email as an attribute and set the provider's emailAttribute to its name (the message lists the attributes received), or send an emailAddress NameID.",
  SAML_EMAIL_NOT_IN_DOMAINS:
    "SAML asserts no verified email: add the email's domain to the organisation's domains here, or sign in with an address in them.",
  USER_DISABLED: "The user is disabled here: enable them if they should sign in.",
  FORBIDDEN:
    "This credential may not do that: a setup link or an organisation admin reaches only that organisation's providers and audit trail, and only users with the admin role are organisation admins; ask the operator for anything else.",
  ORG_NOT_FOUND: "No organisation claims the email's domain: add the domain to the organisation here.",
  USER_NOT_FOUND:
    "No user here has this email and just-in-time sign-up is off (or the domain is not the organisation's): create the user, or set enableJit on the provider.",
  NOT_FOUND: "The thing asked for does not exist: check the identifier.",
  SESSION_EXPIRED: "The sign-in session expired or was never started: start again from initAuth.",
  REQUEST_TIMEOUT: "The client sent its request too slowly: check the network between it and the service.",
  PROVIDER_NAME_TAKEN:
    "An organisation's OAuth and SAML providers share one set of names: save this provider under another name, or delete the provider of the other kind first.",
  CONFLICT: "Another change was made at the same time: read the current state and try again.",
  DOMAIN_NOT_VERIFIED:
    "Create the TXT record the domain's listing names (txtName, txtValue in GET /api/v1/orgs/{orgId}/domains) at the domain's DNS host, wait until it is published, and check again (POST /api/v1/orgs/{orgId}/domains/{domain}/verify); pending domains are also re-checked every DOMAIN_CHECK_INTERVAL_SECONDS.",
  PAYLOAD_TOO_LARGE: "The request body is too large: send less.",
  URI_TOO_LONG: "The URL is too long: send less in the query string.",
  PRECONDITION_FAILED: "The resource changed since the client read it: read it again (its meta.version) and repeat the write.",
  UNSUPPORTED_MEDIA_TYPE: "Send the body as application/json.",
  TOO_MANY_REQUESTS: "The client went over RATE_LIMIT_PER_MINUTE: slow down, or behind a proxy set TRUST_PROXY so clients are told apart.",
  HEADERS_TOO_LARGE: "The request's headers are too large: send fewer or smaller cookies and headers.",
  INTERNAL_ERROR: "An unexpected error: the service's log has it under the request id.",
  PROVIDER_ERROR: "The provider answered with an error or something unusable: run the provider doctor and check the provider's status.",
  PROVIDER_UNAVAILABLE:
    "The provider could not be reached: check its URLs here, the network path from this service (PROVIDER_NETWORK_ALLOW for private addresses) and the provider's status.",
  JWKS_UNAVAILABLE:
    "The provider's key set (JWKS) could not be fetched or used: check jwksUri here or the provider's discovery document, and run the provider doctor.",
  SERVICE_UNAVAILABLE: "The database or Redis did not answer in time: see /readyz and the service's log.",
  PROVIDER_TIMEOUT: "The provider did not answer within OUTBOUND_TIMEOUT_MS: check its status and the network path to it.",
};

/** The fix sentence for a recorded failure id; a failure recorded by an older version may have none. */
export function fixFor(reason: string): string | undefined {
  return Object.hasOwn(FAILURE_FIX, reason) ? FAILURE_FIX[reason as FailureId] : undefined;
}
