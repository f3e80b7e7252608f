import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { Config } from "../../src/config.ts";
import { freePort } from "./spawned-service.ts";
import { type JsonResponse, type RunningService, startService } from "./service.ts";
import { NAMEID_PERSISTENT, type SamlIdp, type SamlIdpUser, startSamlIdp } from "./saml-idp.ts";

export const SAML_REDIRECT_URI = "http://127.0.0.1:5173/callback";
export const SAML_PROVIDER = "corp-saml";

/** Ada signs in at the IdP with a persistent NameID and her email as an attribute. */
export const ada: SamlIdpUser & { readonly email: string } = {
  email: "ada@corp.test",
  nameId: "ada-persistent-7f3",
  nameIdFormat: NAMEID_PERSISTENT,
  attributes: { email: ["ada@corp.test"], displayName: ["Ada Corp"] },
};

export interface SamlFixture {
  readonly service: RunningService;
  readonly idp: SamlIdp;
  readonly orgId: string;
  /** The SP side of the provider: what the IdP's responses are addressed to. */
  readonly sp: { readonly spEntityId: string; readonly acsUrl: string };
  /** initAuth for `email`: its session token. */
  initAuth(email: string): Promise<string>;
  /** authorize for `email` (under `session`, when given): the IdP URL and the state. */
  authorize(email: string, session?: string, extra?: Record<string, string>): Promise<{ authorizationUrl: string; state: string }>;
  /** POSTs oauth/exchange for the provider; `sessionToken` goes in x-session-token. */
  exchange(body: Record<string, unknown>, sessionToken?: string): Promise<JsonResponse>;
  /** POSTs authenticate with what the exchange answered. */
  authenticate(session: string, tokens: { access_token: string; id_token?: string }, method?: string): Promise<JsonResponse>;
}

export interface SamlFixtureOptions {
  readonly settings?: Record<string, unknown>;
  readonly domains?: string[];
  readonly config?: Partial<Config>;
  readonly service?: RunningService;
  readonly idp?: SamlIdp;
  readonly user?: SamlIdpUser;
}

/** A service with one organisation (corp.test) whose SAML provider is the independent test IdP on loopback. */
export async function samlFixture(t: TestContext, options: SamlFixtureOptions = {}): Promise<SamlFixture> {
  const idp = options.idp ?? (await startSamlIdp({ user: options.user ?? ada }));
  if (!options.idp) t.after(() => idp.close());
  const service = options.service ?? (await startSamlService(t, options.config));
  const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Corp", domains: options.domains ?? ["corp.test"] });
  assert.equal(org.status, 201, org.text);
  const put = await putSamlProvider(service, org.body.id, SAML_PROVIDER, samlProviderInput(idp, options.settings));
  const sp = { spEntityId: put.spEntityId, acsUrl: put.acsUrl };
  return {
    service,
    idp,
    orgId: org.body.id,
    sp,
    async initAuth(email) {
      const init = await service.request("POST", "/userAccount/initAuth", { email });
      assert.equal(init.status, 200, init.text);
      return init.headers.get("x-session-token")!;
    },
    async authorize(email, session, extra = {}) {
      const query = new URLSearchParams({ provider: SAML_PROVIDER, email, redirectUri: SAML_REDIRECT_URI, ...extra });
      const started = await service.request<{ authorizationUrl: string; state: string }>(
        "GET",
        `/userAccount/oauth/authorize?${query}`,
        undefined,
        session === undefined ? {} : { "x-session-token": session },
      );
      assert.equal(started.status, 200, started.text);
      return started.body;
    },
    exchange: (body, sessionToken) =>
      service.request(
        "POST",
        "/userAccount/oauth/exchange",
        { provider: SAML_PROVIDER, redirectUri: SAML_REDIRECT_URI, ...body },
        sessionToken === undefined ? {} : { "x-session-token": sessionToken },
      ),
    authenticate: (session, tokens, method = "samlSso") =>
      service.request(
        "POST",
        "/userAccount/authenticate",
        {
          method,
          credentials: { accessToken: tokens.access_token, ...(tokens.id_token !== undefined && { idToken: tokens.id_token }) },
          provider: SAML_PROVIDER,
        },
        { "x-session-token": session },
      ),
  };
}

/** A service whose PUBLIC_URL is its own address, so the ACS URL the IdP posts to reaches it. */
export async function startSamlService(t: TestContext, config: Partial<Config> = {}): Promise<RunningService> {
  const port = await freePort();
  return startService(t, { publicUrl: `http://127.0.0.1:${port}`, ...config }, { port });
}

/** A SAML provider's settings for the test IdP, as the admin API takes them: JIT on, the email in the `email` attribute. */
export function samlProviderInput(idp: SamlIdp, settings: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    idpEntityId: idp.entityId,
    idpSsoUrl: idp.ssoUrl,
    idpCertificates: idp.keys.map((key) => key.certificatePem),
    redirectUris: [SAML_REDIRECT_URI],
    enableJit: true,
    emailAttribute: "email",
    ...settings,
  };
}

/** Saves a SAML provider through the admin API, as the operator does. */
export async function putSamlProvider(
  service: RunningService,
  orgId: string,
  name: string,
  input: Record<string, unknown>,
): Promise<{ spEntityId: string; acsUrl: string }> {
  const put = await service.admin<{ spEntityId: string; acsUrl: string }>("PUT", `/api/v1/orgs/${orgId}/saml-providers/${name}`, input);
  assert.equal(put.status, 201, put.text);
  return put.body;
}

/** Where the ACS sent the browser: the redirect URI's query, parsed (asserts a 303 to the application). */
export async function landing(response: Response): Promise<URLSearchParams> {
  assert.equal(response.status, 303, `the ACS answered ${response.status}: ${await response.text()}`);
  const location = new URL(response.headers.get("location")!);
  assert.equal(`${location.origin}${location.pathname}`, SAML_REDIRECT_URI);
  return location.searchParams;
}

/** The AuthError the ACS answered a client that does not ask for HTML (an unsolicited response has no redirect URI to trust). */
export async function acsRefusal(response: Response): Promise<{ status: number; error: string; message: string }> {
  const text = await response.text();
  assert.notEqual(response.status, 303, `the ACS accepted the response: ${response.headers.get("location")}`);
  const body = JSON.parse(text) as { error: string; message: string };
  return { status: response.status, error: body.error, message: body.message };
}

/** A sign-in through the IdP up to the ACS's redirect: the session, the state, and the code. */
export async function samlCode(f: SamlFixture, email = ada.email): Promise<{ session: string; state: string; code: string }> {
  const session = await f.initAuth(email);
  const { authorizationUrl, state } = await f.authorize(email, session);
  const back = await landing(await f.idp.followSso(authorizationUrl));
  assert.equal(back.get("error_id"), null, back.get("error_description") ?? "");
  assert.equal(back.get("state"), state);
  return { session, state, code: back.get("code")! };
}
