import { UsageError } from "./errors.ts";

const MAX_SECRET_BYTES = 4096;

/**
 * Reads a secret from stdin: a hidden prompt on a terminal, else everything piped in (one
 * trailing newline dropped, as `echo` and here-strings add one). Never echoed, never in argv.
 */
export async function readSecretFromStdin(stdin: NodeJS.ReadStream, stderr: NodeJS.WritableStream, command: string): Promise<string> {
  const secret = stdin.isTTY ? await promptHidden(stdin, stderr, "client secret (input hidden): ") : await readAll(stdin);
  const value = secret.replace(/\r?\n$/, "");
  if (value === "") throw new UsageError("--client-secret-stdin: nothing was read from stdin", command);
  if (Buffer.byteLength(value) > MAX_SECRET_BYTES)
    throw new UsageError(`--client-secret-stdin: the secret is longer than ${MAX_SECRET_BYTES} bytes`, command);
  return value;
}

/** Reads a secret from the environment variable an option names (the name, never the value, is on the command line). */
export function readSecretFromEnv(env: NodeJS.ProcessEnv, variable: string, command: string, option = "--client-secret-env"): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable))
    throw new UsageError(`${option} takes the name of an environment variable, e.g. OKTA_CLIENT_SECRET`, command);
  const value = env[variable];
  if (value === undefined || value === "")
    throw new UsageError(`${option}: the environment variable ${variable} is not set or empty`, command);
  return value;
}

async function readAll(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    total += buffer.length;
    if (total > MAX_SECRET_BYTES + 2) break;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function promptHidden(stdin: NodeJS.ReadStream, stderr: NodeJS.WritableStream, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      stderr.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of String(chunk)) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return finish();
        if (ch === "\u0003") return finish(new UsageError("cancelled"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.setEncoding("utf8");
    stdin.on("data", onData);
    stdin.resume();
  });
}
