/** `client.admin`'s keys: rotating the service's signing key, and re-encrypting stored secrets under the current encryption key. */
import type { RequestOptions } from "../http.ts";
import { readBody, type ResponseBody } from "../wire.ts";
import { SetupLinkAdmin } from "./setup-links.ts";

export class KeyAdmin extends SetupLinkAdmin {
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
