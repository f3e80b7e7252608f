import type { Result } from "../failures.ts";
import type { ProviderLinking } from "../provider-linking.ts";
import type { ConfiguredSamlProvider, SamlProviderSettings, SamlProviderView, ServiceProviderKey } from "../saml-provider.ts";

/** What a SAML provider write keeps of what was there: decided by the administration, applied atomically by storage. */
export interface SamlProviderReplacement {
  /** Given the settings being replaced: whether the provider's identity links still mean the same accounts. */
  identityLinksSurvive(before: SamlProviderSettings): boolean;
  /** Given what is being replaced (undefined: a new provider): which existing users the provider may link after the write. */
  linking(before: { readonly settings: SamlProviderSettings; readonly linking: ProviderLinking } | undefined): ProviderLinking;
  /**
   * The SP key to store when the provider has none (made by the caller, since it is slow and
   * storage makes no keys): a stored key is kept, so the IdP's copy of its certificate stays good.
   */
  readonly spKey?: () => ServiceProviderKey;
}

/**
 * An organisation's SAML providers, by name: rows of the same table as the OAuth providers
 * (one namespace of names), each with its SP key's private half sealed. `publicUrl` makes the SP endpoints of the views.
 */
export interface SamlProviderRepository {
  /**
   * Creates or replaces a SAML provider; on a replace the identity links are dropped in the same
   * transaction unless `replacement` says they survive. PROVIDER_NAME_TAKEN when the name is an OAuth provider's.
   */
  put(
    orgId: string,
    settings: SamlProviderSettings,
    replacement: SamlProviderReplacement,
  ): Promise<Result<{ view: SamlProviderView; created: boolean; identityLinksDropped: number }>>;
  view(orgId: string, name: string): Promise<SamlProviderView | undefined>;
  /** The organisation's SAML providers, by name. */
  list(orgId: string): Promise<SamlProviderView[]>;
  /** Every organisation's SAML providers, by organisation and name (the watch's rounds). */
  listEverywhere(): Promise<{ readonly orgId: string; readonly provider: SamlProviderView }[]>;
  /** Removes a SAML provider (never an OAuth one of the same name); false when there is none. */
  remove(orgId: string, name: string): Promise<boolean>;
  /** The provider as the sign-in needs it, its SP key opened. */
  configured(orgId: string, name: string): Promise<ConfiguredSamlProvider | undefined>;
  /** Whether the organisation has a provider of the other kind (OAuth) by this name. */
  protocolOf(orgId: string, name: string): Promise<"oauth" | "saml" | undefined>;
  /**
   * Replaces the IdP's values the watch re-read from the metadata URL, if the settings are still
   * those it read from (`expected`, compared as stored): false when they changed meanwhile or the provider went.
   */
  updateIdp(orgId: string, name: string, expected: SamlProviderSettings, after: SamlProviderSettings): Promise<boolean>;
}
