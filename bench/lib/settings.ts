/**
 * Benchmark settings: `--name value` on the command line (after `npm run bench --`), else the
 * environment variable BENCH_NAME (upper case, dashes as underscores), else the default.
 */
function raw(name: string): string | undefined {
  const flag = process.argv.indexOf(`--${name}`);
  if (flag > 0 && flag + 1 < process.argv.length) return process.argv[flag + 1];
  const value = process.env[`BENCH_${name.toUpperCase().replaceAll("-", "_")}`];
  return value === "" ? undefined : value;
}

export function numberSetting(name: string, fallback: number): number {
  const value = raw(name);
  if (value === undefined) return fallback;
  const parsed = Number(value.replaceAll("_", ""));
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} / BENCH_${name.toUpperCase()} must be a number, got "${value}"`);
  return parsed;
}

export function stringSetting(name: string, fallback: string): string {
  return raw(name) ?? fallback;
}

/** `--name` alone, or BENCH_NAME=1/true. */
export function flagSetting(name: string, fallback = false): boolean {
  if (process.argv.includes(`--${name}`)) return true;
  if (process.argv.includes(`--no-${name}`)) return false;
  const value = process.env[`BENCH_${name.toUpperCase().replaceAll("-", "_")}`];
  if (value === undefined || value === "") return fallback;
  return value === "1" || value === "true";
}
