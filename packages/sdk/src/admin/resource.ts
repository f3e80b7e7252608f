/**
 * What every group of `client.admin` operations shares: the transport, the admin token sent as
 * `Authorization: Bearer`, and the organisation and provider paths. The groups (one file per
 * resource in this folder) extend one another only to compose the one `Admin` class of
 * admin.ts, so `client.admin.<operation>` reaches them all.
 */
import { segment, type RawResponse, type RequestOptions, type RequestSpec, type Transport } from "../http.ts";
import { bearer } from "../user-account.ts";

export class AdminResource {
  readonly #transport: Transport;
  readonly #token: string | undefined;

  /** @internal Created by `Pipeshub`. */
  constructor(transport: Transport, adminToken: string | undefined) {
    this.#transport = transport;
    this.#token = adminToken;
  }

  /** Sends `spec` with the client's admin token; refuses, sending nothing, when the client has none. */
  protected call<T>(spec: RequestSpec, options: RequestOptions | undefined, decode: (raw: RawResponse) => T): Promise<T> {
    if (this.#token === undefined) {
      return Promise.reject(new TypeError("client.admin needs the adminToken client option"));
    }
    return this.#transport.request({ ...spec, headers: bearer(this.#token) }, options, decode);
  }

  /** Sends `spec` without the admin token (a setup link's redemption, which needs none). */
  protected callWithoutToken<T>(spec: RequestSpec, options: RequestOptions | undefined, decode: (raw: RawResponse) => T): Promise<T> {
    return this.#transport.request(spec, options, decode);
  }
}

/** The decoder of an answer without a body (204, or a 200 whose body is not read). */
export const noBody = (): void => undefined;

export function orgPath(orgId: string): string {
  return `/api/v1/orgs/${segment(orgId)}`;
}

export function providerPath(orgId: string, name: string): string {
  return `${orgPath(orgId)}/oauth-providers/${segment(name)}`;
}
