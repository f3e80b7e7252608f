import type { SamlProviderSettings } from "./saml-provider.ts";
import { emailVerifiedClaimOf, type ProviderSettings, subjectClaimOf } from "./provider-settings.ts";

/**
 * Who last saved a provider's identity settings: the operator (the admin token or an operator's
 * console session), or a delegated admin (an organisation admin or a setup-link session). The
 * organisation trusts a provider to link existing accounts only as far as it trusts whoever
 * decided where its identities come from.
 */
export type IdentitySettingsSavedBy = "operator" | "delegated";

/** What decides which existing users a provider may link (see signin/account-linking.ts). */
export interface ProviderLinking {
  /** Providers saved before this was recorded count as `delegated` until the operator saves them. */
  readonly identitySettingsSavedBy: IdentitySettingsSavedBy;
  /**
   * Set by the operator only, for moving an organisation from one provider to another: the
   * provider may link existing users who already have an identity elsewhere (never an admin who has one).
   */
  readonly linkExistingUsers: boolean;
}

/**
 * A provider's identity settings: where its identities come from and what they assert. Whoever
 * sets these decides which accounts the provider's sign-ins prove.
 */
export const IDENTITY_SETTINGS = [
  "issuer",
  "authorizationUrl",
  "tokenEndpoint",
  "userInfoEndpoint",
  "jwksUri",
  "emailsEndpoint",
  "clientId",
  "subjectClaim",
  "emailVerifiedClaim",
  "trustEmail",
] as const;

/** The value of an identity setting, with the defaults of settings stored before the claim settings existed. */
function identitySetting(settings: ProviderSettings, field: (typeof IDENTITY_SETTINGS)[number]): unknown {
  if (field === "subjectClaim") return subjectClaimOf(settings);
  if (field === "emailVerifiedClaim") return emailVerifiedClaimOf(settings);
  return settings[field] ?? null;
}

/** Whether replacing `before` with `after` changes any identity setting. */
export function identitySettingsChanged(before: ProviderSettings, after: ProviderSettings): boolean {
  return IDENTITY_SETTINGS.some((field) => identitySetting(before, field) !== identitySetting(after, field));
}

/** Who is saving a provider: `delegated` for an organisation admin or a setup-link session. */
export interface ProviderSaver {
  readonly delegated: boolean;
}

/**
 * The provider's linking after a save of `after` over `before` (undefined: a new provider).
 * The operator's save marks the identity settings as the operator's and sets
 * `linkExistingUsers` when given (omitted keeps the stored value). A delegated save that leaves
 * the identity settings as they were keeps everything; one that changes them (or creates the
 * provider) marks them delegated and turns `linkExistingUsers` off.
 */
export function linkingAfterSave(
  before: { readonly settings: ProviderSettings; readonly linking: ProviderLinking } | undefined,
  after: ProviderSettings,
  saver: ProviderSaver,
  linkExistingUsers: boolean | undefined,
): ProviderLinking {
  return linkingAfterIdentitySave(
    before && { linking: before.linking, changed: identitySettingsChanged(before.settings, after) },
    saver,
    linkExistingUsers,
  );
}

/**
 * A SAML provider's identity settings: the IdP (its entity ID, where its metadata and sign-in
 * live, the certificates its assertions are trusted by) and which attributes name the user.
 */
export const SAML_IDENTITY_SETTINGS = [
  "idpEntityId",
  "idpSsoUrl",
  "idpMetadataUrl",
  "idpCertificates",
  "subjectAttribute",
  "emailAttribute",
] as const;

/** Whether replacing a SAML provider's `before` with `after` changes any identity setting (certificates as a set). */
export function samlIdentitySettingsChanged(before: SamlProviderSettings, after: SamlProviderSettings): boolean {
  const value = (settings: SamlProviderSettings, field: (typeof SAML_IDENTITY_SETTINGS)[number]) =>
    field === "idpCertificates" ? [...settings.idpCertificates].sort().join("\n") : (settings[field] ?? null);
  return SAML_IDENTITY_SETTINGS.some((field) => value(before, field) !== value(after, field));
}

/**
 * The linking after a save of either kind of provider, given whether it changed the identity
 * settings (`before` undefined: a new provider); see linkingAfterSave.
 */
export function linkingAfterIdentitySave(
  before: { readonly linking: ProviderLinking; readonly changed: boolean } | undefined,
  saver: ProviderSaver,
  linkExistingUsers: boolean | undefined,
): ProviderLinking {
  if (!saver.delegated) {
    return { identitySettingsSavedBy: "operator", linkExistingUsers: linkExistingUsers ?? before?.linking.linkExistingUsers ?? false };
  }
  if (before && !before.changed) return before.linking;
  return { identitySettingsSavedBy: "delegated", linkExistingUsers: false };
}
