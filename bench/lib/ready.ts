/** How a benchmark child process says it is listening: one line, `READY {json}`. */
export function announceReady(details: Record<string, unknown>): void {
  console.log(`READY ${JSON.stringify(details)}`);
}

/** Matches the line `announceReady` printed; `readyDetails` parses it. */
export const READY_LINE = /^READY (\{.*\})$/m;
export function readyDetails<T>(match: RegExpExecArray): T {
  return JSON.parse(match[1]!) as T;
}
