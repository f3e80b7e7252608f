import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { describe, test } from "node:test";
import type { DoctorFinding } from "../../src/admin/provider-doctor.ts";
import { closedPortUrl, startJsonServer } from "../support/faulty-servers.ts";
import { assertAuthError } from "../support/service.ts";
import { CLIENT_SECRET, doctor, REDIRECT_URI, signInFixture, type SignInFixture } from "../support/sign-in-fixture.ts";
import type { TestProvider } from "../support/test-provider.ts";

const ALL_CHECKS = ["discovery", "issuer", "jwks", "signing-algorithms", "pkce", "client-credentials", "email-scope", "userinfo", "clock"];

/** The finding of `check`, asserting that every other check passed: each misconfiguration is found alone. */
function only(findings: DoctorFinding[], check: string): DoctorFinding {
  assert.deepEqual(
    findings.map((f) => f.check),
    ALL_CHECKS,
  );
  const others = findings.filter((f) => f.check !== check && f.status !== "pass");
  assert.deepEqual(others, [], "only the misconfigured check may fail");
  const finding = findings.find((f) => f.check === check)!;
  assert.notEqual(finding.status, "pass", JSON.stringify(finding));
  assert.ok(finding.fix && finding.fix.length > 20, "a warn or fail says what to change");
  return finding;
}

/** What the front serves instead of the real provider's answer. */
interface Misbehaviour {
  /** Edits the discovery document (its issuer is the front's own URL first). */
  document?: (document: Record<string, unknown>, front: string) => Promise<void> | void;
  /** The Date header of the discovery answer. */
  /** Made at each answer: a clock ahead stays as far ahead however long the setup took. */
  date?: () => string;
}

/**
 * A small loopback server in front of a real oidc-provider: it serves the provider's discovery
 * document under its own URL (so the service is configured with the front as issuer), edited to
 * misbehave in one way; every endpoint it names is still the real provider's unless edited.
 */
async function misbehavingFront(t: TestContext, real: TestProvider, misbehaviour: Misbehaviour): Promise<string> {
  let front = "";
  const server = await startJsonServer(async (req) => {
    if (req.url !== "/.well-known/openid-configuration") return { status: 404, body: { error: "not_found" } };
    const document = (await (await fetch(`${real.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    document.issuer = front;
    await misbehaviour.document?.(document, front);
    return { status: 200, body: document, ...(misbehaviour.date && { headers: { date: misbehaviour.date() } }) };
  });
  front = server.url;
  t.after(() => server.close());
  return front;
}

/** A fixture whose provider is the real oidc-provider seen through a misbehaving front. */
async function misbehaving(t: TestContext, misbehaviour: Misbehaviour): Promise<SignInFixture> {
  const real = await signInFixture(t);
  const issuer = await misbehavingFront(t, real.provider, misbehaviour);
  // Another issuer: the secret is given again with it (a stored one goes only where it was given).
  const put = await real.service.admin("PUT", `/api/v1/orgs/${real.orgId}/oauth-providers/acme-idp`, {
    clientId: "pipeshub-app",
    clientSecret: CLIENT_SECRET,
    issuer,
    redirectUris: ["http://127.0.0.1:5173/callback"],
  });
  assert.equal(put.status, 200, put.text);
  return real;
}

describe("the provider doctor", () => {
  test("finds nothing wrong with a correctly configured real OpenID provider", async (t) => {
    const findings = await doctor(await signInFixture(t));
    assert.deepEqual(
      findings.map((f) => [f.check, f.status]),
      ALL_CHECKS.map((check) => [check, "pass"]),
    );
    assert.match(findings.find((f) => f.check === "client-credentials")!.message, /^Credentials accepted/);
    for (const f of findings) assert.equal(f.fix, undefined);
  });

  test("a discovery document naming another issuer fails the issuer check and names the announced one", async (t) => {
    const finding = only(
      await doctor(
        await misbehaving(t, {
          document: (d) => {
            d.issuer = "https://elsewhere.example/";
          },
        }),
      ),
      "issuer",
    );
    assert.equal(finding.status, "fail");
    assert.match(finding.message, /https:\/\/elsewhere\.example\//);
    assert.match(finding.fix!, /`issuer`/);
  });

  test("a key set that answers 404 fails the jwks check (and leaves the algorithms unchecked)", async (t) => {
    const fixture = await misbehaving(t, {
      document: (d, front) => {
        d.jwks_uri = `${front}/jwks`;
      },
    });
    const findings = await doctor(fixture);
    const jwks = findings.find((f) => f.check === "jwks")!;
    assert.equal(jwks.status, "fail");
    assert.match(jwks.message, /answered 404/);
    assert.match(jwks.fix!, /^At the provider/);
    assert.equal(
      findings.find((f) => f.check === "signing-algorithms"),
      undefined,
    );
    assert.deepEqual(
      findings.filter((f) => f.status !== "pass").map((f) => f.check),
      ["jwks"],
    );
  });

  test("a provider that does not advertise PKCE is a warning", async (t) => {
    const finding = only(
      await doctor(
        await misbehaving(t, {
          document: (d) => {
            delete d.code_challenge_methods_supported;
          },
        }),
      ),
      "pkce",
    );
    assert.equal(finding.status, "warn");
    assert.match(finding.fix!, /S256/);
  });

  test("a PKCE provider without S256 fails", async (t) => {
    const finding = only(
      await doctor(
        await misbehaving(t, {
          document: (d) => {
            d.code_challenge_methods_supported = ["plain"];
          },
        }),
      ),
      "pkce",
    );
    assert.equal(finding.status, "fail");
  });

  test("a wrong client secret fails the credentials check: the provider said invalid_client", async (t) => {
    const finding = only(await doctor(await signInFixture(t, { settings: { clientSecret: "not-the-secret" } })), "client-credentials");
    assert.equal(finding.status, "fail");
    assert.match(finding.message, /the client secret \(or id\) is wrong/);
    assert.match(finding.message, /invalid_client/);
    assert.match(finding.fix!, /`clientSecret`/);
  });

  test("a scope without email fails the email-scope check and proposes the scope to set", async (t) => {
    const finding = only(await doctor(await signInFixture(t, { settings: { scope: "openid profile" } })), "email-scope");
    assert.equal(finding.status, "fail");
    assert.match(finding.fix!, /"openid profile email"/);
  });

  test("a provider that does not offer the email scope fails the email-scope check", async (t) => {
    const finding = only(
      await doctor(
        await misbehaving(t, {
          document: (d) => {
            d.scopes_supported = ["openid", "profile"];
          },
        }),
      ),
      "email-scope",
    );
    assert.equal(finding.status, "fail");
    assert.match(finding.fix!, /^At the provider/);
  });

  test("an unreachable userinfo endpoint fails the userinfo check", async (t) => {
    const nowhere = await closedPortUrl();
    const finding = only(
      await doctor(
        await misbehaving(t, {
          document: (d) => {
            d.userinfo_endpoint = `${nowhere}/me`;
          },
        }),
      ),
      "userinfo",
    );
    assert.equal(finding.status, "fail");
    assert.match(finding.message, /could not be reached \(ECONNREFUSED\)/);
  });

  test("a provider whose clock is 10 minutes ahead fails the clock check", async (t) => {
    const finding = only(await doctor(await misbehaving(t, { date: () => new Date(Date.now() + 10 * 60_000).toUTCString() })), "clock");
    assert.equal(finding.status, "fail");
    assert.match(finding.message, /\b(599|600|601) s ahead\b/);
    assert.match(finding.fix!, /NTP/);
  });

  test("a plain OAuth 2.0 provider is checked for what it has: credentials, its user API, its clock", async (t) => {
    const fixture = await signInFixture(t);
    const { provider } = fixture;
    const put = await fixture.service.admin("PUT", `/api/v1/orgs/${fixture.orgId}/oauth-providers/plain`, {
      clientId: "pipeshub-app",
      clientSecret: CLIENT_SECRET,
      authorizationUrl: provider.endpoints.authorization,
      tokenEndpoint: provider.endpoints.token,
      userInfoEndpoint: provider.endpoints.plainUserApi,
      redirectUris: [REDIRECT_URI],
    });
    assert.equal(put.status, 201, put.text);
    assert.deepEqual(
      (await doctor(fixture, "plain")).map((f) => [f.check, f.status]),
      [
        ["client-credentials", "pass"],
        ["email-scope", "pass"],
        ["userinfo", "pass"],
        ["clock", "pass"],
      ],
    );
  });

  test("unreachable discovery is one failure, and the checks that need it are left out", async (t) => {
    const fixture = await signInFixture(t);
    const nowhere = await closedPortUrl();
    const put = await fixture.service.admin("PUT", `/api/v1/orgs/${fixture.orgId}/oauth-providers/acme-idp`, {
      clientId: "pipeshub-app",
      clientSecret: CLIENT_SECRET,
      issuer: nowhere,
      redirectUris: ["http://127.0.0.1:5173/callback"],
    });
    assert.equal(put.status, 200, put.text);
    const findings = await doctor(fixture);
    assert.deepEqual(
      findings.map((f) => [f.check, f.status]),
      [["discovery", "fail"]],
    );
  });

  test("answers 404 for an unknown provider, and 401 without the admin token", async (t) => {
    const fixture = await signInFixture(t);
    assertAuthError(await fixture.service.admin("POST", `/api/v1/orgs/${fixture.orgId}/oauth-providers/nope/doctor`), 404, "NOT_FOUND");
    assertAuthError(
      await fixture.service.request("POST", `/api/v1/orgs/${fixture.orgId}/oauth-providers/acme-idp/doctor`),
      401,
      "UNAUTHORIZED",
    );
  });
});
