import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { describe, test } from "node:test";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { Result } from "../../src/domain/failures.ts";
import { auth0, entraId, expandPreset, gitHub, gitLab, google, keycloak, okta, PRESETS } from "../../src/presets/index.ts";
import type { ProviderSettingsInput } from "../../src/domain/provider-settings.ts";
import { type ScriptedRequest, startJsonServer } from "../support/faulty-servers.ts";
import { type RunningService, startService } from "../support/service.ts";
import { REDIRECT_URI } from "../support/sign-in-fixture.ts";

const client = { clientId: "app-id", clientSecret: "app-secret-value", redirectUris: [REDIRECT_URI] };
const TENANT = "7d3c6c8e-1b2a-4f5e-9c0d-2a1b3c4d5e6f";
type ErrorBody = { error: string; message: string };

function ok(result: Result<ProviderSettingsInput>): ProviderSettingsInput {
  assert.ok(result.ok, result.ok ? "" : result.message);
  return result.value;
}

function refused(result: Result<unknown>, message: RegExp): void {
  assert.equal(result.ok, false, "expected the preset to refuse");
  if (result.ok) return;
  assert.equal(result.error, "INVALID_PROVIDER_SETTINGS");
  assert.match(result.message, message);
}

describe("provider presets produce complete settings", () => {
  test("google: issuer https://accounts.google.com, OIDC scopes, the client passed through", () => {
    assert.deepEqual(ok(google(client)), { ...client, issuer: "https://accounts.google.com", scope: "openid email profile" });
  });

  test("entra-id: the tenant's v2.0 issuer, subject from oid, email verified by xms_edov", () => {
    assert.deepEqual(ok(entraId({ ...client, tenant: TENANT.toUpperCase() })), {
      ...client,
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      scope: "openid profile email",
      subjectClaim: "oid",
      emailVerifiedClaim: "xms_edov",
    });
  });

  test("github: plain OAuth 2.0 endpoints, numeric id as subject, emails from /user/emails; GitHub Enterprise Server by baseUrl", () => {
    assert.deepEqual(ok(gitHub(client)), {
      ...client,
      authorizationUrl: "https://github.com/login/oauth/authorize",
      tokenEndpoint: "https://github.com/login/oauth/access_token",
      userInfoEndpoint: "https://api.github.com/user",
      emailsEndpoint: "https://api.github.com/user/emails",
      scope: "read:user user:email",
      tokenEndpointAuthMethod: "client_secret_post",
      subjectClaim: "id",
    });
    const enterprise = ok(gitHub({ ...client, baseUrl: "https://github.example.com/" }));
    assert.equal(enterprise.authorizationUrl, "https://github.example.com/login/oauth/authorize");
    assert.equal(enterprise.userInfoEndpoint, "https://github.example.com/api/v3/user");
    assert.equal(enterprise.emailsEndpoint, "https://github.example.com/api/v3/user/emails");
  });

  test("gitlab: issuer https://gitlab.com, or a self-managed instance's address", () => {
    assert.equal(ok(gitLab(client)).issuer, "https://gitlab.com");
    assert.equal(ok(gitLab({ ...client, baseUrl: "https://gitlab.example.com/" })).issuer, "https://gitlab.example.com");
  });

  test("okta: the org authorization server, or a custom one", () => {
    assert.equal(ok(okta({ ...client, domain: "Acme.Okta.com" })).issuer, "https://acme.okta.com");
    assert.equal(
      ok(okta({ ...client, domain: "acme.okta.com", authorizationServerId: "default" })).issuer,
      "https://acme.okta.com/oauth2/default",
    );
  });

  test("auth0: the issuer keeps Auth0's trailing slash", () => {
    assert.equal(ok(auth0({ ...client, domain: "acme.us.auth0.com" })).issuer, "https://acme.us.auth0.com/");
  });

  test("keycloak: {baseUrl}/realms/{realm}, legacy /auth base paths kept", () => {
    assert.equal(
      ok(keycloak({ ...client, baseUrl: "https://sso.example.com/", realm: "acme" })).issuer,
      "https://sso.example.com/realms/acme",
    );
    assert.equal(
      ok(keycloak({ ...client, baseUrl: "https://sso.example.com/auth", realm: "acme corp" })).issuer,
      "https://sso.example.com/auth/realms/acme%20corp",
    );
  });

  test("every preset is listed with its options", () => {
    assert.deepEqual(
      PRESETS.map((p) => p.name),
      ["google", "entra-id", "github", "gitlab", "okta", "auth0", "keycloak"],
    );
  });
});

describe("presets validate their options", () => {
  const cases: [string, () => Result<unknown>, RegExp][] = [
    ["an empty clientId", () => google({ ...client, clientId: " " }), /clientId/],
    ["entra-id without a tenant", () => entraId({ ...client, tenant: "" }), /tenant is required/],
    ["entra-id with the multi-tenant 'common'", () => entraId({ ...client, tenant: "common" }), /multi-tenant/],
    ["entra-id with 'organizations'", () => entraId({ ...client, tenant: "organizations" }), /multi-tenant/],
    ["entra-id with a domain name instead of the tenant ID", () => entraId({ ...client, tenant: "contoso.onmicrosoft.com" }), /GUID/],
    ["okta without a domain", () => okta({ ...client, domain: "" }), /domain is required/],
    ["okta with a URL instead of a domain", () => okta({ ...client, domain: "https://acme.okta.com" }), /host name/],
    ["okta with a path in the domain", () => okta({ ...client, domain: "acme.okta.com/oauth2" }), /host name/],
    [
      "okta with a bad authorization server ID",
      () => okta({ ...client, domain: "acme.okta.com", authorizationServerId: "../x" }),
      /authorizationServerId/,
    ],
    ["auth0 with a single-label host", () => auth0({ ...client, domain: "localhost" }), /host name/],
    ["keycloak without a realm", () => keycloak({ ...client, baseUrl: "https://sso.example.com", realm: "" }), /realm is required/],
    ["keycloak with a slash in the realm", () => keycloak({ ...client, baseUrl: "https://sso.example.com", realm: "a/b" }), /realm/],
    ["keycloak without a base URL", () => keycloak({ ...client, baseUrl: "", realm: "acme" }), /baseUrl is required/],
    [
      "keycloak with a base URL that is not a URL",
      () => keycloak({ ...client, baseUrl: "sso.example.com", realm: "acme" }),
      /absolute URL/,
    ],
    [
      "keycloak with a query in the base URL",
      () => keycloak({ ...client, baseUrl: "https://sso.example.com/?x=1", realm: "acme" }),
      /query/,
    ],
    ["github with a non-http base URL", () => gitHub({ ...client, baseUrl: "ftp://github.example.com" }), /https URL/],
    ["gitlab with credentials in the base URL", () => gitLab({ ...client, baseUrl: "https://user:pw@gitlab.example.com" }), /credentials/],
  ];
  for (const [name, run, message] of cases) {
    test(`${name} → INVALID_PROVIDER_SETTINGS`, () => refused(run(), message));
  }

  test("expandPreset: explicit fields override the preset's; unknown presets and options are refused, naming the known ones", () => {
    const expanded = ok(
      expandPreset({ ...client, preset: "Okta", presetOptions: { domain: "acme.okta.com" }, scope: "openid email", enableJit: true }),
    );
    assert.equal(expanded.issuer, "https://acme.okta.com");
    assert.equal(expanded.scope, "openid email");
    assert.equal(expanded.enableJit, true);
    assert.equal("preset" in expanded, false);
    refused(
      expandPreset({ ...client, preset: "ping" }),
      /unknown preset "ping"; known presets: google, entra-id, github, gitlab, okta, auth0, keycloak/,
    );
    refused(
      expandPreset({ ...client, preset: "okta", presetOptions: { domian: "acme.okta.com" } }),
      /no option "domian"; it takes domain, authorizationServerId/,
    );
    refused(expandPreset({ ...client, preset: "google", presetOptions: { hd: "acme.com" } }), /takes no options/);
    refused(expandPreset({ ...client, presetOptions: { domain: "acme.okta.com" } }), /only meaningful with preset/);
    assert.deepEqual(ok(expandPreset({ ...client, issuer: "https://idp.example.com" })), { ...client, issuer: "https://idp.example.com" });
  });
});

async function orgOf(service: RunningService, domains = ["acme.test"]): Promise<string> {
  const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains });
  assert.equal(org.status, 201, org.text);
  return org.body.id;
}

describe("the admin API takes presets", () => {
  test("PUT with a preset stores the expanded settings; explicit fields win; the secret stays write-only", async (t) => {
    const service = await startService(t);
    const orgId = await orgOf(service);
    const response = await service.admin<Record<string, unknown>>("PUT", `/api/v1/orgs/${orgId}/oauth-providers/okta`, {
      preset: "okta",
      presetOptions: { domain: "acme.okta.com", authorizationServerId: "default" },
      ...client,
      enableJit: true,
      scope: "openid email",
    });
    assert.equal(response.status, 201, response.text);
    assert.equal(response.body.issuer, "https://acme.okta.com/oauth2/default");
    assert.equal(response.body.scope, "openid email");
    assert.equal(response.body.enableJit, true);
    assert.equal(response.body.subjectClaim, "sub");
    assert.equal(response.body.emailVerifiedClaim, "email_verified");
    assert.equal(response.body.clientSecretSet, true);
    assert.equal(response.text.includes(client.clientSecret), false);
    assert.equal(response.body.preset, undefined);

    const entra = await service.admin<Record<string, unknown>>("PUT", `/api/v1/orgs/${orgId}/oauth-providers/entra`, {
      preset: "entra-id",
      presetOptions: { tenant: TENANT },
      ...client,
    });
    assert.equal(entra.status, 201, entra.text);
    assert.equal(entra.body.subjectClaim, "oid");
    assert.equal(entra.body.emailVerifiedClaim, "xms_edov");
    const github = await service.admin<Record<string, unknown>>("GET", `/api/v1/orgs/${orgId}/oauth-providers`);
    assert.equal((github.body as unknown as unknown[]).length, 2);
  });

  const refusals: [string, Record<string, unknown>, RegExp][] = [
    ["an unknown preset", { preset: "ping", ...client }, /known presets: google, entra-id, github, gitlab, okta, auth0, keycloak/],
    ["a missing required option", { preset: "okta", ...client }, /domain is required/],
    [
      "an unknown option",
      { preset: "keycloak", presetOptions: { baseUrl: "https://sso.example.com", realm: "acme", client: "x" }, ...client },
      /no option "client"/,
    ],
    ["a mutable subject claim", { ...client, issuer: "https://idp.example.com", subjectClaim: "preferred_username" }, /stable identifier/],
    ["email as the subject claim", { ...client, issuer: "https://idp.example.com", subjectClaim: "email" }, /stable identifier/],
    [
      "a plain-http emails endpoint off loopback",
      { preset: "github", ...client, emailsEndpoint: "http://api.example.com/user/emails" },
      /emailsEndpoint must use https/,
    ],
  ];
  for (const [name, body, message] of refusals) {
    test(`${name} → 400 INVALID_PROVIDER_SETTINGS`, async (t) => {
      const service = await startService(t);
      const orgId = await orgOf(service);
      const response = await service.admin<ErrorBody>("PUT", `/api/v1/orgs/${orgId}/oauth-providers/idp`, body);
      assert.equal(response.status, 400, response.text);
      assert.equal(response.body.error, "INVALID_PROVIDER_SETTINGS");
      assert.match(response.body.message, message);
    });
  }

  test("a claim name that is not a claim name → 400 VALIDATION_ERROR", async (t) => {
    const service = await startService(t);
    const orgId = await orgOf(service);
    const response = await service.admin<ErrorBody>("PUT", `/api/v1/orgs/${orgId}/oauth-providers/idp`, {
      ...client,
      issuer: "https://idp.example.com",
      subjectClaim: "a b",
    });
    assert.equal(response.status, 400, response.text);
    assert.equal(response.body.error, "VALIDATION_ERROR");
  });

  test("GET /api/v1/provider-presets lists every preset with its options (admin only)", async (t) => {
    const service = await startService(t);
    const listed = await service.admin<{ name: string; title: string; options: { name: string; required: boolean; example: string }[] }[]>(
      "GET",
      "/api/v1/provider-presets",
    );
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(
      listed.body.map((p) => p.name),
      ["google", "entra-id", "github", "gitlab", "okta", "auth0", "keycloak"],
    );
    const keycloakOptions = listed.body.find((p) => p.name === "keycloak")!.options;
    assert.deepEqual(
      keycloakOptions.map((o) => [o.name, o.required]),
      [
        ["baseUrl", true],
        ["realm", true],
      ],
    );
    assert.deepEqual(
      listed.body.find((p) => p.name === "okta")!.options.map((o) => [o.name, o.required]),
      [
        ["domain", true],
        ["authorizationServerId", false],
      ],
    );
    assert.equal((await service.request("GET", "/api/v1/provider-presets")).status, 401);
  });
});

/**
 * A loopback provider shaped like Microsoft Entra ID v2.0: a tenant-scoped issuer path, and ID
 * tokens whose `sub` is pairwise while `oid` is the account's object ID. The test decides the
 * claims of the next ID token.
 */
async function entraShapedProvider(t: TestContext) {
  const key = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(key.publicKey)), kid: "entra-key", alg: "RS256", use: "sig" };
  let origin = "";
  const issuer = () => `${origin}/${TENANT}/v2.0`;
  let next: Record<string, unknown> = {};
  const server = await startJsonServer(async (req) => {
    if (req.url === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
      return {
        status: 200,
        body: {
          issuer: issuer(),
          authorization_endpoint: `${origin}/${TENANT}/oauth2/v2.0/authorize`,
          token_endpoint: `${origin}/${TENANT}/oauth2/v2.0/token`,
          jwks_uri: `${origin}/${TENANT}/discovery/v2.0/keys`,
          id_token_signing_alg_values_supported: ["RS256"],
          response_types_supported: ["code"],
          subject_types_supported: ["pairwise"],
        },
      };
    }
    if (req.url === `/${TENANT}/discovery/v2.0/keys`) return { status: 200, body: { keys: [jwk] } };
    if (req.url === `/${TENANT}/oauth2/v2.0/token`) {
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({
        iss: issuer(),
        aud: client.clientId,
        tid: TENANT,
        iat: now,
        nbf: now,
        exp: now + 300,
        ver: "2.0",
        ...next,
      })
        .setProtectedHeader({ alg: "RS256", kid: "entra-key" })
        .sign(key.privateKey);
      return { status: 200, body: { access_token: "entra-access-token", token_type: "Bearer", expires_in: 300, id_token: idToken } };
    }
    return { status: 404, body: { error: "not_found" } };
  });
  origin = server.url;
  t.after(() => server.close());
  return {
    issuer: issuer(),
    setNext(claims: Record<string, unknown>) {
      next = claims;
    },
  };
}

describe("Entra ID: the account is its oid, not its pairwise sub or its email", () => {
  const OID = "00000000-0000-0000-66f3-3332eca7ea81";
  const jane = {
    sub: "pairwise-sub-1",
    oid: OID,
    email: "jane@acme.test",
    xms_edov: true,
    name: "Jane Acme",
    preferred_username: "jane@acme.test",
  };

  async function setUp(t: TestContext) {
    const entra = await entraShapedProvider(t);
    const service = await startService(t);
    const orgId = await orgOf(service);
    // The preset, with its issuer overridden to the loopback stand-in for login.microsoftonline.com.
    const put = await service.admin<Record<string, unknown>>("PUT", `/api/v1/orgs/${orgId}/oauth-providers/entra`, {
      preset: "entra-id",
      presetOptions: { tenant: TENANT },
      ...client,
      issuer: entra.issuer,
      enableJit: true,
    });
    assert.equal(put.status, 201, put.text);
    const exchange = () =>
      service.request<ErrorBody>("POST", "/userAccount/oauth/exchange", {
        code: "entra-code",
        email: "jane@acme.test",
        provider: "entra",
        redirectUri: REDIRECT_URI,
      });
    const links = async () => await service.app.store.db.selectFrom("identity_links").select(["subject", "user_id"]).execute();
    return { entra, service, orgId, exchange, links };
  }

  test("the first sign-in links the oid; a later one with another sub and email claim finds the same account; another oid with the same email is refused", async (t) => {
    const { entra, exchange, links } = await setUp(t);
    entra.setNext(jane);
    const first = await exchange();
    assert.equal(first.status, 200, first.text);
    const [link] = await links();
    assert.equal(link?.subject, OID);

    entra.setNext({ ...jane, sub: "pairwise-sub-for-another-app", preferred_username: "jane.renamed@acme.test" });
    assert.equal((await exchange()).status, 200);
    assert.deepEqual(await links(), [link]);

    entra.setNext({ ...jane, sub: "pairwise-sub-2", oid: "11111111-2222-3333-4444-555555555555" });
    const impostor = await exchange();
    assert.equal(impostor.status, 401, impostor.text);
    assert.equal(impostor.body.error, "IDENTITY_CONFLICT");
  });

  test("without xms_edov the email is not taken as verified → 401 EMAIL_NOT_VERIFIED; trustEmail overrides", async (t) => {
    const { entra, service, orgId, exchange } = await setUp(t);
    const { xms_edov: _dropped, ...withoutEdov } = jane;
    entra.setNext({ ...withoutEdov, email_verified: true });
    const refusedResponse = await exchange();
    assert.equal(refusedResponse.status, 401, refusedResponse.text);
    assert.equal(refusedResponse.body.error, "EMAIL_NOT_VERIFIED");

    entra.setNext({ ...jane, xms_edov: false });
    assert.equal((await exchange()).body.error, "EMAIL_NOT_VERIFIED");

    const put = await service.admin("PUT", `/api/v1/orgs/${orgId}/oauth-providers/entra`, {
      preset: "entra-id",
      presetOptions: { tenant: TENANT },
      ...client,
      issuer: entra.issuer,
      enableJit: true,
      trustEmail: true,
    });
    assert.equal(put.status, 200, put.text);
    entra.setNext(withoutEdov);
    assert.equal((await exchange()).status, 200);
  });

  test("an ID token without oid → 502 PROVIDER_ERROR naming the claim", async (t) => {
    const { entra, exchange } = await setUp(t);
    const { oid: _dropped, ...withoutOid } = jane;
    entra.setNext(withoutOid);
    const response = await exchange();
    assert.equal(response.status, 502, response.text);
    assert.equal(response.body.error, "PROVIDER_ERROR");
    assert.match(response.body.message, /"oid"/);
  });

  test("changing the subject claim drops the provider's identity links: sub and oid values never mix", async (t) => {
    const { entra, service, orgId, exchange, links } = await setUp(t);
    entra.setNext(jane);
    assert.equal((await exchange()).status, 200);
    assert.equal((await links()).length, 1);
    const put = await service.admin("PUT", `/api/v1/orgs/${orgId}/oauth-providers/entra`, {
      ...client,
      issuer: entra.issuer,
      subjectClaim: "sub",
      enableJit: true,
      trustEmail: true,
    });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(await links(), []);
  });
});

interface GitHubAccount {
  id: number;
  login: string;
  name: string | null;
  /** The public profile email: chosen by the user, not vouched for by GitHub. */
  email: string | null;
  emails: { email: string; primary: boolean; verified: boolean; visibility: string | null }[] | "not-found";
}

/**
 * A loopback server shaped like GitHub's OAuth and REST APIs, laid out as GitHub Enterprise
 * Server (`/login/oauth/…`, `/api/v3/user`, `/api/v3/user/emails`) so the github preset's
 * `baseUrl` points at it unchanged. Like GitHub, it answers a bad code with 200 and an error body.
 */
async function gitHubShapedServer(t: TestContext, account: GitHubAccount) {
  const seen: ScriptedRequest[] = [];
  const server = await startJsonServer((req) => {
    seen.push(req);
    const path = req.url.split("?")[0];
    if (req.method === "POST" && path === "/login/oauth/access_token") {
      const form = new URLSearchParams(req.body);
      if (form.get("client_id") !== client.clientId || form.get("client_secret") !== client.clientSecret) {
        return {
          status: 200,
          body: { error: "incorrect_client_credentials", error_description: "The client_id and/or client_secret passed are incorrect." },
        };
      }
      if (form.get("code") !== "gh-code") {
        return { status: 200, body: { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." } };
      }
      return { status: 200, body: { access_token: "gho_loopbacktoken", token_type: "bearer", scope: "read:user,user:email" } };
    }
    if (req.headers.authorization !== "Bearer gho_loopbacktoken") return { status: 401, body: { message: "Requires authentication" } };
    if (req.method === "GET" && path === "/api/v3/user")
      return { status: 200, body: { login: account.login, id: account.id, name: account.name, email: account.email } };
    if (req.method === "GET" && path === "/api/v3/user/emails") {
      return account.emails === "not-found" ? { status: 404, body: { message: "Not Found" } } : { status: 200, body: account.emails };
    }
    return { status: 404, body: { message: "Not Found" } };
  });
  t.after(() => server.close());
  const service = await startService(t);
  const orgId = await orgOf(service);
  const put = await service.admin<Record<string, unknown>>("PUT", `/api/v1/orgs/${orgId}/oauth-providers/github`, {
    preset: "github",
    presetOptions: { baseUrl: server.url },
    ...client,
    enableJit: true,
  });
  assert.equal(put.status, 201, put.text);
  return {
    service,
    seen,
    exchange: (email: string, code = "gh-code") =>
      service.request<ErrorBody & { access_token?: string }>("POST", "/userAccount/oauth/exchange", {
        code,
        email,
        provider: "github",
        redirectUri: REDIRECT_URI,
      }),
  };
}

describe("GitHub: the numeric id is the subject, the verified primary address the email", () => {
  const octo = (emails: GitHubAccount["emails"], email: string | null = "octo-public@elsewhere.test"): GitHubAccount => ({
    id: 583231,
    login: "octocat",
    name: "Octo Cat",
    email,
    emails,
  });

  test("signs in with the verified primary address from /user/emails, not the public profile email", async (t) => {
    const gh = await gitHubShapedServer(
      t,
      octo([
        { email: "octo-public@elsewhere.test", primary: false, verified: false, visibility: "public" },
        { email: "octo@acme.test", primary: true, verified: true, visibility: "private" },
      ]),
    );
    const response = await gh.exchange("octo@acme.test");
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.access_token, "gho_loopbacktoken");
    const links = await gh.service.app.store.db.selectFrom("identity_links").select("subject").execute();
    assert.deepEqual(
      links.map((l) => l.subject),
      ["583231"],
    );
    const users = await gh.service.app.store.db.selectFrom("users").select(["email", "full_name"]).execute();
    assert.deepEqual(
      users.map((u) => ({ ...u })),
      [{ email: "octo@acme.test", full_name: "Octo Cat" }],
    );
    const emailsCall = gh.seen.find((r) => r.url === "/api/v3/user/emails");
    assert.match(String(emailsCall?.headers.accept), /application\/vnd\.github\+json/);
    const tokenCall = gh.seen.find((r) => r.url === "/login/oauth/access_token");
    assert.equal(tokenCall?.headers.authorization, undefined, "client_secret_post: the secret travels in the body");
  });

  test("the public profile email is never taken: naming it → 401 EMAIL_MISMATCH", async (t) => {
    const gh = await gitHubShapedServer(
      t,
      octo([{ email: "octo@acme.test", primary: true, verified: true, visibility: "private" }], "ceo@acme.test"),
    );
    const response = await gh.exchange("ceo@acme.test");
    assert.equal(response.status, 401, response.text);
    assert.equal(response.body.error, "EMAIL_MISMATCH");
  });

  test("a primary address that is not verified → 401 EMAIL_NOT_VERIFIED, even with a verified secondary one", async (t) => {
    const gh = await gitHubShapedServer(
      t,
      octo([
        { email: "octo@acme.test", primary: true, verified: false, visibility: "private" },
        { email: "octo-2@acme.test", primary: false, verified: true, visibility: null },
      ]),
    );
    for (const email of ["octo@acme.test", "octo-2@acme.test"]) {
      const response = await gh.exchange(email);
      assert.equal(response.status, 401, response.text);
      assert.equal(response.body.error, "EMAIL_NOT_VERIFIED");
    }
    assert.equal(await gh.service.app.store.db.selectFrom("users").select("id").executeTakeFirst(), undefined);
  });

  test("no addresses at all → 401 EMAIL_NOT_VERIFIED", async (t) => {
    const gh = await gitHubShapedServer(t, octo([]));
    const response = await gh.exchange("octo@acme.test");
    assert.equal(response.body.error, "EMAIL_NOT_VERIFIED", response.text);
  });

  test("/user/emails refused (no user:email scope: GitHub answers 404) → 401 USERINFO_FAILED naming the scope", async (t) => {
    const gh = await gitHubShapedServer(t, octo("not-found", "octo@acme.test"));
    const response = await gh.exchange("octo@acme.test");
    assert.equal(response.status, 401, response.text);
    assert.equal(response.body.error, "USERINFO_FAILED");
    assert.match(response.body.message, /user:email/);
  });

  test("a bad code, which GitHub refuses with 200 and an error body → 400 INVALID_GRANT naming GitHub's error", async (t) => {
    const gh = await gitHubShapedServer(t, octo([{ email: "octo@acme.test", primary: true, verified: true, visibility: "private" }]));
    const response = await gh.exchange("octo@acme.test", "stale-code");
    assert.equal(response.status, 400, response.text);
    assert.equal(response.body.error, "INVALID_GRANT");
    assert.equal((response.body as unknown as { providerError: string }).providerError, "bad_verification_code");
  });
});
