/**
 * `client.admin`'s checks of a provider: test it, examine it (doctor), read how its sign-ins
 * went (health) and what the provider watch found changed (events), and test sign-ins.
 */
import type { RequestOptions } from "../http.ts";
import { readBody, type Query, type RequestBody, type ResponseBody, type Schema } from "../wire.ts";
import { orgPath, providerPath } from "./resource.ts";
import { ProviderAdmin } from "./providers.ts";

/** What {@link Admin.testProvider} learnt from the provider just now (`ok` is always `true` in a result: a failed check rejects). */
export type ProviderCheck = ResponseBody<"POST /api/v1/orgs/{orgId}/oauth-providers/{name}/test">;

/** What {@link Admin.doctorProvider} found: one finding per check that applies to the provider. */
export type ProviderDoctorReport = ResponseBody<"POST /api/v1/orgs/{orgId}/oauth-providers/{name}/doctor">;

/** One check of {@link Admin.doctorProvider}: on `warn` and `fail`, a `fix` says what to change, and where. */
export type DoctorFinding = ProviderDoctorReport["findings"][number];

/** How a doctor check came out: `fail` — sign-in will not work until fixed; `warn` — it may work, but something is off. */
export type DoctorFindingStatus = DoctorFinding["status"];

/** The windows {@link Admin.getProviderHealth} reads over. */
export type HealthWindow = NonNullable<Query<"GET /api/v1/orgs/{orgId}/oauth-providers/{name}/health">["window"]>;

/** How sign-ins through one provider went over a window: failures by reason, the last one, and the same over time (`series`). */
export type ProviderHealth = ResponseBody<"GET /api/v1/orgs/{orgId}/oauth-providers/{name}/health">;

/** The attempts of one bucket of {@link ProviderHealth.series}. */
export type HealthBucket = ProviderHealth["series"][number];

/** A change the provider watch found at one of the organisation's providers. */
export type ProviderEvent = Schema<"ProviderEvent">;

/** One difference the provider watch found: a field's before and after, or keys/algorithms added and removed. */
export type ProviderChange = ProviderEvent["changes"][number];

/** Where {@link Admin.startTestSignIn} sends the administrator's browser, the state to complete with, and the redirect URI the provider will send the code to. */
export type TestSignInStart = ResponseBody<"POST /api/v1/orgs/{orgId}/oauth-providers/{name}/test-signin">;

/** The outcome of {@link Admin.completeTestSignIn}: the verified claims, userinfo, and what a real sign-in would do. Nothing was created. */
export type TestSignInResult = ResponseBody<"POST /api/v1/test-signins/complete">;

/** What a real sign-in by the person who did the test sign-in would do. */
export type TestSignInDecision = TestSignInResult["decision"];

export class ProviderCheckAdmin extends ProviderAdmin {
  /**
   * Checks that the provider's discovery document and keys can be fetched now:
   * `POST /api/v1/orgs/{orgId}/oauth-providers/{name}/test`. Changes nothing, so it is
   * retried like a read.
   *
   * @throws {PipeshubDefaultError} 502 `PROVIDER_UNAVAILABLE` / `PROVIDER_ERROR`, 504 `PROVIDER_TIMEOUT`, 404 `NOT_FOUND`.
   */
  testProvider(orgId: string, name: string, options?: RequestOptions): Promise<ProviderCheck> {
    return this.call(
      { method: "POST", path: `${providerPath(orgId, name)}/test`, idempotent: true },
      options,
      readBody<ProviderCheck>("POST /api/v1/orgs/{orgId}/oauth-providers/{name}/test"),
    );
  }

  /**
   * Examines the provider now, as a sign-in would meet it: discovery and its issuer, the key set
   * and its algorithms, PKCE, whether the token endpoint accepts the client's credentials, the
   * email scope, userinfo and the provider's clock:
   * `POST /api/v1/orgs/{orgId}/oauth-providers/{name}/doctor`. A provider's problems are findings
   * (`status: "fail"` with a `fix`), not errors. Changes nothing, so it is retried like a read.
   *
   * @throws {PipeshubDefaultError} 404 `NOT_FOUND` (no such organisation or provider).
   */
  doctorProvider(orgId: string, name: string, options?: RequestOptions): Promise<ProviderDoctorReport> {
    return this.call(
      { method: "POST", path: `${providerPath(orgId, name)}/doctor`, idempotent: true },
      options,
      readBody<ProviderDoctorReport>("POST /api/v1/orgs/{orgId}/oauth-providers/{name}/doctor"),
    );
  }

  /**
   * How sign-ins through a provider went over the last hour, day (default) or week, failures by
   * reason and what to do about the last one, and over time (`series`): `GET /api/v1/orgs/{orgId}/oauth-providers/{name}/health?window=`.
   */
  getProviderHealth(orgId: string, name: string, window?: HealthWindow, options?: RequestOptions): Promise<ProviderHealth> {
    return this.call(
      { method: "GET", path: `${providerPath(orgId, name)}/health`, query: { window }, idempotent: true },
      options,
      readBody<ProviderHealth>("GET /api/v1/orgs/{orgId}/oauth-providers/{name}/health"),
    );
  }

  /** What the provider watch found changed at the organisation's providers, newest first: `GET /api/v1/orgs/{orgId}/events?limit=`. */
  async listEvents(orgId: string, request: { limit?: number } = {}, options?: RequestOptions): Promise<ProviderEvent[]> {
    const page = await this.call(
      { method: "GET", path: `${orgPath(orgId)}/events`, query: { limit: request.limit }, idempotent: true },
      options,
      readBody<ResponseBody<"GET /api/v1/orgs/{orgId}/events">>("GET /api/v1/orgs/{orgId}/events"),
    );
    return page.events;
  }

  /**
   * Starts a test sign-in at a provider: `POST /api/v1/orgs/{orgId}/oauth-providers/{name}/test-signin`.
   * Send a browser to `authorizationUrl`; the provider sends the code to `redirectUri`.
   */
  startTestSignIn(
    orgId: string,
    name: string,
    request: RequestBody<"POST /api/v1/orgs/{orgId}/oauth-providers/{name}/test-signin"> = {},
    options?: RequestOptions,
  ): Promise<TestSignInStart> {
    return this.call(
      { method: "POST", path: `${providerPath(orgId, name)}/test-signin`, body: request, idempotent: false },
      options,
      readBody<TestSignInStart>("POST /api/v1/orgs/{orgId}/oauth-providers/{name}/test-signin"),
    );
  }

  /**
   * Completes a test sign-in with the code the provider sent back: `POST /api/v1/test-signins/complete`.
   * Runs the real redemption and every check; creates no user, link, session or lockout count.
   */
  completeTestSignIn(request: { state: string; code: string }, options?: RequestOptions): Promise<TestSignInResult> {
    const body: RequestBody<"POST /api/v1/test-signins/complete"> = { state: request.state, code: request.code };
    return this.call(
      { method: "POST", path: "/api/v1/test-signins/complete", body, idempotent: false },
      options,
      readBody<TestSignInResult>("POST /api/v1/test-signins/complete"),
    );
  }
}
