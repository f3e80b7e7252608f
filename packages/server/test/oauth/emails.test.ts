import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { fetchPrimaryVerifiedEmail, primaryVerifiedEmail } from "../../src/oauth/emails.ts";
import { startJsonServer, type ScriptedResponse } from "../support/faulty-servers.ts";
import { configuredProvider, connect, providerClients } from "../support/provider-connections.ts";

/** A GitHub-shaped provider whose `GET /user/emails` answers as scripted. */
async function emailList(t: TestContext, answer: ScriptedResponse) {
  const seen: { authorization?: string; accept?: string }[] = [];
  const server = await startJsonServer((req) => {
    seen.push({ authorization: req.headers.authorization as string, accept: req.headers.accept as string });
    return answer;
  });
  t.after(() => server.close());
  const connection = await connect(
    providerClients(),
    configuredProvider({
      providerName: "github",
      scope: "read:user user:email",
      authorizationUrl: `${server.url}/login/oauth/authorize`,
      tokenEndpoint: `${server.url}/login/oauth/access_token`,
      userInfoEndpoint: `${server.url}/user`,
      emailsEndpoint: `${server.url}/user/emails`,
    }),
  );
  return { seen, fetch: () => fetchPrimaryVerifiedEmail(connection, "gho_token") };
}

describe("oauth/emails: the verified primary address from a GitHub-shaped email list", () => {
  test("primaryVerifiedEmail: the verified primary address only", () => {
    const pick = (entries: unknown) => {
      const r = primaryVerifiedEmail(entries);
      return r.ok ? r.value : r.error;
    };
    assert.equal(
      pick([
        { email: "b@x.test", primary: false, verified: true },
        { email: "a@x.test", primary: true, verified: true },
      ]),
      "a@x.test",
    );
    assert.equal(
      pick([
        { email: "a@x.test", primary: true, verified: false },
        { email: "b@x.test", primary: false, verified: true },
      ]),
      "EMAIL_NOT_VERIFIED",
    );
    assert.equal(pick([{ email: "a@x.test", primary: "true", verified: "true" }]), "EMAIL_NOT_VERIFIED");
    assert.equal(pick([]), "EMAIL_NOT_VERIFIED");
    assert.equal(pick({ email: "a@x.test" }), "PROVIDER_ERROR");
  });

  test("the list is read as a protected resource with GitHub's media type; the primary verified address is the answer", async (t) => {
    const list = await emailList(t, {
      status: 200,
      body: [
        { email: "public@x.test", primary: false, verified: true },
        { email: "octo@x.test", primary: true, verified: true },
      ],
    });
    assert.deepEqual(await list.fetch(), { ok: true, value: "octo@x.test" });
    assert.equal(list.seen[0]?.authorization, "Bearer gho_token");
    assert.match(list.seen[0]?.accept ?? "", /application\/vnd\.github\+json/);
  });

  test("an unverified primary address → EMAIL_NOT_VERIFIED, naming the provider", async (t) => {
    const result = await (await emailList(t, { status: 200, body: [{ email: "octo@x.test", primary: true, verified: false }] })).fetch();
    assert.ok(!result.ok);
    assert.equal(result.error, "EMAIL_NOT_VERIFIED");
    assert.match(result.message, /^The provider "github": /);
  });

  test("refused (GitHub answers 404 without the user:email scope) → USERINFO_FAILED naming the scope; 500 or not a list → PROVIDER_ERROR", async (t) => {
    const refused = await (await emailList(t, { status: 404, body: { message: "Not Found" } })).fetch();
    assert.ok(!refused.ok);
    assert.equal(refused.error, "USERINFO_FAILED");
    assert.match(refused.message, /user:email/);
    assert.equal(((await (await emailList(t, { status: 500, body: "<html>" })).fetch()) as { error?: string }).error, "PROVIDER_ERROR");
    assert.equal(
      ((await (await emailList(t, { status: 200, body: { email: "x@x.test" } })).fetch()) as { error?: string }).error,
      "PROVIDER_ERROR",
    );
  });
});
