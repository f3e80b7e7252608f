import { setTimeout as sleep } from "node:timers/promises";
import { asCliError } from "./admin-api.ts";
import { type Command, type CommandContext, countOption } from "./command.ts";
import { UnreachableError } from "./errors.ts";
import { oneLine } from "./output.ts";
import type { AuditRecord } from "./sdk.ts";

/** How often --follow asks for new records. */
export const FOLLOW_INTERVAL_MS = 2000;
const PAGE_LIMIT = 200;
/** --follow reads at most this many pages per poll; a burst larger than that shows its newest part. */
const MAX_PAGES_PER_POLL = 10;

const COLUMNS: [string, number, (r: AuditRecord) => string][] = [
  ["TIME", 24, (r) => r.createdAt],
  ["EVENT", 20, (r) => r.event],
  ["OUTCOME", 7, (r) => r.outcome],
  ["ERROR", 20, (r) => r.error ?? "-"],
  ["EMAIL", 28, (r) => r.email ?? "-"],
  ["PROVIDER", 14, (r) => r.provider ?? "-"],
  ["IP", 0, (r) => r.ip ?? "-"],
];

// A stream has no end to measure column widths against: fixed minimum widths keep lines aligned.
const formatRow = (cells: string[]) =>
  cells
    .map((cell, i) => oneLine(cell).padEnd(COLUMNS[i]![1]))
    .join("  ")
    .trimEnd();

function printer(ctx: CommandContext) {
  let headerShown = false;
  return (records: readonly AuditRecord[]) => {
    for (const record of records) {
      if (ctx.out.json) {
        ctx.out.data(record, true);
        continue;
      }
      if (!headerShown) {
        ctx.out.line(formatRow(COLUMNS.map(([header]) => header)));
        headerShown = true;
      }
      ctx.out.line(formatRow(COLUMNS.map(([, , value]) => value(record))));
    }
  };
}

/**
 * Ids start with their record's creation time (12 hex digits of milliseconds) followed by random
 * bits, so records of one millisecond sort in no particular order: compare times, and remember
 * which records of the latest millisecond were already shown.
 */
const timeOf = (id: string) => id.slice(0, 12);

export interface FollowState {
  /** Creation time (id prefix) of the newest record shown. */
  since: string;
  /** Ids already shown with that creation time. */
  shown: Set<string>;
}

export function followState(newestFirst: readonly AuditRecord[]): FollowState {
  const since = newestFirst[0] ? timeOf(newestFirst[0].id) : "";
  return { since, shown: new Set(newestFirst.filter((r) => timeOf(r.id) === since).map((r) => r.id)) };
}

/** Records not shown yet (created at or after `state.since`), oldest first; advances the state. */
async function newRecords(ctx: CommandContext, orgId: string, state: FollowState): Promise<AuditRecord[]> {
  const found: AuditRecord[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
    const result = await ctx.admin.listAudit(orgId, { limit: PAGE_LIMIT, cursor: cursor ?? undefined });
    const recent = result.records.filter((r) => timeOf(r.id) >= state.since);
    found.push(...recent.filter((r) => !state.shown.has(r.id)));
    if (recent.length < result.records.length || !result.nextCursor) break;
    cursor = result.nextCursor;
  }
  if (found.length > 0) {
    const next = followState(found);
    // Still the same millisecond: the records shown before stay shown.
    if (next.since === state.since) for (const id of state.shown) next.shown.add(id);
    Object.assign(state, next);
  }
  return found.reverse();
}

const tail: Command = {
  group: "audit",
  name: "tail",
  args: ["orgId"],
  synopsis: "[--limit N] [--follow]",
  summary: "show the latest sign-in audit records, newest last",
  help: `Options:
  --limit N    how many of the latest records to show first (1-200, default 20)
  --follow     keep going: ask for new records every 2 s until interrupted (Ctrl-C)

With --json, one JSON object per line (JSON lines), newest last.`,
  options: { limit: { type: "string" }, follow: { type: "boolean" } },
  async run(ctx, { args, values }) {
    const orgId = args[0]!;
    const limit = countOption(values, "limit", this, 200) ?? 20;
    const print = printer(ctx);
    const first = await ctx.admin.listAudit(orgId, { limit });
    print([...first.records].reverse());
    if (!values.follow) return;
    // An empty trail starts from nothing: ids are hex, "" sorts first.
    const state = followState(first.records);
    let warned = false;
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      while (!stop.signal.aborted) {
        try {
          await sleep(FOLLOW_INTERVAL_MS, undefined, { signal: stop.signal });
        } catch {
          break;
        }
        try {
          print(await newRecords(ctx, orgId, state));
          warned = false;
        } catch (error) {
          // A restarting service is a pause in the stream, not its end; say so once.
          const failure = asCliError(error, ctx.serviceUrl);
          if (!(failure instanceof UnreachableError)) throw failure;
          if (!warned) ctx.out.note(`${failure.message}; still trying every ${FOLLOW_INTERVAL_MS / 1000} s`);
          warned = true;
        }
      }
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  },
};

export const auditCommands: readonly Command[] = [tail];
