import assert from "node:assert/strict";
import type { JsonResponse, RunningService } from "./service.ts";

/** A SCIM token as the admin API answers it once. */
export interface ScimTokenMade {
  readonly id: string;
  readonly token: string;
  readonly baseUrl: string;
}

/** The operator makes a SCIM token for the organisation. */
export async function makeScimToken(service: Pick<RunningService, "admin">, orgId: string): Promise<ScimTokenMade> {
  const made = await service.admin<ScimTokenMade>("POST", `/api/v1/orgs/${orgId}/scim-tokens`);
  assert.equal(made.status, 201, made.text);
  return made.body;
}

/**
 * An IdP's requests: to a path under the token's base URL, with the token as bearer and the body
 * sent as `application/scim+json`, as Entra ID and Okta send it. The bodies are the tests' own
 * literal JSON, never built by the project's code.
 */
export function scimClient(service: Pick<RunningService, "request">, made: Pick<ScimTokenMade, "token" | "baseUrl">) {
  const base = new URL(made.baseUrl).pathname;
  return async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<JsonResponse<T>> =>
    service.request<T>(method, `${base}${path}`, body === undefined ? undefined : JSON.stringify(body), {
      authorization: `Bearer ${made.token}`,
      ...(body !== undefined && { "content-type": "application/scim+json" }),
      ...headers,
    });
}

/** A SCIM error body (RFC 7644 §3.12). */
export type ScimErrorBody = { schemas: string[]; status: string; scimType?: string; detail: string };

/** Asserts a SCIM error of `status` (and `scimType` when given), and returns its body. */
export function assertScimError(response: JsonResponse<unknown>, status: number, scimType?: string): ScimErrorBody {
  assert.equal(response.status, status, response.text);
  assert.match(response.headers.get("content-type") ?? "", /^application\/scim\+json/);
  const body = response.body as ScimErrorBody;
  assert.deepEqual(body.schemas, ["urn:ietf:params:scim:api:messages:2.0:Error"]);
  assert.equal(body.status, String(status));
  assert.equal(body.scimType, scimType);
  assert.equal(typeof body.detail, "string");
  return body;
}
