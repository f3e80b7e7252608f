import type { ProviderOutcomes } from "../domain/audit.ts";
import { fixFor } from "../domain/failure-fixes.ts";
import { type Result, success } from "../domain/failures.ts";
import type { AuditTrail, ProviderRepository } from "../domain/ports/repositories.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";
import { noSuchProvider } from "./providers.ts";

/** The windows a provider's health is read over. */
export const HEALTH_WINDOWS = { "1h": 3600, "24h": 86_400, "7d": 7 * 86_400 } as const;
export type HealthWindow = keyof typeof HEALTH_WINDOWS;

export interface ProviderHealthDeps extends OrganisationAdministration {
  readonly audit: Pick<AuditTrail, "providerOutcomes">;
  readonly providers: Pick<ProviderRepository, "view">;
}

export interface ProviderHealth extends Omit<ProviderOutcomes, "lastFailure"> {
  readonly window: HealthWindow;
  readonly since: string;
  readonly lastFailure: { readonly reason: string; readonly at: string; readonly fix?: string } | null;
}

/** How sign-ins through one provider went over the last `window`, failures by reason with what to do about the last one. */
export async function providerHealth(
  deps: ProviderHealthDeps,
  orgId: string,
  name: string,
  window: HealthWindow,
  now = Date.now(),
): Promise<Result<ProviderHealth>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  if (!(await deps.providers.view(org.value.id, name))) return noSuchProvider(name);
  const since = new Date(now - HEALTH_WINDOWS[window] * 1000).toISOString();
  const outcomes = await deps.audit.providerOutcomes(org.value.id, name, since);
  const last = outcomes.lastFailure;
  const fix = last && fixFor(last.reason);
  return success({ window, since, ...outcomes, lastFailure: last && { ...last, ...(fix && { fix }) } });
}
