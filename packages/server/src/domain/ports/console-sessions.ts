import type { StoredConsoleSession } from "../console-session.ts";

/**
 * The console's cookie sessions, kept by a hash of the cookie's value (`keyHash`), never the value.
 * In the database, so that every instance sees, lists and ends the same sessions.
 */
export interface ConsoleSessionRepository {
  /** Stores a new session (and drops the expired ones). */
  open(keyHash: string, session: Omit<StoredConsoleSession, "id" | "createdAt">): Promise<StoredConsoleSession>;
  /** The unexpired session stored under one of `keyHashes` at `now` (ISO time), and the hash it was found by. */
  find(keyHashes: readonly string[], now: string): Promise<{ session: StoredConsoleSession; keyHash: string } | undefined>;
  /** Every unexpired session at `now`, oldest first. */
  list(now: string): Promise<StoredConsoleSession[]>;
  /** Ends one session by its id; answers it, or undefined when there was none. */
  end(id: string): Promise<StoredConsoleSession | undefined>;
  /** Ends the session stored under any of `keyHashes` (a sign-out). */
  endByKey(keyHashes: readonly string[]): Promise<void>;
  /** Ends every session of the organisation admin `userId`; answers how many were live at `now`. */
  endForUser(userId: string, now: string): Promise<number>;
  /** Ends every session; answers how many were live at `now`. */
  endAll(now: string): Promise<number>;
}
