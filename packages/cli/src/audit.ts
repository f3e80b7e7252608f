import { setTimeout as sleep } from "node:timers/promises";
import { asCliError } from "./admin-api.ts";
import { type Command, type CommandContext, countOption, type OptionValues, stringOption } from "./command.ts";
import { UnreachableError } from "./errors.ts";
import { oneLine } from "./output.ts";
import type { AuditChange, AuditPage, AuditRecord, ListAuditRequest } from "pipeshub";

/** How often --follow asks for new records. */
export const FOLLOW_INTERVAL_MS = 2000;
const PAGE_LIMIT = 200;
/** --follow reads at most this many pages per poll; a burst larger than that shows its newest part. */
const MAX_PAGES_PER_POLL = 10;

/** A value as a change shows it: strings bare, none as "-", anything else as JSON. */
const shown = (value: unknown) => (value === null || value === undefined ? "-" : typeof value === "string" ? value : JSON.stringify(value));

/** What an admin write changed, readably: `scope: openid → openid email; clientSecret changed`. */
export function describeChanges(changes: readonly AuditChange[] | null | undefined): string {
  if (!changes || changes.length === 0) return "-";
  return changes.map((c) => ("changed" in c ? `${c.field} changed` : `${c.field}: ${shown(c.before)} → ${shown(c.after)}`)).join("; ");
}

const COLUMNS: [string, number, (r: AuditRecord) => string][] = [
  ["TIME", 24, (r) => r.createdAt],
  ["EVENT", 20, (r) => r.event],
  ["OUTCOME", 7, (r) => r.outcome],
  ["ERROR", 20, (r) => r.error ?? "-"],
  ["ACTOR", 20, (r) => r.actor ?? "-"],
  ["EMAIL", 28, (r) => r.email ?? "-"],
  ["PROVIDER", 14, (r) => r.provider ?? "-"],
  ["IP", 15, (r) => r.ip ?? "-"],
  ["CHANGES", 0, (r) => describeChanges(r.changes)],
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

/** Reads one page of a trail: an organisation's, or the one outside any. */
type TrailReader = (request: ListAuditRequest) => Promise<AuditPage>;

/** Records not shown yet (created at or after `state.since`), oldest first; advances the state. */
async function newRecords(read: TrailReader, state: FollowState): Promise<AuditRecord[]> {
  const found: AuditRecord[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
    const result = await read({ limit: PAGE_LIMIT, cursor: cursor ?? undefined });
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

const OPTIONS_HELP = `Options:
  --limit N    how many of the latest records to show first (1-200, default 20)
  --event E    only this event (oauth.exchange, provider.updated, keys.rotated, …)
  --actor A    only what this actor did (operator, org-admin:<userId>, setup-link:<id>)
  --follow     keep going: ask for new records every 2 s until interrupted (Ctrl-C)

Admin writes show who made them (ACTOR) and what they changed (CHANGES: field: before → after;
a secret only as "changed"). With --json, one JSON object per line (JSON lines), newest last.`;
const OPTIONS = {
  limit: { type: "string" },
  event: { type: "string" },
  actor: { type: "string" },
  follow: { type: "boolean" },
} as const;

/** Shows the latest records of a trail, newest last, then (with --follow) the new ones as they come. */
async function showTrail(ctx: CommandContext, command: Command, values: OptionValues, readPage: TrailReader): Promise<void> {
  const limit = countOption(values, "limit", command, 200) ?? 20;
  const filter = { event: stringOption(values, "event", command), actor: stringOption(values, "actor", command) };
  const read: TrailReader = (request) => readPage({ ...filter, ...request });
  const print = printer(ctx);
  const first = await read({ limit });
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
        print(await newRecords(read, state));
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
}

const tail: Command = {
  group: "audit",
  name: "tail",
  args: ["orgId"],
  synopsis: "[--limit N] [--event E] [--actor A] [--follow]",
  summary: "show the latest records of an organisation's audit trail (sign-ins and admin writes), newest last",
  help: OPTIONS_HELP,
  options: OPTIONS,
  run(ctx, { args, values }) {
    const orgId = args[0]!;
    return showTrail(ctx, this, values, (request) => ctx.admin.listAudit(orgId, request));
  },
};

const service: Command = {
  group: "audit",
  name: "service",
  args: [],
  synopsis: "[--limit N] [--event E] [--actor A] [--follow]",
  summary: "show the latest records outside any organisation (keys.rotated, keys.reencrypted, …), newest last",
  help: OPTIONS_HELP,
  options: OPTIONS,
  run(ctx, { values }) {
    return showTrail(ctx, this, values, (request) => ctx.admin.listServiceAudit(request));
  },
};

export const auditCommands: readonly Command[] = [tail, service];
