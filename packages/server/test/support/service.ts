import assert from "node:assert/strict";
import { Writable } from "node:stream";
import type { TestContext } from "node:test";
import { type App, buildApp } from "../../src/app.ts";
import { type Clock, clockReading } from "../../src/domain/ports/clock.ts";
import { type Config, testConfig } from "../../src/config.ts";

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** The AuthError wire shape every 4xx/5xx answers. */
export type ErrorBody = { error: string; message: string; code: string; statusCode: number; providerError?: string };

/** Asserts a response is the AuthError `error` with `status`, and returns its body. */
export function assertAuthError(response: { status: number; body: unknown; text: string }, status: number, error: string): ErrorBody {
  assert.equal(response.status, status, response.text);
  const body = response.body as ErrorBody;
  assert.equal(body.error, error, response.text);
  assert.equal(body.statusCode, status);
  assert.equal(typeof body.message, "string");
  assert.match(body.code, /^(HTTP_[A-Z_]+|INTERNAL_ERROR)$/);
  return body;
}

export interface RunningService {
  readonly url: string;
  readonly app: App;
  /** Every log line the service wrote so far. */
  logs(): string;
  request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<JsonResponse<T>>;
  admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>>;
}

/** Builds the service in-process and listens on loopback; closed when the test ends. */
export async function startService(
  t: TestContext,
  overrides: Partial<Config> = {},
  options: { now?: () => number; clock?: Clock; port?: number } = {},
): Promise<RunningService> {
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const config = testConfig({ logLevel: "debug", ...overrides });
  // `now` alone moves the clock's reading; its timers stay the system's.
  const clock = options.clock ?? (options.now && clockReading(options.now));
  const app = await buildApp(config, { logStream, ...(clock && { clock }) });
  // A given port lets PUBLIC_URL be the service's own address (a SAML IdP posts to it).
  await app.server.listen({ host: "127.0.0.1", port: options.port ?? 0 });
  t.after(() => app.close());
  const address = app.server.server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const { request, admin } = jsonClient(url, config.adminToken);
  return {
    url,
    app,
    logs: () => lines.join(""),
    request,
    admin,
  };
}

/** JSON requests to a service at `url` (in-process or a spawned process); `admin` sends the admin token. */
export function jsonClient(url: string, adminToken: string): Pick<RunningService, "request" | "admin"> {
  async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
    const response = await fetch(url + path, {
      method,
      headers: { ...(body !== undefined && { "content-type": "application/json" }), ...headers },
      ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }
  return {
    request,
    admin: (method, path, body) => request(method, path, body, { authorization: `Bearer ${adminToken}` }),
  };
}

/** The header that presents `token` (a user's access or refresh token, a setup session's) as a bearer token. */
export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });

/** A request with `token` as its bearer token instead of the admin token. */
export const requestAs = (client: Pick<RunningService, "request">, token: string, method: string, path: string, body?: unknown) =>
  client.request(method, path, body, bearer(token));

/** POST /userAccount/refresh/token with `refreshToken`. */
export const refreshWith = (client: Pick<RunningService, "request">, refreshToken: string) =>
  client.request<{ user: Record<string, unknown>; accessToken: string; refreshToken: string }>(
    "POST",
    "/userAccount/refresh/token",
    undefined,
    bearer(refreshToken),
  );

/** An audit record as the admin API answers it. */
export interface AuditEntry {
  readonly id: string;
  readonly createdAt: string;
  readonly event: string;
  readonly outcome: string;
  readonly userId: string | null;
  readonly email: string | null;
  readonly error: string | null;
  readonly ip: string | null;
  readonly orgId: string | null;
  readonly provider: string | null;
  /** Who acted (admin actions and refused admin requests); null on sign-in steps. */
  readonly actor: string | null;
  readonly changes: readonly ({ field: string; before: unknown; after: unknown } | { field: string; changed: true })[] | null;
}

/**
 * The organisation's sign-in records (not the admin actions that set it up, which name their
 * actor), newest first; `query` narrows the page as the audit API does (`limit=10`, …).
 */
export async function signInRecords(service: Pick<RunningService, "admin">, orgId: string, query = ""): Promise<AuditEntry[]> {
  const page = await service.admin<{ records: AuditEntry[] }>("GET", `/api/v1/orgs/${orgId}/audit?${query}`);
  assert.equal(page.status, 200, page.text);
  return page.body.records.filter((r) => r.actor === null);
}

/** The organisation's audit records whose event starts with `prefix` (the newest 200), oldest first. */
export async function auditEvents(service: Pick<RunningService, "admin">, orgId: string, prefix: string): Promise<AuditEntry[]> {
  const page = await service.admin<{ records: AuditEntry[] }>("GET", `/api/v1/orgs/${orgId}/audit?limit=200`);
  assert.equal(page.status, 200, page.text);
  return page.body.records.filter((r) => r.event.startsWith(prefix)).reverse();
}
