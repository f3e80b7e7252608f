import type { ParseArgsOptionsConfig } from "node:util";
import type { ExitCode } from "./errors.ts";
import { UsageError } from "./errors.ts";
import type { Output } from "./output.ts";
import type { Admin } from "pipeshub";

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  /** The service's admin API, through the SDK. */
  readonly admin: Admin;
  /** The service's base URL, for messages. */
  readonly serviceUrl: string;
  readonly out: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadStream;
}

/** One `pipeshub-auth <group> <name>` command: its help, its options, what it does. */
export interface Command {
  readonly group: string;
  readonly name: string;
  /** Positional arguments, all required, by name (shown as `<orgId>`). */
  readonly args: readonly string[];
  /** The options part of the synopsis, e.g. `--name NAME [--domain DOMAIN]...`. */
  readonly synopsis: string;
  readonly summary: string;
  /** Option descriptions and examples, shown by `--help`. */
  readonly help: string;
  readonly options: ParseArgsOptionsConfig;
  run(ctx: CommandContext, input: { args: readonly string[]; values: OptionValues }): Promise<ExitCode | void>;
}

export function commandName(c: Pick<Command, "group" | "name">): string {
  return `${c.group} ${c.name}`;
}

export function usageLine(c: Command): string {
  return ["pipeshub-auth", c.group, c.name, ...c.args.map((a) => `<${a}>`), c.synopsis].filter((part) => part !== "").join(" ");
}

/** A string option's value, or undefined; required ones fail as usage errors naming the command. */
export function stringOption(values: OptionValues, name: string, command: Command, required: true): string;
export function stringOption(values: OptionValues, name: string, command: Command, required?: false): string | undefined;
export function stringOption(values: OptionValues, name: string, command: Command, required = false): string | undefined {
  const value = values[name];
  if (typeof value === "string" && value !== "") return value;
  if (value === "") throw new UsageError(`--${name} must not be empty`, commandName(command));
  if (required) throw new UsageError(`--${name} is required`, commandName(command));
  return undefined;
}

/** A count such as `--limit N`: a whole number from 1 to max, or undefined when not given. */
export function countOption(values: OptionValues, name: string, command: Command, max: number): number | undefined {
  const value = stringOption(values, name, command);
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value) || Number(value) > max)
    throw new UsageError(`--${name} is a number from 1 to ${max}`, commandName(command));
  return Number(value);
}

export function listOption(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
