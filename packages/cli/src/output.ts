import type { Writable } from "node:stream";

/** Where a command writes: data on stdout, everything meant for a person alone on stderr. */
export interface Output {
  /** `--json`: stdout carries one JSON document (or JSON lines for streams), nothing else. */
  readonly json: boolean;
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean };
  /** Writes a line of data to stdout. */
  line(text: string): void;
  /** Writes a value as JSON to stdout (pretty unless `compact`, for JSON lines). */
  data(value: unknown, compact?: boolean): void;
  /** Writes a diagnostic line to stderr. */
  note(text: string): void;
}

export function createOutput(
  json: boolean,
  stdout: Writable = process.stdout,
  stderr: Writable & { isTTY?: boolean } = process.stderr,
): Output {
  return {
    json,
    stdout,
    stderr,
    line: (text) => void stdout.write(`${text}\n`),
    data: (value, compact = false) => void stdout.write(`${compact ? JSON.stringify(value) : JSON.stringify(value, null, 2)}\n`),
    note: (text) => void stderr.write(`${text}\n`),
  };
}

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
}

/** An aligned table: upper-case headers, columns two spaces apart, no trailing blanks. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = [columns.map((c) => c.header), ...rows.map((row) => columns.map((c) => oneLine(c.value(row))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Label/value pairs, labels aligned: for one record. */
export function details(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${label.padEnd(width)}  ${oneLine(value)}`.trimEnd()).join("\n");
}

/** Control characters from the service (or a provider) never reach the terminal as such. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");
}

export const yesNo = (value: unknown): string => (value === true ? "yes" : "no");

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * Shows that something is under way, on stderr: an animated line on a terminal, one plain line
 * otherwise (logs and pipes get no carriage returns). `stop` clears the animation.
 */
export function progress(stderr: Writable & { isTTY?: boolean }, text: string): { stop(): void } {
  if (!stderr.isTTY) {
    stderr.write(`${text} …\n`);
    return { stop() {} };
  }
  let frame = 0;
  const draw = () => void stderr.write(`\r${text} ${SPINNER[frame++ % SPINNER.length]}`);
  draw();
  const timer = setInterval(draw, 80);
  return {
    stop() {
      clearInterval(timer);
      stderr.write("\r\x1b[2K");
    },
  };
}
