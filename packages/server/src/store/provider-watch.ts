import { isoNow, newId } from "../domain/ids.ts";
import type { ProviderWatchRepository } from "../domain/ports/repositories.ts";
import type { ProviderChange, ProviderEvent, ProviderSnapshot } from "../domain/provider-watch.ts";
import type { Db } from "./database.ts";

/** The provider watch's snapshots and events over SQL. */
export function providerWatchRepository(db: Db): ProviderWatchRepository {
  return {
    async lastSnapshot(orgId, provider) {
      const row = await db
        .selectFrom("provider_snapshots")
        .select("snapshot")
        .where("org_id", "=", orgId)
        .where("provider", "=", provider)
        .executeTakeFirst();
      return row && (JSON.parse(row.snapshot) as ProviderSnapshot);
    },
    async saveSnapshot(orgId, provider, snapshot) {
      const values = { org_id: orgId, provider, snapshot: JSON.stringify(snapshot), taken_at: isoNow() };
      await db
        .insertInto("provider_snapshots")
        .values(values)
        .onConflict((oc) => oc.columns(["org_id", "provider"]).doUpdateSet({ snapshot: values.snapshot, taken_at: values.taken_at }))
        .execute();
    },
    async recordChange(orgId, provider, changes) {
      const event: ProviderEvent = { id: newId(), type: "provider.changed", orgId, provider, changes, at: isoNow() };
      await db
        .insertInto("provider_events")
        .values({ id: event.id, org_id: orgId, provider, type: event.type, changes: JSON.stringify(changes), created_at: event.at })
        .execute();
      return event;
    },
    async events(orgId, limit) {
      const rows = await db
        .selectFrom("provider_events")
        .selectAll()
        .where("org_id", "=", orgId)
        .orderBy("id", "desc")
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        type: "provider.changed" as const,
        orgId: r.org_id,
        provider: r.provider,
        changes: JSON.parse(r.changes) as ProviderChange[],
        at: r.created_at,
      }));
    },
  };
}
