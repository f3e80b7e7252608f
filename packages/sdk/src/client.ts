/**
 * The `Pipeshub` client: configuration, and the operation groups `oauth`, `userAccount`
 * and `admin`.
 */
import { Admin } from "./admin.ts";
import { checkTimeout, Transport, type FetchLike } from "./http.ts";
import { OAuth } from "./oauth.ts";
import type { RetryConfig } from "./retry.ts";
import { UserAccount } from "./user-account.ts";

/** This SDK's version; part of the default `User-Agent`. */
export const SDK_VERSION = "0.1.0";

/**
 * The default per-attempt time limit: 30 s. Longer than the service's own 10 s limit on each
 * call to a provider, so its 504 arrives first; short enough that a stopped or stuck server
 * does not hold a caller forever.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Options of {@link Pipeshub}. */
export interface PipeshubOptions {
  /** Base URL of the service, e.g. `"https://api.example.com"`; operation paths are appended to it. */
  serverURL: string;
  /** Default retry policy of every call (default `{ strategy: "none" }`); a call's `retries` replaces it. */
  retryConfig?: RetryConfig;
  /**
   * Per-attempt time limit in milliseconds, covering connection, headers and body (default
   * {@link DEFAULT_TIMEOUT_MS}); `Infinity` waits forever. A call's `timeoutMs` replaces it.
   */
  timeoutMs?: number;
  /** The `fetch` to use (default: `globalThis.fetch`, looked up at call time). */
  fetch?: FetchLike;
  /** `User-Agent` header (default `pipeshub-ts/<version>`). Browsers may ignore it. */
  userAgent?: string;
  /** Headers added to every request. */
  headers?: Record<string, string>;
  /** Bearer token for `client.admin` calls. */
  adminToken?: string;
}

/**
 * Client of the PipesHub user-account API.
 *
 * @example
 * ```ts
 * const client = new Pipeshub({ serverURL: "https://api.example.com" });
 * const res = await client.oauth.exchangeCode({
 *   code: "<value>", email: "Jason2@gmail.com", provider: "<value>", redirectUri: "https://enlightened-developing.info",
 * });
 * ```
 */
export class Pipeshub {
  /** OAuth code flow: `authorizationUrl`, `exchangeCode`. */
  readonly oauth: OAuth;
  /** Sign-in session and tokens: `initAuth`, `authenticate`, `refreshToken`, `logout`. */
  readonly userAccount: UserAccount;
  /** Organisation administration; needs `adminToken`. */
  readonly admin: Admin;

  /** @throws {TypeError} when `serverURL` is not an absolute http(s) URL or `timeoutMs` is not a valid time limit. */
  constructor(options: PipeshubOptions) {
    checkServerURL(options.serverURL);
    if (options.timeoutMs !== undefined) checkTimeout(options.timeoutMs);
    const transport = new Transport({
      serverURL: options.serverURL,
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      userAgent: options.userAgent ?? `pipeshub-ts/${SDK_VERSION}`,
      headers: { ...options.headers },
      retryConfig: options.retryConfig,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    this.oauth = new OAuth(transport);
    this.userAccount = new UserAccount(transport);
    this.admin = new Admin(transport, options.adminToken);
  }
}

function checkServerURL(serverURL: string): void {
  let url: URL;
  try {
    url = new URL(serverURL);
  } catch {
    throw new TypeError(`serverURL must be an absolute URL, got ${JSON.stringify(serverURL)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`serverURL must use http or https, got ${url.protocol}`);
  }
}
