/** `client.admin`'s OAuth providers of an organisation: save, read, list and delete them, the presets, and secret rotation. */
import type { RequestOptions } from "../http.ts";
import { readBody, type RequestBody, type ResponseBody } from "../wire.ts";
import { noBody, orgPath, providerPath } from "./resource.ts";
import { OrganisationAdmin } from "./organisations.ts";

/**
 * What an admin writes with {@link Admin.putProvider}: the contract's `GenericOAuthConfig` plus
 * this service's additions. With `issuer`, endpoints come from OpenID Connect discovery; secrets
 * are write-only (omit one to keep the stored one); `linkExistingUsers` is the operator's alone
 * (an organisation admin or a setup session sending it gets 403 `FORBIDDEN`); `preset` starts
 * from a preset (see {@link Admin.listProviderPresets}) that the other fields override.
 */
export type OAuthProviderSettingsInput = RequestBody<"PUT /api/v1/orgs/{orgId}/oauth-providers/{name}">;

/** How the service authenticates to the provider's token endpoint (RFC 6749 §2.3.1). */
export type TokenEndpointAuthMethod = NonNullable<OAuthProviderSettingsInput["tokenEndpointAuthMethod"]>;

/** A provider's stored settings, as returned (never the secret: `clientSecretSet`, `nextClientSecretSet` say whether one is stored). */
export type OAuthProviderSettings = ResponseBody<"GET /api/v1/orgs/{orgId}/oauth-providers/{name}">;

/** Who last saved a provider's identity settings: the operator, or a delegated admin (an organisation admin or a setup link). */
export type IdentitySettingsSavedBy = OAuthProviderSettings["identitySettingsSavedBy"];

/** A provider preset the service knows, with the options it takes. */
export type ProviderPreset = ResponseBody<"GET /api/v1/provider-presets">[number];

/** What {@link Admin.saveProvider} did: the saved settings, and whether the provider is new. */
export interface SavedProvider {
  provider: OAuthProviderSettings;
  /** `true` when the provider was created (HTTP 201), `false` when one of that name was replaced (200). */
  created: boolean;
  /**
   * Identity links the save dropped: a changed issuer, token endpoint or subject claim means the
   * provider's subjects name other accounts, so its users link again at their next sign-in.
   */
  identityLinksDropped: number;
}

type SavedWire = ResponseBody<"PUT /api/v1/orgs/{orgId}/oauth-providers/{name}">;
const readSaved = readBody<SavedWire>("PUT /api/v1/orgs/{orgId}/oauth-providers/{name}");
const readProvider = readBody<OAuthProviderSettings>("GET /api/v1/orgs/{orgId}/oauth-providers/{name}");

export class ProviderAdmin extends OrganisationAdmin {
  /** Creates or replaces a provider: `PUT /api/v1/orgs/{orgId}/oauth-providers/{name}`. The service validates the settings (and discovery) when saved. */
  putProvider(orgId: string, name: string, settings: OAuthProviderSettingsInput, options?: RequestOptions): Promise<OAuthProviderSettings> {
    return this.saveProvider(orgId, name, settings, options).then((saved) => saved.provider);
  }

  /** {@link Admin.putProvider}, also telling whether the provider was created or replaced (e.g. to say which to a person). */
  saveProvider(orgId: string, name: string, settings: OAuthProviderSettingsInput, options?: RequestOptions): Promise<SavedProvider> {
    return this.call({ method: "PUT", path: providerPath(orgId, name), body: settings, idempotent: true }, options, (raw) => {
      // The count is the save's, not the provider's: the provider is answered as getProvider reads it.
      const { identityLinksDropped, ...provider } = readSaved(raw);
      return { provider, created: raw.response.status === 201, identityLinksDropped };
    });
  }

  /** Reads a provider's settings: `GET /api/v1/orgs/{orgId}/oauth-providers/{name}`. */
  getProvider(orgId: string, name: string, options?: RequestOptions): Promise<OAuthProviderSettings> {
    return this.call({ method: "GET", path: providerPath(orgId, name), idempotent: true }, options, readProvider);
  }

  /** Lists the provider presets (Google, Entra ID, GitHub, …) and their options: `GET /api/v1/provider-presets`. */
  listProviderPresets(options?: RequestOptions): Promise<ProviderPreset[]> {
    return this.call(
      { method: "GET", path: "/api/v1/provider-presets", idempotent: true },
      options,
      readBody<ProviderPreset[]>("GET /api/v1/provider-presets"),
    );
  }

  /** Lists the organisation's providers: `GET /api/v1/orgs/{orgId}/oauth-providers`. */
  listProviders(orgId: string, options?: RequestOptions): Promise<OAuthProviderSettings[]> {
    return this.call(
      { method: "GET", path: `${orgPath(orgId)}/oauth-providers`, idempotent: true },
      options,
      readBody<OAuthProviderSettings[]>("GET /api/v1/orgs/{orgId}/oauth-providers"),
    );
  }

  /** Deletes a provider: `DELETE /api/v1/orgs/{orgId}/oauth-providers/{name}`. */
  async deleteProvider(orgId: string, name: string, options?: RequestOptions): Promise<void> {
    await this.call({ method: "DELETE", path: providerPath(orgId, name), idempotent: true }, options, noBody);
  }

  /**
   * Ends a client-secret rotation: the `nextClientSecret` saved with the settings becomes the
   * current secret and the old one is forgotten:
   * `POST /api/v1/orgs/{orgId}/oauth-providers/{name}/promote-secret`. Not retried: a replay
   * after it worked would answer 409.
   *
   * @throws {PipeshubDefaultError} 409 `CONFLICT` (no next secret stored), 404 `NOT_FOUND`.
   */
  promoteProviderSecret(orgId: string, name: string, options?: RequestOptions): Promise<OAuthProviderSettings> {
    return this.call(
      { method: "POST", path: `${providerPath(orgId, name)}/promote-secret`, idempotent: false },
      options,
      readBody<OAuthProviderSettings>("POST /api/v1/orgs/{orgId}/oauth-providers/{name}/promote-secret"),
    );
  }
}
