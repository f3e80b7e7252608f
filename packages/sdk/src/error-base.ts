// The root of the SDK's errors and what every error class shares; the classes themselves are in
// errors.ts (the service answered) and transport-errors.ts (no answer). Re-exported by errors.ts.

/** Node's hook for `util.inspect`, looked up by name so that the SDK needs no Node import. */
const inspectCustom: unique symbol = Symbol.for("nodejs.util.inspect.custom");

/** Base class of every error thrown by a `Pipeshub` call. */
export class PipeshubError extends Error {
  override name = "PipeshubError";

  /** `console.log(err)`, `util.inspect(err)`: the summary line and the stack, nothing else. */
  [inspectCustom](): string {
    return this.stack ?? `${this.name}: ${this.message}`;
  }

  /** What structured loggers get: the summary and the short identifying details. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message };
  }
}

/** Defines read-only properties that printing skips (not enumerable). */
export function defineDetails(target: object, details: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(details)) {
    Object.defineProperty(target, key, { value, enumerable: false, writable: false, configurable: true });
  }
}

/** Whether `value` is a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
