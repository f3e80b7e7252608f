/** `client.admin`'s SAML 2.0 providers of an organisation: save, read, list and delete them, their presets, doctor and health. */
import type { RequestOptions } from "../http.ts";
import { segment } from "../http.ts";
import { readBody, type RequestBody, type ResponseBody } from "../wire.ts";
import { ScimAdmin } from "./scim.ts";
import type { HealthWindow, ProviderDoctorReport, ProviderHealth } from "./provider-checks.ts";
import { noBody, orgPath } from "./resource.ts";

/**
 * What an admin writes with {@link Admin.putSamlProvider}: the IdP's values one way —
 * `idpMetadataUrl`, `idpMetadataXml`, or `idpEntityId` + `idpSsoUrl` + `idpCertificates` (PEM) —
 * plus `redirectUris`, `enableJit` and the optional attribute names, clock skew and switches.
 */
export type SamlProviderSettingsInput = RequestBody<"PUT /api/v1/orgs/{orgId}/saml-providers/{name}">;

/** A SAML provider as stored: the IdP's values (certificates by fingerprint and expiry) and the SP values to register at the IdP. */
export type SamlProviderSettings = ResponseBody<"GET /api/v1/orgs/{orgId}/saml-providers/{name}">;

/** A SAML preset: which value to copy where at that IdP. */
export type SamlProviderPreset = ResponseBody<"GET /api/v1/saml-provider-presets">[number];

/** What {@link Admin.saveSamlProvider} did: the saved provider, whether it is new, and the identity links the save dropped. */
export interface SavedSamlProvider {
  provider: SamlProviderSettings;
  created: boolean;
  /** Another IdP entity ID (or subject attribute) means other accounts: those users link again at their next sign-in. */
  identityLinksDropped: number;
}

const samlPath = (orgId: string, name: string) => `${orgPath(orgId)}/saml-providers/${segment(name)}`;
const readSaved = readBody<ResponseBody<"PUT /api/v1/orgs/{orgId}/saml-providers/{name}">>(
  "PUT /api/v1/orgs/{orgId}/saml-providers/{name}",
);

export class SamlProviderAdmin extends ScimAdmin {
  /**
   * Creates or replaces a SAML provider: `PUT /api/v1/orgs/{orgId}/saml-providers/{name}`. The
   * service reads the metadata and validates everything when saved.
   *
   * @throws {PipeshubDefaultError} 400 `INVALID_PROVIDER_SETTINGS` (the message names the field), 409 `PROVIDER_NAME_TAKEN` (an OAuth provider has the name).
   */
  putSamlProvider(
    orgId: string,
    name: string,
    settings: SamlProviderSettingsInput,
    options?: RequestOptions,
  ): Promise<SamlProviderSettings> {
    return this.saveSamlProvider(orgId, name, settings, options).then((saved) => saved.provider);
  }

  /** {@link Admin.putSamlProvider}, also telling whether the provider was created and how many identity links the save dropped. */
  saveSamlProvider(orgId: string, name: string, settings: SamlProviderSettingsInput, options?: RequestOptions): Promise<SavedSamlProvider> {
    return this.call({ method: "PUT", path: samlPath(orgId, name), body: settings, idempotent: true }, options, (raw) => {
      const { identityLinksDropped, ...provider } = readSaved(raw);
      return { provider, created: raw.response.status === 201, identityLinksDropped };
    });
  }

  /** Reads a SAML provider: `GET /api/v1/orgs/{orgId}/saml-providers/{name}`. */
  getSamlProvider(orgId: string, name: string, options?: RequestOptions): Promise<SamlProviderSettings> {
    return this.call(
      { method: "GET", path: samlPath(orgId, name), idempotent: true },
      options,
      readBody<SamlProviderSettings>("GET /api/v1/orgs/{orgId}/saml-providers/{name}"),
    );
  }

  /** Lists the organisation's SAML providers: `GET /api/v1/orgs/{orgId}/saml-providers`. */
  listSamlProviders(orgId: string, options?: RequestOptions): Promise<SamlProviderSettings[]> {
    return this.call(
      { method: "GET", path: `${orgPath(orgId)}/saml-providers`, idempotent: true },
      options,
      readBody<SamlProviderSettings[]>("GET /api/v1/orgs/{orgId}/saml-providers"),
    );
  }

  /** Deletes a SAML provider: `DELETE /api/v1/orgs/{orgId}/saml-providers/{name}`. */
  async deleteSamlProvider(orgId: string, name: string, options?: RequestOptions): Promise<void> {
    await this.call({ method: "DELETE", path: samlPath(orgId, name), idempotent: true }, options, noBody);
  }

  /** The SAML presets (Entra ID, Okta, Google Workspace, AD FS): which value to copy where: `GET /api/v1/saml-provider-presets`. */
  listSamlProviderPresets(options?: RequestOptions): Promise<SamlProviderPreset[]> {
    return this.call(
      { method: "GET", path: "/api/v1/saml-provider-presets", idempotent: true },
      options,
      readBody<SamlProviderPreset[]>("GET /api/v1/saml-provider-presets"),
    );
  }

  /**
   * Examines a SAML provider now: its metadata, entity ID, SSO URL, each certificate's days to
   * expiry, the signature algorithm and the SP values the IdP needs:
   * `POST /api/v1/orgs/{orgId}/saml-providers/{name}/doctor`. Changes nothing, so it is retried like a read.
   */
  doctorSamlProvider(orgId: string, name: string, options?: RequestOptions): Promise<ProviderDoctorReport> {
    return this.call(
      { method: "POST", path: `${samlPath(orgId, name)}/doctor`, idempotent: true },
      options,
      readBody<ProviderDoctorReport>("POST /api/v1/orgs/{orgId}/saml-providers/{name}/doctor"),
    );
  }

  /** How sign-ins through a SAML provider went: `GET /api/v1/orgs/{orgId}/saml-providers/{name}/health?window=`. */
  getSamlProviderHealth(orgId: string, name: string, window?: HealthWindow, options?: RequestOptions): Promise<ProviderHealth> {
    return this.call(
      { method: "GET", path: `${samlPath(orgId, name)}/health`, query: { window }, idempotent: true },
      options,
      readBody<ProviderHealth>("GET /api/v1/orgs/{orgId}/saml-providers/{name}/health"),
    );
  }

  /**
   * Starts a test sign-in at a SAML provider (ForceAuthn): `POST /api/v1/orgs/{orgId}/saml-providers/{name}/test-signin`.
   * Send a browser to `authorizationUrl`; the ACS sends it to `redirectUri` with a code and the state, for `completeTestSignIn`.
   */
  startSamlTestSignIn(
    orgId: string,
    name: string,
    request: RequestBody<"POST /api/v1/orgs/{orgId}/saml-providers/{name}/test-signin"> = {},
    options?: RequestOptions,
  ): Promise<ResponseBody<"POST /api/v1/orgs/{orgId}/saml-providers/{name}/test-signin">> {
    return this.call(
      { method: "POST", path: `${samlPath(orgId, name)}/test-signin`, body: request, idempotent: false },
      options,
      readBody<ResponseBody<"POST /api/v1/orgs/{orgId}/saml-providers/{name}/test-signin">>(
        "POST /api/v1/orgs/{orgId}/saml-providers/{name}/test-signin",
      ),
    );
  }
}
