import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { assertAuthError, type JsonResponse, type RunningService } from "../support/service.ts";

/** Counts of what a steady stream of requests got while a backend failed and came back. */
export interface OutageTally {
  answered: number;
  unavailable: number;
  /** Anything but 2xx or 503: never expected (a 500 is a bug). */
  other: string[];
}

/**
 * Sends `call` again and again (one at a time, `gapMs` apart) until it answers `want` or
 * `withinMs` passes; returns the milliseconds it took. Every answer is tallied.
 */
export async function until(
  call: () => Promise<JsonResponse<unknown>>,
  want: number,
  withinMs: number,
  tally: OutageTally,
  gapMs = 100,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    const response = await call();
    if (response.status < 300) tally.answered++;
    else if (response.status === 503) {
      tally.unavailable++;
      assert.equal((response.body as { error?: string }).error, "SERVICE_UNAVAILABLE", response.text);
    } else tally.other.push(`${response.status} ${response.text.slice(0, 200)}`);
    if (response.status === want) return Date.now() - started;
    assert.ok(Date.now() - started < withinMs, `no ${want} within ${withinMs} ms; last: ${response.status} ${response.text.slice(0, 200)}`);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
}

/** One request's answer and how long it took. */
export async function timed(call: () => Promise<JsonResponse<unknown>>): Promise<{ response: JsonResponse<unknown>; ms: number }> {
  const started = Date.now();
  const response = await call();
  return { response, ms: Date.now() - started };
}

export const newTally = (): OutageTally => ({ answered: 0, unavailable: 0, other: [] });

/** One answer of a steady load: when it was sent, how long it took, its status (0: no answer in time or a network error). */
export interface LoadAnswer {
  readonly sentAt: number;
  readonly ms: number;
  readonly status: number;
  readonly text: string;
}

/**
 * `workers` clients sending `call` back to back (`gapMs` apart) until `stop()`, as traffic that
 * goes on while a backend fails. A request without an answer within `patienceMs` counts as lost.
 */
export function steadyLoad(
  t: TestContext,
  call: () => Promise<JsonResponse<unknown>>,
  options: { workers?: number; gapMs?: number; patienceMs?: number } = {},
): { stop(): Promise<LoadAnswer[]>; stopOnceRecovered(restoredAt: number, withinMs?: number): Promise<LoadAnswer[]> } {
  const { workers = 2, gapMs = 50, patienceMs = 10_000 } = options;
  const answers: LoadAnswer[] = [];
  let running = true;
  const worker = async () => {
    while (running) {
      const sentAt = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const patience = new Promise<{ status: number; text: string }>((resolve) => {
        timer = setTimeout(() => resolve({ status: 0, text: `no answer within ${patienceMs} ms` }), patienceMs);
      });
      const answer = await Promise.race([call().catch((error: unknown) => ({ status: 0, text: String(error) })), patience]);
      clearTimeout(timer);
      answers.push({ sentAt, ms: Date.now() - sentAt, status: answer.status, text: answer.text.slice(0, 200) });
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  };
  const loops = Array.from({ length: workers }, worker);
  // A test that fails midway stops its load too, or the clients would keep the process alive.
  t.after(() => {
    running = false;
  });
  const stop = async () => {
    running = false;
    await Promise.all(loops);
    return answers;
  };
  return {
    stop,
    /** Stops once a request sent after `restoredAt` succeeded, so the figures hold the load's own recovery. */
    async stopOnceRecovered(restoredAt, withinMs = 20_000) {
      const deadline = Date.now() + withinMs;
      while (!answers.some((a) => a.sentAt >= restoredAt && a.status >= 200 && a.status < 300) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return stop();
    },
  };
}

/** What the requests in flight between the fault (`faultAt`) and the backend's return (`restoredAt`) got, and how fast it came back. */
export interface FaultFigures {
  readonly sent: number;
  readonly answered: number;
  readonly unavailable: number;
  /** Neither answered nor 503: a 500, a dropped connection, or no answer in time. */
  readonly lost: string[];
  /** From the fault to the first 503 answer; undefined when none came. */
  readonly timeTo503Ms: number | undefined;
  /** From the backend's return to the first success of a request sent after it; undefined when none came. */
  readonly timeToRecoveryMs: number | undefined;
  readonly slowestMs: number;
}

export function faultFigures(answers: readonly LoadAnswer[], faultAt: number, restoredAt: number): FaultFigures {
  const done = (a: LoadAnswer) => a.sentAt + a.ms;
  const ok = (a: LoadAnswer) => a.status >= 200 && a.status < 300;
  const earliest = (list: LoadAnswer[]) => (list.length === 0 ? undefined : Math.min(...list.map(done)));
  const during = answers.filter((a) => done(a) >= faultAt && a.sentAt <= restoredAt);
  const firstUnavailable = earliest(answers.filter((a) => a.status === 503 && done(a) >= faultAt));
  const recovered = earliest(answers.filter((a) => ok(a) && a.sentAt >= restoredAt));
  return {
    sent: during.length,
    answered: during.filter(ok).length,
    unavailable: during.filter((a) => a.status === 503).length,
    // Over the whole load, before the fault and after the return too: nothing may be lost anywhere.
    lost: answers.filter((a) => !ok(a) && a.status !== 503).map((a) => `${a.status} ${a.text}`),
    timeTo503Ms: firstUnavailable === undefined ? undefined : firstUnavailable - faultAt,
    timeToRecoveryMs: recovered === undefined ? undefined : recovered - restoredAt,
    slowestMs: Math.max(0, ...answers.map((a) => a.ms)),
  };
}

/** One line for the closing figures: `figures: <fault>: …`. */
export function describeFigures(fault: string, f: FaultFigures): string {
  const ms = (value: number | undefined) => (value === undefined ? "none" : `${value} ms`);
  return (
    `figures: ${fault}: ${f.sent} requests in flight during the fault: ${f.answered} answered, ${f.unavailable} answered 503, ${f.lost.length} lost; ` +
    `time to 503 ${ms(f.timeTo503Ms)}, time to recovery ${ms(f.timeToRecoveryMs)}, slowest answer ${f.slowestMs} ms`
  );
}

/**
 * While a backend is down: the next request (`call`) answers 503 SERVICE_UNAVAILABLE within 3 s,
 * its message naming none of the backend's `internals`, and then /readyz does too. Prints
 * `<label>: first request 503 after …, /readyz 503 after …`.
 */
export async function unavailableWithin3s(
  t: TestContext,
  label: string,
  service: Pick<RunningService, "request">,
  call: () => Promise<JsonResponse<unknown>>,
  internals: RegExp,
): Promise<void> {
  const first = await timed(call);
  const body = assertAuthError(first.response, 503, "SERVICE_UNAVAILABLE");
  assert.doesNotMatch(body.message, internals);
  assert.ok(first.ms < 3000, `503 after ${first.ms} ms`);
  const ready = await timed(() => service.request("GET", "/readyz"));
  assertAuthError(ready.response, 503, "SERVICE_UNAVAILABLE");
  assert.ok(ready.ms < 3000, `/readyz after ${ready.ms} ms`);
  t.diagnostic(`${label}: first request 503 after ${first.ms} ms, /readyz 503 after ${ready.ms} ms`);
}

/** A backend's failure and return, as a fault test puts a steady load through it. */
export interface Outage {
  /** The fault, as the `figures:` line names it. */
  readonly name: string;
  /** The steady load's options (two workers unless said). */
  readonly load?: { workers?: number };
  /** Makes the backend fail. */
  fault(): void | Promise<void>;
  /** The test's checks while it fails; any answers it returns were unexpected and count as lost. */
  during(): Promise<readonly string[] | void>;
  /** Brings the backend back; runs even when `during` fails. */
  restore(): void | Promise<void>;
  /** What came back, as the recovery line says it: `<restored>: answered 200 after …`. */
  readonly restored: string;
}

/**
 * A steady load of `call` through `outage`: the fault, the test's checks, the restore (in a
 * finally), then `call` until it answers 200 (within 20 s) and the load until it has recovered
 * too. Prints the recovery and `figures:` lines, asserts that nothing was lost (the checks', the
 * recovery's and the load's answers), and returns the figures.
 */
export async function throughOutage(t: TestContext, call: () => Promise<JsonResponse<unknown>>, outage: Outage): Promise<FaultFigures> {
  const load = steadyLoad(t, call, outage.load);
  const faultAt = Date.now();
  await outage.fault();
  let unexpected: readonly string[];
  let restoredAt: number;
  try {
    unexpected = (await outage.during()) ?? [];
  } finally {
    await outage.restore();
    restoredAt = Date.now();
  }
  const tally = newTally();
  const recoveredMs = await until(call, 200, 20_000, tally);
  t.diagnostic(`${outage.restored}: answered 200 after ${recoveredMs} ms (${tally.unavailable} answered 503 meanwhile)`);
  const figures = faultFigures(await load.stopOnceRecovered(restoredAt), faultAt, restoredAt);
  t.diagnostic(describeFigures(outage.name, figures));
  assert.deepEqual([...unexpected, ...tally.other, ...figures.lost], []);
  return figures;
}
