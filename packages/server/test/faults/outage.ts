import assert from "node:assert/strict";
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
