import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";
import type pg from "pg";
import { BackendUnavailableError } from "../domain/backend-unavailable.ts";
import { type Breaker, createBreaker, notAskedAgainYet } from "../domain/breaker.ts";

/** PostgreSQL and socket error codes meaning the connection, not the query, failed. */
const CONNECTION_CODES = new Set([
  "57P01", // admin_shutdown: pg_terminate_backend, a fast shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or shutting down
  "57014", // query_canceled: statement_timeout
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
const CONNECTION_MESSAGES =
  /connection terminated|not queryable|connection error|timeout exceeded when trying to connect|query read timeout|server closed the connection/i;

/** True when the error says the database could not be reached or the connection broke. */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof e.code === "string" && CONNECTION_CODES.has(e.code)) return true;
  if (typeof e.message === "string" && CONNECTION_MESSAGES.test(e.message)) return true;
  // AggregateError from a host with several addresses (e.g. localhost → ::1 and 127.0.0.1).
  return Array.isArray(e.errors) && e.errors.some(isConnectionError);
}

/**
 * A statement that may run again on a fresh connection when the first one broke: it is the first
 * on its connection (so no transaction was open there) and it changes nothing by itself (a read,
 * or the BEGIN that starts a transaction), or it was never sent.
 */
function safeToRetry(statement: string, error: unknown): boolean {
  // A deadline passed: the server is slow or frozen, not the connection dead, and a retry would
  // only double the wait past DATABASE_TIMEOUT_MS.
  if (timedOut(error)) return false;
  if (/^\s*(select|begin|start transaction)\b/i.test(statement)) return true;
  return error instanceof Error && /not queryable/i.test(error.message);
}

function timedOut(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e.code === "57014" || (typeof e.message === "string" && /query read timeout/i.test(e.message));
}

function unavailable(error: unknown): BackendUnavailableError {
  return new BackendUnavailableError("database", { cause: error });
}

/**
 * The pool Kysely's PostgresDialect gets: `pg`'s pool, with
 * - an `error` listener on the pool (idle connections) and on every checked-out connection, so a
 *   terminated connection (failover, proxy, idle timeout, restart) never ends the process;
 * - connection failures as `BackendUnavailableError` (answered 503), never the driver's error;
 * - the first statement on a connection retried once on a fresh connection when that one turns
 *   out to be dead and the statement is safe to repeat;
 * - a breaker: once a connection could not be made or a statement ran out of time, no connection
 *   is handed out for a second (503 at once), and a connection that failed is not asked again
 *   (a transaction's ROLLBACK after its timed-out statement), so a request waits for at most one
 *   DATABASE_TIMEOUT_MS however many statements it has.
 */
export function resilientPool(pool: pg.Pool, onConnectionError: (error: Error) => void, breaker: Breaker = createBreaker()): PostgresPool {
  pool.on("error", onConnectionError);
  // The pool hands a new connection over without any error listener: an error that arrives in the
  // same read as its last handshake message (a backend terminated as it started) would be thrown.
  pool.on("connect", (client) => client.on("error", () => undefined));

  /** A connection; refused at once while the breaker is open, unless `replacing` one that broke under a statement already let through. */
  async function acquire(replacing = false): Promise<pg.PoolClient> {
    if (!replacing && !breaker.allow()) throw unavailable(notAskedAgainYet("PostgreSQL"));
    try {
      return await pool.connect();
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      breaker.failed(error);
      throw unavailable(error);
    }
  }
  /** A statement's outcome, as the breaker counts it: an answer, even an error, is the server's; a deadline passed is not. */
  const answered = <R>(result: R): R => {
    breaker.succeeded();
    return result;
  };
  const failedWith = (error: unknown): unknown => {
    if (!isConnectionError(error)) breaker.succeeded();
    else if (timedOut(error)) breaker.failed(error);
    return error;
  };

  return {
    async connect(): Promise<PostgresPoolClient> {
      let client = await acquire();
      let broken: Error | undefined;
      let used = false;
      // Between giving a dead connection back and getting a fresh one (which may fail): nothing to release.
      let released = false;
      const onError = (error: Error) => {
        broken = error;
        onConnectionError(error);
      };
      client.on("error", onError);
      const replace = async (error: Error) => {
        client.off("error", onError);
        client.release(error);
        released = true;
        client = await acquire(true);
        released = false;
        client.on("error", onError);
      };
      async function run<R>(statement: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
        // A connection that failed under an earlier statement is not asked again; one that broke
        // before its first statement is replaced below.
        if (broken && used) throw unavailable(broken);
        const first = !used;
        used = true;
        try {
          return answered((await client.query(statement, parameters as unknown[])) as unknown as PostgresQueryResult<R>);
        } catch (error) {
          if (!isConnectionError(failedWith(error))) throw error;
          if (!first || !safeToRetry(statement, error)) {
            broken = error as Error;
            throw unavailable(error);
          }
          await replace(error as Error);
          try {
            return answered((await client.query(statement, parameters as unknown[])) as unknown as PostgresQueryResult<R>);
          } catch (again) {
            if (!isConnectionError(failedWith(again))) throw again;
            broken = again as Error;
            throw unavailable(again);
          }
        }
      }
      return {
        query: ((statementOrCursor: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>) => {
          if (typeof statementOrCursor !== "string") {
            used = true;
            return client.query(statementOrCursor as never);
          }
          return run(statementOrCursor, parameters ?? []);
        }) as PostgresPoolClient["query"],
        release(destroy?: boolean) {
          if (released) return;
          client.off("error", onError);
          // A broken connection is destroyed, not returned to the pool.
          client.release(broken ?? destroy);
        },
      };
    },
    end: () => pool.end(),
  };
}
