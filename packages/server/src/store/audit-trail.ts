import type { AuditOutcome, ProviderOutcomes } from "../domain/audit.ts";
import { isoNow, newId } from "../domain/ids.ts";
import type { AuditTrail } from "../domain/ports/repositories.ts";
import type { Db } from "./database.ts";

/** The audit trail over SQL; ids sort in creation order, which the newest-first paging relies on. */
export function auditTrailRepository(db: Db): AuditTrail {
  return {
    async record(event) {
      await db
        .insertInto("audit_events")
        .values({
          id: newId(),
          created_at: isoNow(),
          org_id: event.orgId,
          user_id: event.userId,
          email: event.email,
          provider: event.provider,
          event: event.event,
          outcome: event.outcome,
          error: event.error,
          ip: event.ip,
        })
        .execute();
    },
    async page(orgId, limit, cursor) {
      let query = db
        .selectFrom("audit_events")
        .selectAll()
        .orderBy("id", "desc")
        .limit(limit + 1);
      query = orgId === null ? query.where("org_id", "is", null) : query.where("org_id", "=", orgId);
      if (cursor) query = query.where("id", "<", cursor);
      const rows = await query.execute();
      const records = rows.slice(0, limit).map((r) => ({
        id: r.id,
        createdAt: r.created_at,
        orgId: r.org_id,
        userId: r.user_id,
        email: r.email,
        provider: r.provider,
        event: r.event,
        outcome: r.outcome as AuditOutcome,
        error: r.error,
        ip: r.ip,
      }));
      return { records, nextCursor: rows.length > limit ? (records.at(-1)?.id ?? null) : null };
    },
    async providerOutcomes(orgId, provider, since) {
      const groups = await db
        .selectFrom("audit_events")
        .select(["outcome", "error"])
        .select((eb) => [eb.fn.countAll<string | number>().as("count"), eb.fn.max("created_at").as("last")])
        .where("org_id", "=", orgId)
        .where("provider", "=", provider)
        .where("event", "in", SIGN_IN_STEPS)
        .where("created_at", ">=", since)
        .groupBy(["outcome", "error"])
        .execute();
      const outcomes: { -readonly [K in keyof ProviderOutcomes]: ProviderOutcomes[K] } = {
        attempts: 0,
        successes: 0,
        failures: {},
        lastSuccessAt: null,
        lastFailure: null,
      };
      const failures: Record<string, number> = {};
      for (const group of groups) {
        const count = Number(group.count);
        outcomes.attempts += count;
        if (group.outcome === "success") {
          outcomes.successes += count;
          outcomes.lastSuccessAt = group.last;
        } else {
          const reason = group.error ?? "UNKNOWN";
          failures[reason] = (failures[reason] ?? 0) + count;
          if (outcomes.lastFailure === null || group.last > outcomes.lastFailure.at) outcomes.lastFailure = { reason, at: group.last };
        }
      }
      return { ...outcomes, failures };
    },
  };
}

/** The audited events that are sign-in steps through a provider. */
const SIGN_IN_STEPS = ["oauth.exchange", "authenticate"];
