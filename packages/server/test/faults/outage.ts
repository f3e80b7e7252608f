import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { JsonResponse } from "../support/service.ts";

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
