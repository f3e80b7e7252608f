import { createHash, randomBytes } from "node:crypto";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";

/** How long an operator's console session lasts. */
export const CONSOLE_SESSION_TTL_MS = 8 * 3600_000;

/** The operator's console sessions, kept by the hash of their cookie value in the shared state. */
export interface ConsoleSessionDeps {
  readonly state: Pick<ShortLivedState, "set" | "get" | "delete">;
}

const keyOf = (token: string) => `console:${createHash("sha256").update(token).digest("base64url")}`;

/** Opens a session for an operator who proved the admin token; answers the cookie's value. */
export async function openConsoleSession(deps: ConsoleSessionDeps): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await deps.state.set(keyOf(token), "operator", CONSOLE_SESSION_TTL_MS);
  return token;
}

export async function consoleSessionOpen(deps: ConsoleSessionDeps, token: string): Promise<boolean> {
  return (await deps.state.get(keyOf(token))) === "operator";
}

export async function closeConsoleSession(deps: ConsoleSessionDeps, token: string): Promise<void> {
  await deps.state.delete(keyOf(token));
}
