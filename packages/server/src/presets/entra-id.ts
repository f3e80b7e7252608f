import { type Result, success } from "../domain/failures.ts";
import type { ProviderSettingsInput } from "../domain/provider-settings.ts";
import { clientSettings, type PresetClient, type PresetDefinition, presetInvalid } from "./common.ts";

export interface EntraIdPresetOptions extends PresetClient {
  /** The directory (tenant) ID, a GUID: Overview page of the Entra admin center. */
  readonly tenant: string;
}

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MULTI_TENANT = new Set(["common", "organizations", "consumers"]);

/**
 * Microsoft Entra ID (Azure AD), one tenant, over OpenID Connect v2.0: issuer
 * `https://login.microsoftonline.com/{tenant}/v2.0`.
 *
 * - **tenant** must be the tenant ID (a GUID). The multi-tenant endpoints (`common`,
 *   `organizations`, `consumers`) publish a templated issuer (`…/{tenantid}/v2.0`) that no ID token
 *   carries, and a domain name (`contoso.onmicrosoft.com`) discovers an issuer naming the GUID, so
 *   both would fail the issuer pinning; one organisation's people sign in through its own tenant.
 * - **Subject: `oid`**, the user's object ID in the tenant: stable for the life of the account and
 *   the same for every application. Entra's `sub` is pairwise (per application) and its
 *   `email`/`preferred_username`/`upn` can be changed by an administrator, so they never identify
 *   the account. `oid` is in the ID token when the `profile` scope is requested.
 * - **Email verification: `xms_edov`.** Entra sends no `email_verified`; its `email` claim is the
 *   user's mail attribute, which a tenant administrator can set to any address. The optional
 *   claim `xms_edov` ("email domain owner verified") is true when the email's domain is a
 *   verified domain of the tenant, so this preset accepts the email only with `xms_edov: true`
 *   instead of trusting it blindly (`trustEmail`). In the app registration, add the optional
 *   claims `email` and `xms_edov` to the ID token (Token configuration → Add optional claim → ID).
 *   Without them sign-in fails closed (`EMAIL_MISMATCH` / `EMAIL_NOT_VERIFIED`). Where every
 *   address in the tenant is trusted anyway, `trustEmail: true` overrides this; identity stays
 *   bound to `oid` either way, so the email only matters for the first sign-in's link.
 */
export function entraId(options: EntraIdPresetOptions): Result<ProviderSettingsInput> {
  const base = clientSettings("entra-id", options);
  if (!base.ok) return base;
  const tenant = options.tenant?.trim() ?? "";
  if (tenant === "")
    return presetInvalid("entra-id", 'tenant is required: the directory (tenant) ID, e.g. "7d3c6c8e-1b2a-4f5e-9c0d-2a1b3c4d5e6f"');
  if (MULTI_TENANT.has(tenant.toLowerCase())) {
    return presetInvalid(
      "entra-id",
      `tenant "${tenant}" is a multi-tenant endpoint whose ID tokens cannot be pinned to one issuer; give the organisation's tenant ID (a GUID)`,
    );
  }
  if (!TENANT_ID.test(tenant))
    return presetInvalid(
      "entra-id",
      "tenant must be the directory (tenant) ID, a GUID (a domain name discovers an issuer naming the GUID, which would not match)",
    );
  return success({
    ...base.value,
    issuer: `https://login.microsoftonline.com/${tenant.toLowerCase()}/v2.0`,
    scope: "openid profile email",
    subjectClaim: "oid",
    emailVerifiedClaim: "xms_edov",
  });
}

export const entraIdPreset: PresetDefinition = {
  name: "entra-id",
  title: "Microsoft Entra ID",
  description:
    "Microsoft Entra ID (Azure AD), one tenant: users keyed by their object ID (oid); the email is accepted when xms_edov says its domain is verified (add the email and xms_edov optional claims).",
  options: [
    { name: "tenant", required: true, description: "Directory (tenant) ID, a GUID", example: "7d3c6c8e-1b2a-4f5e-9c0d-2a1b3c4d5e6f" },
  ],
  build: (options, client) => entraId({ ...client, tenant: options.tenant ?? "" }),
};
