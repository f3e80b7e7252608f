import { type CompiledQuery, sql } from "kysely";
import type { AuditChange, AuditEvent, AuditOutcome, ProviderOutcomes } from "../domain/audit.ts";
import { firstIdAt, newId } from "../domain/ids.ts";
import type { AuditTrail } from "../domain/ports/repositories.ts";
import { compiledOnce } from "./compiled.ts";
import type { Db } from "./database.ts";
import type { AuditTable } from "./schema.ts";

/** Most rows one write carries (14 parameters each: well under either engine's limit; a compiled statement per size). */
const MAX_BATCH = 64;

const COLUMNS = [
  "id",
  "created_at",
  "org_id",
  "user_id",
  "email",
  "provider",
  "event",
  "outcome",
  "error",
  "ip",
  "actor",
  "changes",
  "sign_in",
  "redirect_uri",
] as const;
const rowOf = (values: readonly string[]) => Object.fromEntries(COLUMNS.map((c, i) => [c, values[i]])) as unknown as AuditTable;

function auditRow(event: AuditEvent): AuditTable {
  // One clock reading for both: the id is never earlier than created_at, which the windows' id range relies on.
  const now = Date.now();
  return {
    id: newId(now),
    created_at: new Date(now).toISOString(),
    org_id: event.orgId,
    user_id: event.userId,
    email: event.email,
    provider: event.provider,
    event: event.event,
    outcome: event.outcome,
    error: event.error,
    ip: event.ip,
    actor: event.actor ?? null,
    changes: event.changes ? JSON.stringify(event.changes) : null,
    sign_in: event.signIn ?? null,
    redirect_uri: event.redirectUri ?? null,
  };
}

/** The audit trail over SQL; ids sort in creation order, which the newest-first paging relies on. */
export function auditTrailRepository(db: Db): AuditTrail {
  // One statement per batch size, built and compiled once (Kysely would build each batch's afresh).
  const inserts = new Map<number, (...values: string[]) => CompiledQuery>();
  const insertRows = (rows: readonly AuditTable[]) => {
    let insert = inserts.get(rows.length);
    if (!insert) {
      const n = rows.length;
      insert = compiledOnce(
        (...values: string[]) =>
          db
            .insertInto("audit_events")
            .values(Array.from({ length: n }, (_, r) => rowOf(values.slice(r * COLUMNS.length, (r + 1) * COLUMNS.length)))),
        n * COLUMNS.length,
      );
      inserts.set(n, insert);
    }
    return insert(...(rows.flatMap((row) => COLUMNS.map((c) => row[c])) as string[]));
  };
  // Records arriving in one tick are written together, in one statement (one commit); each
  // caller still waits for its row, and a failed write fails every caller it carried.
  const pending: { row: AuditTable; written: () => void; failed: (error: unknown) => void }[] = [];
  const flush = () => {
    const batch = pending.splice(0, MAX_BATCH);
    if (pending.length > 0) setImmediate(flush);
    const rows = batch.map((b) => b.row);
    const write = db.executeQuery(insertRows(rows));
    write.then(
      () => batch.forEach((b) => b.written()),
      (error: unknown) => batch.forEach((b) => b.failed(error)),
    );
  };
  return {
    record(event) {
      return new Promise<void>((written, failed) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ row: auditRow(event), written, failed });
      });
    },
    async page(orgId, limit, cursor, filter = {}) {
      let query = db
        .selectFrom("audit_events")
        .selectAll()
        .orderBy("id", "desc")
        .limit(limit + 1);
      query = orgId === null ? query.where("org_id", "is", null) : query.where("org_id", "=", orgId);
      if (cursor) query = query.where("id", "<", cursor);
      if (filter.outcome) query = query.where("outcome", "=", filter.outcome);
      if (filter.provider) query = query.where("provider", "=", filter.provider);
      if (filter.event) query = query.where("event", "=", filter.event);
      if (filter.actor) query = query.where("actor", "=", filter.actor);
      if (filter.email) query = query.where((eb) => eb.fn("lower", ["email"]), "=", filter.email.toLowerCase());
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
        actor: r.actor,
        changes: r.changes === null ? null : (JSON.parse(r.changes) as AuditChange[]),
        redirectUri: r.redirect_uri ?? null,
      }));
      return { records, nextCursor: rows.length > limit ? (records.at(-1)?.id ?? null) : null };
    },
    async providerOutcomes(orgId, provider, since, precision) {
      const { length, rest } = PERIODS[precision];
      // The length is a literal, not a parameter: PostgreSQL must see the selected and the grouped expression as one.
      const period = sql<string>`substr(audit_events.created_at, 1, ${sql.lit(length)})`;
      const groups = await db
        .selectFrom("audit_events")
        .select(["audit_events.outcome", "audit_events.error"])
        .select((eb) => [
          period.as("period"),
          eb.fn.countAll<string | number>().as("count"),
          eb.fn.max("audit_events.created_at").as("last"),
        ])
        .where("audit_events.org_id", "=", orgId)
        .where("audit_events.provider", "=", provider)
        .where("audit_events.event", "in", SIGN_IN_STEPS)
        .where("audit_events.created_at", ">=", since)
        // The window as a range of the organisation's index (org_id, id): no index of its own to write.
        .where("audit_events.id", ">=", firstIdAt(Date.parse(since)))
        // One attempt per sign-in: a step counts unless a later step of its sign-in session went
        // through the same provider (that one counts, with its outcome). A step recorded without
        // a session (null never equals) counts alone.
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("audit_events as later")
                .select("later.id")
                .whereRef("later.sign_in", "=", "audit_events.sign_in")
                .whereRef("later.id", ">", "audit_events.id")
                .where("later.org_id", "=", orgId)
                .where("later.provider", "=", provider)
                .where("later.event", "in", SIGN_IN_STEPS),
            ),
          ),
        )
        .groupBy([period, "audit_events.outcome", "audit_events.error"])
        .execute();
      const outcomes: { -readonly [K in keyof ProviderOutcomes]: ProviderOutcomes[K] } = {
        attempts: 0,
        successes: 0,
        failures: {},
        lastSuccessAt: null,
        lastFailure: null,
        timeline: [],
      };
      const failures: Record<string, number> = {};
      const timeline = new Map<string, { start: string; attempts: number; successes: number }>();
      for (const group of groups) {
        const count = Number(group.count);
        const start = group.period + rest;
        const inPeriod = timeline.get(start) ?? { start, attempts: 0, successes: 0 };
        timeline.set(start, inPeriod);
        outcomes.attempts += count;
        inPeriod.attempts += count;
        if (group.outcome === "success") {
          outcomes.successes += count;
          inPeriod.successes += count;
          if (outcomes.lastSuccessAt === null || group.last > outcomes.lastSuccessAt) outcomes.lastSuccessAt = group.last;
        } else {
          const reason = group.error ?? "UNKNOWN";
          failures[reason] = (failures[reason] ?? 0) + count;
          if (outcomes.lastFailure === null || group.last > outcomes.lastFailure.at) outcomes.lastFailure = { reason, at: group.last };
        }
      }
      // ISO times of one format sort as text; compared here, not by the database's collation.
      const ordered = [...timeline.values()].sort((a, b) => (a.start < b.start ? -1 : 1));
      return { ...outcomes, failures, timeline: ordered };
    },
  };
}

/** A period's start as the prefix of an ISO time (`2025-01-02T03:04`, `2025-01-02T03`), and what completes it to a time. */
const PERIODS = { minute: { length: 16, rest: ":00.000Z" }, hour: { length: 13, rest: ":00:00.000Z" } } as const;

/** The audited events that are sign-in steps through a provider. */
const SIGN_IN_STEPS = ["oauth.exchange", "authenticate", "saml.acs", "saml.exchange"];
