/** `client.admin`'s console sessions: list the live ones, end one or all. The operator's alone. */
import { segment, type RequestOptions } from "../http.ts";
import { readBody, type ResponseBody, type Schema } from "../wire.ts";
import { noBody } from "./resource.ts";
import { KeyAdmin } from "./keys.ts";

/**
 * A live session of the admin console: an operator's (opened with the admin token), an
 * organisation admin's, or a setup link's (then `id` is the link's). `id` names the session; it
 * is not its cookie or token.
 */
export type ConsoleSession = Schema<"ConsoleSession">;

export class ConsoleSessionAdmin extends KeyAdmin {
  /** Every live console session (operators', organisation admins', setup links'), oldest first: `GET /api/v1/console-sessions`. Operator only. */
  async listConsoleSessions(options?: RequestOptions): Promise<ConsoleSession[]> {
    const wire = await this.call(
      { method: "GET", path: "/api/v1/console-sessions", idempotent: true },
      options,
      readBody<ResponseBody<"GET /api/v1/console-sessions">>("GET /api/v1/console-sessions"),
    );
    return wire.sessions;
  }

  /** Ends one console session at once (a setup link's by revoking the link): `DELETE /api/v1/console-sessions/{id}`. */
  async endConsoleSession(id: string, options?: RequestOptions): Promise<void> {
    await this.call({ method: "DELETE", path: `/api/v1/console-sessions/${segment(id)}`, idempotent: true }, options, noBody);
  }

  /** Ends every console session, setup links' included: `DELETE /api/v1/console-sessions`; answers how many were live. */
  endAllConsoleSessions(options?: RequestOptions): Promise<ResponseBody<"DELETE /api/v1/console-sessions">> {
    return this.call(
      { method: "DELETE", path: "/api/v1/console-sessions", idempotent: true },
      options,
      readBody("DELETE /api/v1/console-sessions"),
    );
  }
}
