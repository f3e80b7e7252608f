/**
 * `pipeshub-auth`: administer a running service through its admin API. Data goes to stdout
 * (aligned tables, or JSON with --json), everything meant for a person alone to stderr, and
 * the exit code says what happened (see EXIT in errors.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { auditCommands } from "./audit.ts";
import { type Command, commandName, type OptionValues, usageLine } from "./command.ts";
import { adminApi, asCliError } from "./admin-api.ts";
import { consoleSessionCommands } from "./console-sessions.ts";
import { CliError, EXIT, type ExitCode, ServiceError, UsageError } from "./errors.ts";
import { keyCommands } from "./keys.ts";
import { orgCommands } from "./orgs.ts";
import { createOutput } from "./output.ts";
import { providerInsightCommands } from "./provider-insight.ts";
import { providerCommands } from "./providers.ts";
import { samlProviderCommands } from "./saml-providers.ts";
import { settingCommands } from "./settings.ts";
import { setupLinkCommands } from "./setup-links.ts";
import { userCommands } from "./users.ts";

const COMMANDS: readonly Command[] = [
  ...orgCommands,
  ...providerCommands,
  ...samlProviderCommands,
  ...providerInsightCommands,
  ...setupLinkCommands,
  ...userCommands,
  ...keyCommands,
  ...settingCommands,
  ...consoleSessionCommands,
  ...auditCommands,
];
const GROUPS = [...new Set(COMMANDS.map((c) => c.group))];
const DEFAULT_URL = "http://127.0.0.1:3000";

const GLOBAL_OPTIONS: ParseArgsOptionsConfig = {
  url: { type: "string" },
  "token-file": { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const GLOBAL_HELP = `Global options:
  --url URL           the service (default $PIPESHUB_AUTH_URL, else ${DEFAULT_URL})
  --token-file PATH   a file holding the admin token (default: $ADMIN_TOKEN, else
                      $DATA_DIR/admin-token, i.e. ./data/admin-token, when present)
  --token TOKEN       the admin token itself: avoid, it shows in ps and shell history
  --json              machine-readable output on stdout; diagnostics stay on stderr
  -h, --help          help for a command

Exit codes:
  0  ok
  1  the service answered an error (its error identifier and message are printed)
  2  usage error: unknown command or option, missing argument, no admin token
  3  cannot reach the service
  4  providers test, providers doctor: the provider check failed (the provider's reason is printed)`;

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => commandName(c).length));
  const lines = COMMANDS.map((c) => `  ${commandName(c).padEnd(width)}  ${c.summary}`);
  return `pipeshub-auth: administer a running pipeshub-auth service through its admin API

Usage: pipeshub-auth <group> <command> [arguments] [options]

Commands:
${lines.join("\n")}

${GLOBAL_HELP}

The admin token comes from the environment or a file, never typed into the command line:
  export ADMIN_TOKEN="$(cat data/admin-token)"
  pipeshub-auth orgs list

"pipeshub-auth <group> <command> --help" shows a command's options.`;
}

function groupHelp(group: string): string {
  const commands = COMMANDS.filter((c) => c.group === group);
  return `Usage:\n${commands.map((c) => `  ${usageLine(c)}\n      ${c.summary}`).join("\n")}\n\n${GLOBAL_HELP}`;
}

function commandHelp(c: Command): string {
  return [
    `Usage: ${usageLine(c)}`,
    "",
    c.summary.charAt(0).toUpperCase() + c.summary.slice(1) + ".",
    ...(c.help ? ["", c.help] : []),
    "",
    GLOBAL_HELP,
  ].join("\n");
}

/** Every option of every command, so arguments parse the same wherever the options are placed. */
function allOptions(): ParseArgsOptionsConfig {
  return Object.assign({}, GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options)) as ParseArgsOptionsConfig;
}

function parse(argv: readonly string[], options: ParseArgsOptionsConfig, command?: string) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's messages name the option only (never its value); drop the long hint after it.
    const message = error instanceof Error ? error.message.split(". To specify")[0]! : String(error);
    throw new UsageError(message.charAt(0).toLowerCase() + message.slice(1), command);
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

function serviceUrl(values: OptionValues, env: NodeJS.ProcessEnv, warn: (text: string) => void): string {
  const given = (typeof values.url === "string" ? values.url : undefined) ?? env.PIPESHUB_AUTH_URL ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UsageError(`--url must be an absolute URL such as ${DEFAULT_URL}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError("--url must be an http or https URL");
  if (url.search || url.hash || url.username || url.password)
    throw new UsageError("--url must not contain a query, fragment or credentials");
  if (url.protocol === "http:" && !LOOPBACK.has(url.hostname))
    warn(`warning: the admin token travels unencrypted to ${url.host}; use https`);
  return url.href.replace(/\/+$/, "");
}

function adminToken(values: OptionValues, env: NodeJS.ProcessEnv, warn: (text: string) => void): string {
  let token: string | undefined;
  if (typeof values.token === "string") {
    warn("warning: --token shows in ps and shell history; prefer ADMIN_TOKEN or --token-file");
    token = values.token;
  } else if (typeof values["token-file"] === "string") {
    token = readTokenFile(values["token-file"]);
  } else if (env.ADMIN_TOKEN) {
    token = env.ADMIN_TOKEN;
  } else {
    const fallback = join(env.DATA_DIR ?? "data", "admin-token");
    if (existsSync(fallback)) token = readTokenFile(fallback);
  }
  token = token?.trim();
  if (!token) throw new UsageError("no admin token: set ADMIN_TOKEN, or pass --token-file PATH (default ./data/admin-token when present)");
  return token;
}

function readTokenFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the admin token file ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

/** Runs one command line; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  const wantsJson = argv.includes("--json");
  const out = createOutput(wantsJson);
  try {
    // Refuse a secret on the command line before anything else: it is already in ps and
    // shell history, so at least never act on it, and never echo it.
    if (argv.some((a) => /^--client-?secret(=.*)?$/i.test(a))) {
      throw new UsageError(
        "the client secret is never taken from the command line (it would show in ps and shell history): use --client-secret-stdin or --client-secret-env VAR",
        "providers add",
      );
    }
    const first = parse(argv, allOptions());
    let [group, name, ...args] = first.positionals;
    let help = first.values.help === true;
    if (group === "help") {
      help = true;
      [group, name, ...args] = [name, args[0]].filter((p): p is string => p !== undefined);
    }
    if (group === undefined) {
      // Bare `pipeshub-auth`: the overview, on stderr since nothing was asked for.
      (help ? out.line : out.note)(topHelp());
      return help ? EXIT.OK : EXIT.USAGE;
    }
    if (!GROUPS.includes(group)) throw new UsageError(`unknown command "${group}"; commands: ${GROUPS.join(", ")}`);
    if (name === undefined) {
      if (help) {
        out.line(groupHelp(group));
        return EXIT.OK;
      }
      throw new UsageError(
        `"${group}" needs a command: ${COMMANDS.filter((c) => c.group === group)
          .map((c) => c.name)
          .join(", ")}`,
        group,
      );
    }
    const command = COMMANDS.find((c) => c.group === group && c.name === name);
    if (!command)
      throw new UsageError(
        `unknown command "${group} ${name}"; ${group} commands: ${COMMANDS.filter((c) => c.group === group)
          .map((c) => c.name)
          .join(", ")}`,
        group,
      );
    if (help) {
      out.line(commandHelp(command));
      return EXIT.OK;
    }

    const own = parse(argv, { ...GLOBAL_OPTIONS, ...command.options }, commandName(command));
    const positional = own.positionals.slice(2);
    if (positional.length < command.args.length) {
      throw new UsageError(
        `missing ${command.args
          .slice(positional.length)
          .map((a) => `<${a}>`)
          .join(" ")}`,
        commandName(command),
      );
    }
    if (positional.length > command.args.length)
      throw new UsageError(`unexpected argument "${positional[command.args.length]!.slice(0, 40)}"`, commandName(command));

    const warn = (text: string) => out.note(text);
    const baseUrl = serviceUrl(own.values, env, warn);
    const admin = adminApi(baseUrl, adminToken(own.values, env, warn));
    try {
      return (
        (await command.run({ admin, serviceUrl: baseUrl, out, env, stdin: process.stdin }, { args: positional, values: own.values })) ??
        EXIT.OK
      );
    } catch (error) {
      throw asCliError(error, baseUrl);
    }
  } catch (error) {
    return report(error, out.note);
  }
}

function report(error: unknown, note: (text: string) => void): ExitCode {
  if (error instanceof ServiceError) {
    note(`error: ${error.error}: ${error.message}`);
    if (error.status === 401) note("check the admin token: ADMIN_TOKEN, --token-file, or ./data/admin-token");
    return error.exitCode;
  }
  if (error instanceof UsageError) {
    note(`error: ${error.message}`);
    note(`run "pipeshub-auth ${error.command ? `${error.command} ` : ""}--help" for usage`);
    return error.exitCode;
  }
  if (error instanceof CliError) {
    note(`error: ${error.message}`);
    return error.exitCode;
  }
  note(`error: unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
  return EXIT.SERVICE_ERROR;
}

process.exitCode = await main(process.argv.slice(2));
