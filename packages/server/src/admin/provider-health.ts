import type { OutcomePrecision, OutcomesInPeriod, ProviderOutcomes } from "../domain/audit.ts";
import { fixFor } from "../domain/failure-fixes.ts";
import { type Result, success } from "../domain/failures.ts";
import type { AuditTrail, ProviderRepository } from "../domain/ports/repositories.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";
import { noSuchProvider } from "./providers.ts";

/** The windows a provider's health is read over. */
export const HEALTH_WINDOWS = { "1h": 3600, "24h": 86_400, "7d": 7 * 86_400 } as const;
export type HealthWindow = keyof typeof HEALTH_WINDOWS;

/**
 * Each window's series: buckets of `seconds`, aligned to UTC multiples of it, folded from the
 * attempts by the minute or hour (`precision`, which divides every bucket).
 */
const SERIES: { readonly [W in HealthWindow]: { readonly seconds: number; readonly precision: OutcomePrecision } } = {
  "1h": { seconds: 300, precision: "minute" },
  "24h": { seconds: 3600, precision: "hour" },
  "7d": { seconds: 6 * 3600, precision: "hour" },
};

export interface ProviderHealthDeps extends OrganisationAdministration {
  readonly audit: Pick<AuditTrail, "providerOutcomes">;
  readonly providers: Pick<ProviderRepository, "view">;
}

/** The attempts of one bucket of the window. */
export interface HealthBucket {
  /** The bucket's start (ISO 8601, UTC); it lasts `bucketSeconds`. */
  readonly start: string;
  readonly attempts: number;
  readonly successes: number;
  /** attempts − successes. */
  readonly failures: number;
}

export interface ProviderHealth extends Omit<ProviderOutcomes, "lastFailure" | "timeline"> {
  readonly window: HealthWindow;
  readonly since: string;
  readonly lastFailure: { readonly reason: string; readonly at: string; readonly fix?: string } | null;
  readonly bucketSeconds: number;
  /** From the bucket holding `since` to the one holding now, every one present, oldest first. */
  readonly series: readonly HealthBucket[];
}

/** How sign-ins through one provider went over the last `window`, failures by reason with what to do about the last one, and over time. */
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
  const start = now - HEALTH_WINDOWS[window] * 1000;
  const since = new Date(start).toISOString();
  const { seconds, precision } = SERIES[window];
  const { timeline, ...outcomes } = await deps.audit.providerOutcomes(org.value.id, name, since, precision);
  const last = outcomes.lastFailure;
  const fix = last && fixFor(last.reason);
  return success({
    window,
    since,
    ...outcomes,
    lastFailure: last && { ...last, ...(fix && { fix }) },
    bucketSeconds: seconds,
    series: series(timeline, start, now, seconds),
  });
}

/**
 * The buckets from the one holding `start` to the one holding `now` (epoch milliseconds), zeros
 * where nothing was recorded. A period stamped after `now` (by an instance whose clock runs
 * ahead) counts in the last bucket, so the series always adds up to the totals.
 */
function series(timeline: readonly OutcomesInPeriod[], start: number, now: number, bucketSeconds: number): HealthBucket[] {
  const size = bucketSeconds * 1000;
  const first = Math.floor(start / size);
  const last = Math.floor(now / size);
  const counts = Array.from({ length: last - first + 1 }, () => ({ attempts: 0, successes: 0 }));
  for (const period of timeline) {
    const bucket = counts[Math.min(Math.max(Math.floor(Date.parse(period.start) / size), first), last) - first]!;
    bucket.attempts += period.attempts;
    bucket.successes += period.successes;
  }
  return counts.map(({ attempts, successes }, i) => ({
    start: new Date((first + i) * size).toISOString(),
    attempts,
    successes,
    failures: attempts - successes,
  }));
}
