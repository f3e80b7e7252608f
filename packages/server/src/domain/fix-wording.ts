import { FAILURE_FIX } from "./failure-fixes.ts";
import type { FailureId } from "./failures.ts";

/*
 * A fix is read in two places: by the API's callers (the CLI, the SDK, scripts), where it names
 * the setting and the API path to change, and in the admin console, where it names the console's
 * page, field or button ("Providers › okta › Client secret") as plain text, with no API path and
 * no Markdown. Fixes that name neither read the same in both.
 */

/** Who reads a fix: the API's callers, or the admin console. */
export type FixReader = "api" | "console";

/** A fix as each reader words it. */
export interface WordedFix {
  readonly api: string;
  readonly console: string;
}

/** The provider settings (OAuth and SAML) as the console's provider forms label them. */
export const PROVIDER_FIELD_IN_CONSOLE = {
  clientId: "Client ID",
  clientSecret: "Client secret",
  nextClientSecret: "Next client secret",
  issuer: "Issuer URL",
  authorizationUrl: "Authorization endpoint",
  tokenEndpoint: "Token endpoint",
  userInfoEndpoint: "Userinfo endpoint",
  jwksUri: "JWKS URI",
  emailsEndpoint: "Email list endpoint",
  scope: "Scope",
  tokenEndpointAuthMethod: "Client authentication",
  redirectUris: "Redirect URIs",
  enableJit: "Just-in-time (JIT) provisioning",
  trustEmail: "Trust email",
  requirePkce: "Require PKCE",
  subjectClaim: "Subject claim",
  emailVerifiedClaim: "Email-verified claim",
  linkExistingUsers: "Link existing users",
  // A SAML provider's, as its form labels them.
  idpMetadataUrl: "IdP metadata URL",
  idpMetadataXml: "IdP metadata XML",
  idpSsoUrl: "IdP SSO URL",
  allowSha1: "Allow SHA-1",
  signAuthnRequests: "Sign requests",
} as const;

export type ProviderField = keyof typeof PROVIDER_FIELD_IN_CONSOLE;

/** Where a provider's setting is changed in the console: "Providers › okta › Client secret". */
export function inConsole(providerName: string | null | undefined, field: ProviderField): string {
  const label = PROVIDER_FIELD_IN_CONSOLE[field];
  return providerName ? `Providers › ${providerName} › ${label}` : `the provider's ${label} (Providers)`;
}

/** A provider's setting as each reader names it: `scope` for the API, Providers › okta › Scope in the console. */
export const providerSetting = (providerName: string | null | undefined, field: ProviderField): WordedFix => ({
  api: `\`${field}\``,
  console: inConsole(providerName, field),
});

/**
 * A fix put together from text and parts worded for each reader:
 * fix`${settingsHere(provider, "scope")} to include openid` is worded twice, each part as its reader reads it.
 */
export function worded(strings: TemplateStringsArray, ...parts: readonly (string | number | WordedFix)[]): WordedFix {
  const as = (reader: FixReader) =>
    strings.reduce((text, literal, i) => {
      const part = parts[i];
      return `${text}${literal}${part === undefined ? "" : typeof part === "object" ? part[reader] : String(part)}`;
    }, "");
  return { api: as("api"), console: as("console") };
}

/** A fix without a console wording of its own, as the console shows it: plain text, no Markdown code marks. */
export const plainText = (fix: string): string => fix.replaceAll("`", "");

/**
 * The failures whose fix names a setting or an API path, as the console words them; `provider`
 * is the provider the failure was met at, when known. The others read the same everywhere.
 */
const FAILURE_FIX_IN_CONSOLE: Partial<Record<FailureId, (provider: string | null) => string>> = {
  PROVIDER_NOT_FOUND: () =>
    "The application named a provider this organisation does not have: add it (Providers › Add a provider) or fix the name the application sends.",
  REDIRECT_URI_MISMATCH: (p) =>
    `Add the application's redirect URI to ${inConsole(p, "redirectUris")}, and register the same URI at the provider.`,
  STATE_REQUIRED: (p) =>
    `The provider requires PKCE (${inConsole(p, "requirePkce")}): the application must start the sign-in at /userAccount/oauth/authorize and send back its state.`,
  INVALID_PROVIDER_SETTINGS: (p) =>
    `Correct the field the message names in ${p ? `Providers › ${p}` : "the provider's settings (Providers)"}.`,
  METHOD_NOT_ALLOWED: () =>
    "The organisation's sign-in steps do not offer this method at this step: the operator changes its auth methods (the CLI or the admin API).",
  EMAIL_NOT_VERIFIED: (p) =>
    `The provider did not assert the email as verified: verify it at the provider, add the email scope to ${inConsole(p, "scope")}, set ${inConsole(p, "emailVerifiedClaim")} if the provider names the claim differently, or turn on ${inConsole(p, "trustEmail")} if it vouches for every address.`,
  IDENTITY_CONFLICT: () =>
    "This user is already linked to another identity at this provider: if the person's provider account changed, the operator removes the old link (the CLI's users unlink) and the next sign-in links the new one.",
  LINK_NOT_ALLOWED: (p) =>
    `A provider whose identity settings an organisation admin or a setup link saved links only existing users who have no identity yet and are not admins, and no provider links an admin who already has an identity: to move members to this provider, the operator saves it with ${inConsole(p, "linkExistingUsers")} on; for an admin, the operator saves the provider and removes the admin's old identity (the CLI's users unlink).`,
  INVALID_ID_TOKEN: (p) =>
    `The provider's ID token failed a check (signature, issuer, audience, expiry, nonce): run the provider's Doctor, check ${inConsole(p, "issuer")} and ${inConsole(p, "clientId")}, and the clocks of both sides.`,
  USERINFO_FAILED: (p) =>
    `The provider's userinfo endpoint refused the access token: check ${inConsole(p, "scope")} (openid email) and ${inConsole(p, "userInfoEndpoint")}.`,
  USER_DISABLED: () => "The user is disabled here: enable them (Users › the user › Enable) if they should sign in.",
  ORG_NOT_FOUND: () =>
    "No organisation claims the email's domain: add the domain to the organisation (Organisations › the organisation › Domains).",
  USER_NOT_FOUND: (p) =>
    `No user here has this email and just-in-time sign-up is off (or the domain is not the organisation's): create the user, or turn on ${inConsole(p, "enableJit")}.`,
  PROVIDER_UNAVAILABLE: (p) =>
    `The provider could not be reached: check its URLs in ${p ? `Providers › ${p}` : "the provider's settings (Providers)"}, the network path from this service (PROVIDER_NETWORK_ALLOW for private addresses) and the provider's status.`,
  DOMAIN_NOT_VERIFIED: () =>
    "Create the TXT record shown under the organisation's Domains to prove at the domain's DNS host, wait until it is published, and press Check now; pending domains are also re-checked on a schedule.",
  SAML_WEAK_ALGORITHM: (p) =>
    `The IdP signs with SHA-1: set it to RSA-SHA256 (recommended), or turn on ${inConsole(p, "allowSha1")} if it cannot.`,
  JWKS_UNAVAILABLE: (p) =>
    `The provider's key set (JWKS) could not be fetched or used: check ${inConsole(p, "jwksUri")} or the provider's discovery document, and run the provider's Doctor.`,
};

/** The fix for a recorded failure id as `reader` reads it; a failure recorded by an older version may have none. */
export function fixAsRead(reason: string, reader: FixReader, provider: string | null = null): string | undefined {
  if (!Object.hasOwn(FAILURE_FIX, reason)) return undefined;
  const id = reason as FailureId;
  if (reader === "api") return FAILURE_FIX[id];
  return FAILURE_FIX_IN_CONSOLE[id]?.(provider) ?? plainText(FAILURE_FIX[id]);
}
