import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { DoctorFinding } from "../../src/admin/provider-doctor.ts";
import type { Config } from "../../src/config.ts";
import { type RunningService, startService } from "./service.ts";
import { startTestProvider, type TestProvider, type TestProviderOptions, type TestUser } from "./test-provider.ts";

export const REDIRECT_URI = "http://127.0.0.1:5173/callback";
export const CLIENT_SECRET = "s3cret-Client-Value-4b9e2";

export const alice: TestUser = { sub: "alice-sub", email: "alice@acme.test", email_verified: true, name: "Alice Acme" };
export const bob: TestUser = { sub: "bob-sub", email: "bob@acme.test", email_verified: true, name: "Bob Acme" };

export interface SignInFixture {
  readonly service: RunningService;
  readonly provider: TestProvider;
  readonly orgId: string;
  /** Drives the provider's login for `login` and returns the code it sent back. */
  code(login: string, extra?: { scope?: string; nonce?: string; codeChallenge?: string; state?: string }): Promise<string>;
  /** POSTs oauth/exchange; `sessionToken` goes in x-session-token. */
  exchange(body: Record<string, unknown>, sessionToken?: string): ReturnType<RunningService["request"]>;
}

export interface FixtureOptions {
  readonly users?: TestUser[];
  readonly providerOptions?: Partial<TestProviderOptions>;
  readonly settings?: Record<string, unknown>;
  readonly providerName?: string;
  readonly domains?: string[];
  readonly authMethod?: "client_secret_basic" | "client_secret_post";
  readonly config?: Partial<Config>;
  readonly service?: RunningService;
  readonly provider?: TestProvider;
  readonly clientId?: string;
}

/** A service with one organisation whose provider is a real oidc-provider on loopback. */
export async function signInFixture(t: TestContext, options: FixtureOptions = {}): Promise<SignInFixture> {
  const clientId = options.clientId ?? "pipeshub-app";
  const authMethod = options.authMethod ?? "client_secret_basic";
  const provider =
    options.provider ??
    (await startTestProvider({
      clients: [
        { client_id: clientId, client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: authMethod },
      ],
      users: options.users ?? [alice],
      ...options.providerOptions,
    }));
  if (!options.provider) t.after(() => provider.close());
  const service = options.service ?? (await startService(t, options.config));
  const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: options.domains ?? ["acme.test"] });
  assert.equal(org.status, 201, org.text);
  const name = options.providerName ?? "acme-idp";
  const put = await service.admin("PUT", `/api/v1/orgs/${org.body.id}/oauth-providers/${name}`, {
    clientId,
    clientSecret: CLIENT_SECRET,
    issuer: provider.issuer,
    redirectUris: [REDIRECT_URI],
    tokenEndpointAuthMethod: authMethod,
    enableJit: true,
    ...options.settings,
  });
  assert.equal(put.status, 201, put.text);
  return {
    service,
    provider,
    orgId: org.body.id,
    async code(login, extra = {}) {
      const result = await provider.authorize({ clientId, redirectUri: REDIRECT_URI, login, ...extra });
      assert.ok("code" in result, `the provider sent no code: ${JSON.stringify(result)}`);
      return result.code;
    },
    exchange: (body, sessionToken) =>
      service.request(
        "POST",
        "/userAccount/oauth/exchange",
        { provider: name, redirectUri: REDIRECT_URI, ...body },
        sessionToken === undefined ? {} : { "x-session-token": sessionToken },
      ),
  };
}

/** The provider doctor's findings for the fixture organisation's provider `name`. */
export async function doctor(f: SignInFixture, name = "acme-idp"): Promise<DoctorFinding[]> {
  const response = await f.service.admin<{ findings: DoctorFinding[] }>("POST", `/api/v1/orgs/${f.orgId}/oauth-providers/${name}/doctor`);
  assert.equal(response.status, 200, response.text);
  return response.body.findings;
}

/**
 * Acme, with alice made its admin before her first sign-in (bob, a member, is provisioned at his),
 * and Initech, another organisation.
 */
export async function acmeAndInitech(
  t: TestContext,
  config?: Partial<Config>,
): Promise<{ f: SignInFixture; aliceId: string; otherId: string }> {
  const f = await signInFixture(t, { users: [alice, bob], ...(config && { config }) });
  const made = await f.service.admin<{ id: string; role: string }>("POST", `/api/v1/orgs/${f.orgId}/users`, {
    email: alice.email,
    role: "admin",
  });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.body.role, "admin");
  const other = await f.service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Initech", domains: ["initech.test"] });
  assert.equal(other.status, 201, other.text);
  return { f, aliceId: made.body.id, otherId: other.body.id };
}

/** A person's sign-in up to the provider's answer: initAuth → authorize (provider acme-idp) → the provider's login. */
export async function startSignIn(f: SignInFixture, user: TestUser): Promise<{ session: string; code: string; state: string }> {
  const init = await f.service.request("POST", "/userAccount/initAuth", { email: user.email });
  const session = init.headers.get("x-session-token")!;
  const query = new URLSearchParams({ provider: "acme-idp", email: user.email, redirectUri: REDIRECT_URI });
  const started = await f.service.request<{ authorizationUrl: string; state: string }>(
    "GET",
    `/userAccount/oauth/authorize?${query}`,
    undefined,
    { "x-session-token": session },
  );
  assert.equal(started.status, 200, started.text);
  const callback = await f.provider.authorize({
    authorizationUrl: started.body.authorizationUrl,
    login: user.sub,
    clientId: "",
    redirectUri: "",
  });
  assert.ok("code" in callback, JSON.stringify(callback));
  return { session, code: callback.code, state: started.body.state };
}

/** The whole sign-in a person makes: {@link startSignIn}, then exchange → authenticate; answers the service's tokens. */
export async function signIn(f: SignInFixture, user: TestUser): Promise<{ accessToken: string; refreshToken: string }> {
  const { session, code, state } = await startSignIn(f, user);
  const exchanged = await f.exchange({ code, email: user.email, state }, session);
  assert.equal(exchanged.status, 200, exchanged.text);
  const { access_token, id_token } = exchanged.body as { access_token: string; id_token: string };
  const final = await f.service.request<{ accessToken: string; refreshToken: string }>(
    "POST",
    "/userAccount/authenticate",
    { method: "oauth", credentials: { accessToken: access_token, idToken: id_token } },
    { "x-session-token": session },
  );
  assert.equal(final.status, 200, final.text);
  return final.body;
}
