import { ServiceError, UnreachableError } from "./errors.ts";

/** A tiny client of the service's admin API over fetch: JSON in, JSON out, AuthError as ServiceError. */
export interface AdminClient {
  readonly baseUrl: string;
  /** The answer's body; a non-2xx answer throws ServiceError, no answer UnreachableError. */
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** The same, with the status (e.g. 201 created vs 200 replaced). */
  call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export interface AdminClientOptions {
  /** The service's base URL, without a trailing slash. */
  readonly baseUrl: string;
  readonly token: string;
  /** Deadline of each request; a provider check can take the service's outbound timeout twice. */
  readonly timeoutMs?: number;
}

const USER_AGENT = "pipeshub-auth-cli";

/** Why fetch failed, in words: the network error's code when there is one (ECONNREFUSED, ENOTFOUND…). */
function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

export function createAdminClient(options: AdminClientOptions): AdminClient {
  const timeoutMs = options.timeoutMs ?? 60_000;
  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    let response: Response;
    try {
      response = await fetch(options.baseUrl + path, {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: "application/json",
          "user-agent": USER_AGENT,
          ...(body !== undefined && { "content-type": "application/json" }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
        throw new UnreachableError(`the service at ${options.baseUrl} did not answer within ${Math.round(timeoutMs / 1000)} s`);
      }
      throw new UnreachableError(`cannot reach the service at ${options.baseUrl} (${reason(error)})`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new UnreachableError(`the connection to ${options.baseUrl} broke off while reading the answer (${reason(error)})`);
    }
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok) return { status: response.status, body: parsed as T };
    const error = parsed as { error?: unknown; message?: unknown } | undefined;
    if (error && typeof error.error === "string" && typeof error.message === "string") {
      throw new ServiceError(response.status, error.error, error.message, parsed as Record<string, unknown>);
    }
    // Not an AuthError: something else answers at this address (a proxy, another service).
    throw new ServiceError(response.status, `HTTP_${response.status}`, `${options.baseUrl} answered ${response.status} ${response.statusText} without an AuthError body; is --url the pipeshub-auth service?`, {});
  }
  return {
    baseUrl: options.baseUrl,
    call,
    request: async <T>(method: string, path: string, body?: unknown): Promise<T> => (await call<T>(method, path, body)).body,
  };
}
