/** `client.admin`'s keys and settings: the service's signing keys (list, rotate), re-encrypting stored secrets under the current encryption key, and the effective settings. */
import type { RequestOptions } from "../http.ts";
import { readBody, type ResponseBody } from "../wire.ts";
import { SetupLinkAdmin } from "./setup-links.ts";

/** One of the service's signing keys: public facts only. `current`: the key new tokens are signed with. */
export type SigningKey = ResponseBody<"GET /api/v1/keys">[number];

/** The service's settings by environment variable; secrets only as `{ set }`, URLs without their passwords. */
export type ServiceSettings = ResponseBody<"GET /api/v1/settings">;

export class KeyAdmin extends SetupLinkAdmin {
  /** Lists the published signing keys, newest first: `GET /api/v1/keys`. A retired key stays published until the tokens it signed have expired. */
  listSigningKeys(options?: RequestOptions): Promise<SigningKey[]> {
    return this.call({ method: "GET", path: "/api/v1/keys", idempotent: true }, options, readBody<SigningKey[]>("GET /api/v1/keys"));
  }

  /** Reads the service's effective settings, never a secret: `GET /api/v1/settings`. */
  getSettings(options?: RequestOptions): Promise<ServiceSettings> {
    return this.call(
      { method: "GET", path: "/api/v1/settings", idempotent: true },
      options,
      readBody<ServiceSettings>("GET /api/v1/settings"),
    );
  }

  /**
   * Creates a new signing key for the service's own tokens: `POST /api/v1/keys/rotate`. The
   * previous key stays published in the JWKS until the tokens it signed have expired. Not
   * idempotent: each request rotates again.
   */
  rotateSigningKeys(options?: RequestOptions): Promise<ResponseBody<"POST /api/v1/keys/rotate">> {
    return this.call({ method: "POST", path: "/api/v1/keys/rotate", idempotent: false }, options, readBody("POST /api/v1/keys/rotate"));
  }

  /**
   * Re-encrypts every client secret and sealed signing key under the service's current (first)
   * `ENCRYPTION_KEY`: `POST /api/v1/keys/reencrypt`; afterwards the previous keys can be dropped
   * from the list. Safe to replay: a repeat finds nothing left to re-encrypt (`reencrypted: 0`).
   */
  reencryptSecrets(options?: RequestOptions): Promise<ResponseBody<"POST /api/v1/keys/reencrypt">> {
    return this.call(
      { method: "POST", path: "/api/v1/keys/reencrypt", idempotent: true },
      options,
      readBody("POST /api/v1/keys/reencrypt"),
    );
  }
}
