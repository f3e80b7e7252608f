import { type Result, success } from "../domain/failures.ts";
import type { ProviderRepository, ProviderWatchRepository } from "../domain/ports/repositories.ts";
import type { ProviderSettings } from "../domain/provider-settings.ts";
import { diffSnapshots, type ProviderEvent, type ProviderSnapshot } from "../domain/provider-watch.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";

export interface ProviderWatchDeps {
  readonly providers: Pick<ProviderRepository, "listEverywhere">;
  readonly providerWatch: ProviderWatchRepository;
  /** Reads what the provider serves now (oauth/provider-documents.ts). */
  readSnapshot(settings: ProviderSettings): Promise<Result<ProviderSnapshot>>;
  /** Told of every change found, after it is recorded (metrics, webhook). */
  onChange?(event: ProviderEvent): Promise<void> | void;
}

export interface WatchRound {
  readonly checked: number;
  readonly changed: number;
  /** Providers that could not be read this round (nothing is recorded for them). */
  readonly unreadable: readonly { orgId: string; provider: string; reason: string }[];
}

/**
 * One round of the provider watch: re-reads every provider's discovery document and keys and
 * records what changed since the last round as a `provider.changed` event. The first reading of
 * a provider is its baseline, not a change; a provider that cannot be read keeps its baseline.
 */
export async function watchProvidersOnce(deps: ProviderWatchDeps): Promise<WatchRound> {
  let checked = 0;
  let changed = 0;
  const unreadable: { orgId: string; provider: string; reason: string }[] = [];
  for (const { orgId, provider } of await deps.providers.listEverywhere()) {
    const name = provider.providerName;
    const now = await deps.readSnapshot(provider);
    if (!now.ok) {
      unreadable.push({ orgId, provider: name, reason: now.error });
      continue;
    }
    checked++;
    const before = await deps.providerWatch.lastSnapshot(orgId, name);
    const changes = before ? diffSnapshots(before, now.value) : [];
    if (changes.length > 0) {
      changed++;
      const event = await deps.providerWatch.recordChange(orgId, name, changes);
      await deps.onChange?.(event);
    }
    if (!before || changes.length > 0) await deps.providerWatch.saveSnapshot(orgId, name, now.value);
  }
  return { checked, changed, unreadable };
}

/** The most events a page holds. */
export const MAX_EVENTS = 200;

/** The organisation's provider events, newest first. */
export async function providerEvents(
  deps: OrganisationAdministration & { readonly providerWatch: Pick<ProviderWatchRepository, "events"> },
  orgId: string,
  limit: number,
): Promise<Result<{ events: ProviderEvent[] }>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  return success({ events: await deps.providerWatch.events(org.value.id, Math.min(limit, MAX_EVENTS)) });
}
