import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DoctorFinding } from "../../src/admin/provider-doctor.ts";
import { FAILURE_FIX } from "../../src/domain/failure-fixes.ts";
import { fixAsRead, PROVIDER_FIELD_IN_CONSOLE } from "../../src/domain/fix-wording.ts";
import type { FailureId } from "../../src/domain/failures.ts";
import type { RunningService } from "../support/service.ts";
import { alice, signInFixture } from "../support/sign-in-fixture.ts";
import type { TestUser } from "../support/test-provider.ts";

const outsider: TestUser = { sub: "olga-sub", email: "olga@elsewhere.test", email_verified: true, name: "Olga Outside" };

/** The settings' API names that are no English word (`scope` and `issuer` are both). */
const API_SETTING_NAMES = Object.keys(PROVIDER_FIELD_IN_CONSOLE).filter((name) => /[a-z][A-Z]/.test(name));

/** What the console reads must name its own fields: no API path, no Markdown, no setting's API name. */
function assertConsoleWording(fix: string, where: string) {
  assert.doesNotMatch(fix, /`|\/api\/|\b(PUT|POST|DELETE) \//, `${where}: ${fix}`);
  for (const name of API_SETTING_NAMES) assert.ok(!new RegExp(`\\b${name}\\b`).test(fix), `${where} names ${name}: ${fix}`);
}

/** The operator's console session: the cookie and the header the console sends with every call. */
async function operatorConsole(service: RunningService) {
  const opened = await service.request("POST", "/admin/session", { token: service.app.config.adminToken });
  assert.equal(opened.status, 204, opened.text);
  return { cookie: opened.headers.get("set-cookie")!.split(";")[0]!, "x-pipeshub-console": "1" };
}

describe("fixes are worded for where they are read: the console's fields in the console, the API's paths in the API", () => {
  test("every failure's fix, as the console reads it, names no API path, setting name or Markdown; the API's wording is unchanged", () => {
    for (const id of Object.keys(FAILURE_FIX) as FailureId[]) {
      assertConsoleWording(fixAsRead(id, "console", "okta") ?? "", id);
      assertConsoleWording(fixAsRead(id, "console") ?? "", `${id} (no provider)`);
      assert.equal(fixAsRead(id, "api", "okta"), FAILURE_FIX[id]);
    }
    assert.equal(
      fixAsRead("USER_NOT_FOUND", "console", "okta"),
      "No user here has this email and just-in-time sign-up is off (or the domain is not the organisation's): create the user, or turn on Providers › okta › Just-in-time (JIT) provisioning.",
    );
    assert.equal(fixAsRead("NO_SUCH_FAILURE", "console"), undefined, "a failure id no version knows has no fix");
  });

  test("the audit trail, a provider's health and the doctor word their fixes for the console when the console asks, for the API otherwise", async (t) => {
    const f = await signInFixture(t, { users: [alice, outsider] });
    const { service, orgId } = f;
    const mismatch = await f.exchange({ code: "any-code", email: alice.email, redirectUri: "http://127.0.0.1:5173/elsewhere" });
    assert.equal(mismatch.status, 400, mismatch.text);
    const asConsole = await operatorConsole(service);
    const read = async <T>(path: string, method = "GET", console = false) => {
      const answer = await service.request<T>(
        method,
        path,
        undefined,
        console ? asConsole : { authorization: `Bearer ${service.app.config.adminToken}` },
      );
      assert.equal(answer.status, 200, answer.text);
      return answer.body;
    };

    type Page = { records: { event: string; reason?: string; fix?: string }[] };
    const audit = `/api/v1/orgs/${orgId}/audit?outcome=failure`;
    const inApi = (await read<Page>(audit)).records.find((r) => r.reason === "REDIRECT_URI_MISMATCH");
    const inConsole = (await read<Page>(audit, "GET", true)).records.find((r) => r.reason === "REDIRECT_URI_MISMATCH");
    assert.equal(inApi?.fix, FAILURE_FIX.REDIRECT_URI_MISMATCH);
    assert.equal(
      inConsole?.fix,
      "Add the application's redirect URI to Providers › acme-idp › Redirect URIs, and register the same URI at the provider.",
    );

    type Health = { lastFailure: { reason: string; fix?: string } | null };
    const health = `/api/v1/orgs/${orgId}/oauth-providers/acme-idp/health?window=1h`;
    assert.equal((await read<Health>(health)).lastFailure?.fix, FAILURE_FIX.REDIRECT_URI_MISMATCH);
    assert.equal((await read<Health>(health, "GET", true)).lastFailure?.fix, inConsole?.fix);

    // A provider whose scope asks for no email: the doctor says where to change it.
    const put = await service.admin("PUT", `/api/v1/orgs/${orgId}/oauth-providers/no-email`, {
      clientId: "pipeshub-app",
      clientSecret: "a-client-secret-0123456789",
      issuer: f.provider.issuer,
      scope: "openid",
      redirectUris: ["http://127.0.0.1:5173/callback"],
    });
    assert.equal(put.status, 201, put.text);
    const doctor = `/api/v1/orgs/${orgId}/oauth-providers/no-email/doctor`;
    const scopeFix = async (console: boolean) => {
      const { findings } = await read<{ findings: (DoctorFinding & { inConsole?: string })[] }>(doctor, "POST", console);
      assert.ok(
        findings.every((finding) => !("inConsole" in finding)),
        "one wording per answer",
      );
      if (console) for (const finding of findings) if (finding.fix) assertConsoleWording(finding.fix, finding.check);
      return findings.find((finding) => finding.check === "email-scope")?.fix;
    };
    assert.equal(
      await scopeFix(false),
      `Here: set \`scope\` in the provider's settings (PUT /api/v1/orgs/${orgId}/oauth-providers/no-email) to include email, e.g. "openid email".`,
    );
    assert.equal(await scopeFix(true), 'Here: set Providers › no-email › Scope to include email, e.g. "openid email".');

    // A test sign-in's refusal, completed by the console and by a script.
    const refusalFix = async (console: boolean) => {
      const started = await service.admin<{ authorizationUrl: string; state: string }>(
        "POST",
        `/api/v1/orgs/${orgId}/oauth-providers/acme-idp/test-signin`,
        {},
      );
      const callback = await f.provider.authorize({
        authorizationUrl: started.body.authorizationUrl,
        login: outsider.sub,
        clientId: "",
        redirectUri: "",
      });
      assert.ok("code" in callback, JSON.stringify(callback));
      const body = { state: started.body.state, code: callback.code };
      const headers = console ? asConsole : { authorization: `Bearer ${service.app.config.adminToken}` };
      const done = await service.request<{ decision: { reason?: string; fix?: string } }>(
        "POST",
        "/api/v1/test-signins/complete",
        body,
        headers,
      );
      assert.equal(done.body.decision.reason, "USER_NOT_FOUND", done.text);
      return done.body.decision.fix;
    };
    assert.equal(await refusalFix(false), FAILURE_FIX.USER_NOT_FOUND);
    const refusalInConsole = await refusalFix(true);
    assert.equal(refusalInConsole, fixAsRead("USER_NOT_FOUND", "console", "acme-idp"));
    assert.match(refusalInConsole ?? "", /Providers › acme-idp › Just-in-time \(JIT\) provisioning/);
  });
});
