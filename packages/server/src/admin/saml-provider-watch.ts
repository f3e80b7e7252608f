import type { AuditTrail, ProviderWatchRepository } from "../domain/ports/repositories.ts";
import type { SamlProviderRepository } from "../domain/ports/saml-providers.ts";
import { diffSnapshots, type ProviderEvent, type ProviderSnapshot } from "../domain/provider-watch.ts";
import { MAX_IDP_CERTIFICATES } from "../domain/saml-provider-input.ts";
import { certificateView, daysToExpiry, fingerprintOf } from "../domain/saml-certificates.ts";
import type { SamlProviderSettings } from "../domain/saml-provider.ts";
import { fetchIdpMetadata } from "../oauth/idp-metadata.ts";
import type { OutboundFetch } from "../oauth/outbound.ts";
import { type IdpMetadata, readIdpMetadata } from "../saml/metadata.ts";
import type { WatchRound } from "./provider-watch.ts";

/** Days before a certificate expires at which the watch records `provider.certificate_expiring`, once each. */
export const EXPIRY_ALERT_DAYS = [30, 7, 1] as const;

export interface SamlWatchDeps {
  readonly samlProviders: Pick<SamlProviderRepository, "listEverywhere" | "configured" | "updateIdp">;
  readonly providerWatch: ProviderWatchRepository;
  readonly outbound: OutboundFetch;
  readonly audit: Pick<AuditTrail, "record">;
  readonly now?: () => Date;
  /** Told of every change found, after it is recorded (metrics, webhook). */
  onChange?(event: ProviderEvent): Promise<void> | void;
}

/**
 * A SAML provider as the watch compares it, in the provider watch's terms (so its events read
 * like an OAuth provider's): the issuer is the IdP's entity ID, the authorization endpoint its
 * SSO URL, the keys its signing certificates' fingerprints. `alerts` remembers the expiry alerts
 * already recorded (`<fingerprint> <days>`).
 */
type SamlSnapshot = ProviderSnapshot & { readonly alerts?: readonly string[] };

function snapshotOf(
  idp: { entityId: string; ssoUrl: string; certificates: readonly string[]; signingAlgorithms?: readonly string[] },
  alerts: readonly string[],
): SamlSnapshot {
  return {
    issuer: idp.entityId,
    authorizationEndpoint: idp.ssoUrl,
    tokenEndpoint: null,
    userinfoEndpoint: null,
    jwksUri: null,
    algorithms: [...(idp.signingAlgorithms ?? [])].sort(),
    keys: idp.certificates.map(fingerprintOf).sort(),
    alerts,
  };
}

/** The stored certificates with the newly published ones beside them (a rollover); expired ones that are no longer published go. */
function withPublished(stored: readonly string[], metadata: IdpMetadata, now: Date): string[] {
  const published = new Set(metadata.certificates.map(fingerprintOf));
  const known = new Set(stored.map(fingerprintOf));
  const kept = stored.filter((pem) => published.has(fingerprintOf(pem)) || daysToExpiry(pem, now) >= 0);
  const added = metadata.certificates.filter((pem) => !known.has(fingerprintOf(pem)));
  return [...kept, ...added].slice(-MAX_IDP_CERTIFICATES);
}

/** The expiry alerts due now that were not recorded yet: the smallest threshold each certificate is within. */
function dueAlerts(certificates: readonly string[], recorded: readonly string[], now: Date) {
  return certificates.flatMap((pem) => {
    const days = daysToExpiry(pem, now);
    const threshold = [...EXPIRY_ALERT_DAYS].reverse().find((t) => days >= 0 && days < t);
    const key = threshold === undefined ? undefined : `${fingerprintOf(pem)} ${threshold}`;
    return key && !recorded.includes(key) ? [{ key, pem, days }] : [];
  });
}

/**
 * One round of the watch over SAML providers with a metadata URL: re-reads the metadata, records
 * `provider.changed` when the entity ID, SSO URL or certificates differ from the last reading (the
 * stored settings, the first time), stores a newly published certificate beside the old ones so a
 * rollover needs nobody, and records `provider.certificate_expiring` in the audit trail when a
 * stored certificate comes within 30, 7 and 1 days of expiry (once each). Another entity ID or SSO
 * URL is only recorded: they are identity settings, changed by an admin's save.
 */
export async function watchSamlProvidersOnce(deps: SamlWatchDeps): Promise<WatchRound> {
  const now = deps.now?.() ?? new Date();
  let checked = 0;
  let changed = 0;
  const unreadable: { orgId: string; provider: string; reason: string }[] = [];
  for (const { orgId, provider: view } of await deps.samlProviders.listEverywhere()) {
    const name = view.providerName;
    const provider = await deps.samlProviders.configured(orgId, name);
    if (!provider) continue;
    const stored: SamlProviderSettings = provider.settings;
    const last = (await deps.providerWatch.lastSnapshot(orgId, name)) as SamlSnapshot | undefined;
    // The first time, the baseline is what was read when the provider was saved.
    const before = last ?? snapshotOf({ entityId: stored.idpEntityId, ssoUrl: stored.idpSsoUrl, certificates: stored.idpCertificates }, []);
    const recorded = before.alerts ?? [];
    let metadata: IdpMetadata | undefined;
    if (stored.idpMetadataUrl !== undefined) {
      const fetched = await fetchIdpMetadata(deps.outbound, name, stored.idpMetadataUrl);
      const read = fetched.ok ? readIdpMetadata(fetched.value) : fetched;
      if (!read.ok) unreadable.push({ orgId, provider: name, reason: read.error });
      else metadata = read.value;
    }
    let certificates = stored.idpCertificates;
    if (metadata) {
      checked++;
      const next = withPublished(stored.idpCertificates, metadata, now);
      if (next.map(fingerprintOf).join() !== stored.idpCertificates.map(fingerprintOf).join()) {
        if (await deps.samlProviders.updateIdp(orgId, name, stored, { ...stored, idpCertificates: next })) certificates = next;
      }
    }
    const alerts = dueAlerts(certificates, recorded, now);
    for (const alert of alerts) {
      const { fingerprintSha256, notAfter } = certificateView(alert.pem);
      await deps.audit.record({
        orgId,
        userId: null,
        email: null,
        provider: name,
        event: "provider.certificate_expiring",
        outcome: "failure",
        error: null,
        ip: null,
        actor: "provider-watch",
        changes: [{ field: "idpCertificate", before: fingerprintSha256, after: `expires ${notAfter} (in ${alert.days} days)` }],
      });
    }
    const alertsNow = [...recorded, ...alerts.map((a) => a.key)];
    // Unreadable this round: what was read last stays the baseline.
    const reading = metadata ? snapshotOf(metadata, alertsNow) : { ...before, alerts: alertsNow };
    // Algorithms are not stored with the settings: the first reading's are no change.
    const changes = metadata ? diffSnapshots(last ? before : { ...before, algorithms: reading.algorithms }, reading) : [];
    if (changes.length > 0) {
      changed++;
      const event = await deps.providerWatch.recordChange(orgId, name, changes);
      await deps.onChange?.(event);
    }
    if (!last || changes.length > 0 || alerts.length > 0) await deps.providerWatch.saveSnapshot(orgId, name, reading);
  }
  return { checked, changed, unreadable };
}
