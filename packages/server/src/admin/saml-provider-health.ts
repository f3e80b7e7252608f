import type { Result } from "../domain/failures.ts";
import type { SamlProviderRepository } from "../domain/ports/saml-providers.ts";
import type { ProviderView } from "../domain/provider-settings.ts";
import { type HealthWindow, type ProviderHealth, providerHealth, type ProviderHealthDeps } from "./provider-health.ts";

/** What a SAML provider's health needs: the audit trail (by provider name, as for OAuth providers) and the SAML providers. */
export interface SamlProviderHealthDeps extends Omit<ProviderHealthDeps, "providers"> {
  readonly samlProviders: Pick<SamlProviderRepository, "view">;
}

/** How sign-ins through a SAML provider went: the same audit records, by name, as an OAuth provider's health reads. */
export async function samlProviderHealth(
  deps: SamlProviderHealthDeps,
  orgId: string,
  name: string,
  window: HealthWindow,
  now = Date.now(),
): Promise<Result<ProviderHealth>> {
  // Only whether it exists is read: the provider's name is what the audit records carry.
  const exists = { view: async (o: string, n: string) => ((await deps.samlProviders.view(o, n)) ? ({} as ProviderView) : undefined) };
  return providerHealth({ ...deps, providers: exists }, orgId, name, window, now);
}
