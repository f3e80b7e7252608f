/**
 * The CLI's exit codes: each means one thing a script can act on. Documented in `--help` and
 * docs/admin.md; never reuse one for another meaning.
 */
export const EXIT = {
  OK: 0,
  /** The service answered with an error (its AuthError `error` and `message` are printed). */
  SERVICE_ERROR: 1,
  /** The command line is wrong: unknown command or option, missing argument, no admin token. */
  USAGE: 2,
  /** The service could not be reached (refused, unknown host, no answer in time). */
  UNREACHABLE: 3,
  /** `providers test`: the provider's discovery or keys could not be fetched or used; `providers doctor`: a check failed. */
  PROVIDER_CHECK_FAILED: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure that ends the command with its exit code and a one-line message on stderr. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(exitCode: ExitCode, message: string) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

export class UsageError extends CliError {
  /** The command whose help to point at, e.g. "providers add". */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(EXIT.USAGE, message);
    this.name = "UsageError";
    this.command = command;
  }
}

export class UnreachableError extends CliError {
  constructor(message: string) {
    super(EXIT.UNREACHABLE, message);
    this.name = "UnreachableError";
  }
}

/** The service's AuthError answer (`{error, message, …}`), or an answer that is not one. */
export class ServiceError extends CliError {
  readonly status: number;
  readonly error: string;
  constructor(status: number, error: string, message: string) {
    super(EXIT.SERVICE_ERROR, message);
    this.name = "ServiceError";
    this.status = status;
    this.error = error;
  }
}
