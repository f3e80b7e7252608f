/**
 * Signing in through an organisation's SAML provider, end to end over HTTP: the seed's authorize
 * → the IdP (an independent implementation, test/support/saml-idp.ts) → the service's ACS → the
 * one-time code → the seed's exchange → authenticate → the service's tokens; and each rule of the
 * sign-in's side: the code's bindings, the state, replay, unsolicited responses, the identity.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertAuthError } from "../support/service.ts";
import { NAMEID_EMAIL, startSamlIdp } from "../support/saml-idp.ts";
import {
  acsRefusal,
  ada,
  landing,
  SAML_PROVIDER,
  SAML_REDIRECT_URI,
  samlCode,
  samlFixture,
  samlProviderInput,
  startSamlService,
} from "../support/saml-sign-in-fixture.ts";

type Tokens = { access_token: string; id_token: string; token_type: string; expires_in: number };

test("a SAML sign-in goes authorize → IdP → ACS → code → the seed's exchange → authenticate, and ends in the service's tokens", async (t) => {
  const f = await samlFixture(t);
  const init = await f.service.request<{
    oauthProviders: { providerName: string; type: string }[];
    authProviders: { saml?: { providerName: string } };
    allowedMethods: string[];
  }>("POST", "/userAccount/initAuth", { email: ada.email });
  assert.deepEqual(init.body.allowedMethods, ["oauth", "samlSso"]);
  assert.deepEqual(
    init.body.oauthProviders.map((p) => [p.providerName, p.type]),
    [[SAML_PROVIDER, "saml"]],
  );
  assert.equal(init.body.authProviders.saml?.providerName, SAML_PROVIDER);
  const session = init.headers.get("x-session-token")!;

  const { authorizationUrl, state } = await f.authorize(ada.email, session);
  assert.ok(authorizationUrl.startsWith(`${f.idp.ssoUrl}?`), authorizationUrl);
  assert.ok(new URL(authorizationUrl).searchParams.get("SAMLRequest"));
  const back = await landing(await f.idp.followSso(authorizationUrl));
  assert.equal(back.get("state"), state);
  const code = back.get("code")!;
  assert.ok(code);

  const exchanged = await f.exchange({ code, email: ada.email, state }, session);
  assert.equal(exchanged.status, 200, exchanged.text);
  const tokens = exchanged.body as Tokens;
  assert.equal(tokens.token_type, "Bearer");
  assert.ok(tokens.expires_in > 0);
  const [header, payload] = tokens.id_token
    .split(".")
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part!, "base64url").toString()));
  assert.equal(header.typ, "saml-identity+jwt");
  assert.equal(payload.sub, ada.nameId);
  assert.equal(payload.email, ada.email);
  assert.equal(payload.idp, f.idp.entityId);
  assert.equal(payload.iss, f.service.app.config.publicUrl);
  assert.equal(payload.aud, `${f.service.app.config.publicUrl}/saml`);
  assert.equal(typeof payload.auth_time, "number");

  const signedIn = await f.authenticate(session, tokens);
  assert.equal(signedIn.status, 200, signedIn.text);
  assert.equal(signedIn.body.message, "Fully authenticated");
  const claims = await f.service.app.sessionTokens.verifyAccessToken(signedIn.body.accessToken as string);
  assert.ok(claims.ok);
  assert.equal(claims.value.email, ada.email);

  // The handle is one-time: the same tokens do not authenticate twice.
  const again = await f.authenticate(await f.initAuth(ada.email), tokens);
  assertAuthError(again, 401, "INVALID_TOKEN");

  // Every step left its audit record, the ACS's under its own event.
  const audit = await f.service.admin<{ records: { event: string; outcome: string }[] }>(
    "GET",
    `/api/v1/orgs/${f.orgId}/audit?provider=${SAML_PROVIDER}`,
  );
  const events = audit.body.records.map((r) => `${r.event}:${r.outcome}`);
  for (const event of ["saml.acs:success", "saml.exchange:success", "authenticate:success"])
    assert.ok(events.includes(event), events.join());
});

test("authenticate takes the SAML exchange's answer with method oauth too, as the seed tells clients to pass it on", async (t) => {
  const f = await samlFixture(t);
  const { session, state, code } = await samlCode(f);
  const exchanged = await f.exchange({ code, email: ada.email, state }, session);
  assert.equal(exchanged.status, 200, exchanged.text);
  const signedIn = await f.authenticate(session, exchanged.body as Tokens, "oauth");
  assert.equal(signedIn.status, 200, signedIn.text);
  assert.equal(signedIn.body.message, "Fully authenticated");
});

test("the code is bound to the provider's redirect URI, state, email and session: a mismatch is refused without burning it; then it is single-use", async (t) => {
  const f = await samlFixture(t, { settings: { redirectUris: [SAML_REDIRECT_URI, "http://127.0.0.1:5173/other"] } });
  await f.service.admin("POST", `/api/v1/orgs/${f.orgId}/users`, { email: "eve@corp.test" });
  const { session, state, code } = await samlCode(f);
  const good = { code, email: ada.email, state };
  assertAuthError(await f.exchange({ ...good, state: "another-state" }, session), 400, "INVALID_GRANT");
  assertAuthError(await f.exchange({ ...good, email: "eve@corp.test" }, session), 400, "INVALID_GRANT");
  assertAuthError(await f.exchange({ ...good, redirectUri: "http://127.0.0.1:5173/other" }, session), 400, "INVALID_GRANT");
  assertAuthError(await f.exchange(good, await f.initAuth(ada.email)), 400, "INVALID_GRANT");
  const exchanged = await f.exchange(good, session);
  assert.equal(exchanged.status, 200, exchanged.text);
  assertAuthError(await f.exchange(good, session), 400, "INVALID_GRANT");
});

test("a SAML provider's exchange requires the state: STATE_REQUIRED without it", async (t) => {
  const f = await samlFixture(t);
  const { session, code } = await samlCode(f);
  assertAuthError(await f.exchange({ code, email: ada.email }, session), 400, "STATE_REQUIRED");
});

test("the same response is accepted once: posted again it is refused as a replay, and gives no code", async (t) => {
  const f = await samlFixture(t, { settings: { allowIdpInitiated: true } });
  const response = await f.idp.response({ sp: f.sp });
  assert.ok((await landing(await f.idp.post(f.sp.acsUrl, response))).get("code"));
  const replayed = await f.idp.post(f.sp.acsUrl, response);
  const body = (await replayed.json()) as { error: string };
  assert.equal(replayed.status, 401);
  assert.equal(body.error, "SAML_REPLAYED");
});

test("an unsolicited response is refused unless the provider allows IdP-initiated sign-in; a browser gets a page naming the failure", async (t) => {
  const f = await samlFixture(t);
  const response = await f.idp.response({ sp: f.sp });
  const refused = await fetch(f.sp.acsUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
    body: new URLSearchParams({ SAMLResponse: response }),
    redirect: "manual",
  });
  assert.equal(refused.status, 401);
  assert.match(refused.headers.get("content-type")!, /^text\/html/);
  const page = await refused.text();
  assert.match(page, /SAML_UNSOLICITED/);
  // A client that does not ask for HTML gets the AuthError.
  const json = await f.idp.post(f.sp.acsUrl, response);
  assert.equal(json.status, 401);
  assert.equal(((await json.json()) as { error: string }).error, "SAML_UNSOLICITED");
});

test("with allowIdpInitiated an unsolicited response gives a code with a state of its own, which the exchange takes", async (t) => {
  const f = await samlFixture(t, { settings: { allowIdpInitiated: true } });
  const back = await landing(await f.idp.post(f.sp.acsUrl, await f.idp.response({ sp: f.sp })));
  const exchanged = await f.exchange({ code: back.get("code"), state: back.get("state"), email: ada.email });
  assert.equal(exchanged.status, 200, exchanged.text);
});

test("a refused response goes back to the application with error=access_denied, the failure's id and the state", async (t) => {
  const f = await samlFixture(t);
  const session = await f.initAuth(ada.email);
  const { authorizationUrl, state } = await f.authorize(ada.email, session);
  f.idp.user = { ...ada, attributes: { mail: ["ada@corp.test"] } };
  const back = await landing(await f.idp.followSso(authorizationUrl));
  assert.equal(back.get("error"), "access_denied");
  assert.equal(back.get("error_id"), "SAML_EMAIL_MISSING");
  assert.equal(back.get("state"), state);
  assert.match(back.get("error_description")!, /"mail"/);
  assert.equal(back.get("code"), null);
});

test("the asserted email must be in the organisation's domains: SAML asserts no verified email", async (t) => {
  const f = await samlFixture(t, { settings: { allowIdpInitiated: true } });
  f.idp.user = { ...ada, attributes: { email: ["ada@elsewhere.test"] } };
  const refused = await acsRefusal(await f.idp.post(f.sp.acsUrl, await f.idp.response({ sp: f.sp })));
  assert.equal(refused.error, "SAML_EMAIL_NOT_IN_DOMAINS");
  assert.match(refused.message, /elsewhere\.test/);
});

test("the subject is a persistent NameID or subjectAttribute: a transient NameID alone is refused", async (t) => {
  const f = await samlFixture(t, { settings: { allowIdpInitiated: true } });
  f.idp.user = { ...ada, nameIdFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient" };
  const refused = await acsRefusal(await f.idp.post(f.sp.acsUrl, await f.idp.response({ sp: f.sp })));
  assert.equal(refused.error, "SAML_SUBJECT_UNUSABLE");
  f.idp.user = { ...ada, nameId: "ada@corp.test", nameIdFormat: NAMEID_EMAIL };
  const emailFormat = await acsRefusal(await f.idp.post(f.sp.acsUrl, await f.idp.response({ sp: f.sp })));
  assert.equal(emailFormat.error, "SAML_SUBJECT_UNUSABLE");
});

test("with subjectAttribute the subject is that attribute, whatever the NameID", async (t) => {
  const f = await samlFixture(t, { settings: { allowIdpInitiated: true, subjectAttribute: "employeeId" } });
  f.idp.user = {
    nameId: "ada@corp.test",
    nameIdFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
    attributes: { email: ["ada@corp.test"], employeeId: ["E-1024"] },
  };
  const back = await landing(await f.idp.post(f.sp.acsUrl, await f.idp.response({ sp: f.sp })));
  const exchanged = await f.exchange({ code: back.get("code"), state: back.get("state"), email: ada.email });
  assert.equal(exchanged.status, 200, exchanged.text);
  const payload = JSON.parse(Buffer.from((exchanged.body as Tokens).id_token.split(".")[1]!, "base64url").toString());
  assert.equal(payload.sub, "E-1024");
});

test("an emailAddress NameID gives the email when no emailAttribute is set", async (t) => {
  const f = await samlFixture(t, { settings: { allowIdpInitiated: true, emailAttribute: undefined, subjectAttribute: "uid" } });
  f.idp.user = { nameId: "ada@corp.test", nameIdFormat: NAMEID_EMAIL, attributes: { uid: ["ada"] } };
  const back = await landing(await f.idp.post(f.sp.acsUrl, await f.idp.response({ sp: f.sp })));
  assert.ok(back.get("code"), back.get("error_description") ?? "");
});

test("linking follows the OIDC rules: the (provider, subject) link decides, and another subject with a linked user's email is refused", async (t) => {
  const f = await samlFixture(t, { settings: { allowIdpInitiated: true } });
  const first = await landing(await f.idp.post(f.sp.acsUrl, await f.idp.response({ sp: f.sp })));
  assert.ok(first.get("code"));
  f.idp.user = { ...ada, nameId: "someone-else-with-adas-email" };
  const second = await acsRefusal(await f.idp.post(f.sp.acsUrl, await f.idp.response({ sp: f.sp })));
  assert.equal(second.error, "IDENTITY_CONFLICT");
});

test("without automatic sign-up, an unknown user is refused; an existing one is linked", async (t) => {
  const f = await samlFixture(t, { settings: { allowIdpInitiated: true, enableJit: false } });
  const refused = await acsRefusal(await f.idp.post(f.sp.acsUrl, await f.idp.response({ sp: f.sp })));
  assert.equal(refused.error, "USER_NOT_FOUND");
  const made = await f.service.admin("POST", `/api/v1/orgs/${f.orgId}/users`, { email: ada.email });
  assert.equal(made.status, 201, made.text);
  assert.ok((await landing(await f.idp.post(f.sp.acsUrl, await f.idp.response({ sp: f.sp })))).get("code"));
});

test("the id_token of a SAML exchange is never accepted as the service's access token", async (t) => {
  const f = await samlFixture(t);
  const { session, state, code } = await samlCode(f);
  const tokens = (await f.exchange({ code, email: ada.email, state }, session)).body as Tokens;
  const asAccessToken = await f.service.app.sessionTokens.verifyAccessToken(tokens.id_token);
  assert.equal(asAccessToken.ok, false);
  const logout = await f.service.request("POST", "/userAccount/logout/manual", undefined, { authorization: `Bearer ${tokens.id_token}` });
  assertAuthError(logout, 401, "INVALID_TOKEN");
  const admin = await fetch(`${f.service.url}/api/v1/orgs/${f.orgId}/users`, { headers: { authorization: `Bearer ${tokens.id_token}` } });
  assert.equal(admin.status, 401);
});

test("authenticate refuses a SAML id_token without its handle, and a handle with another id_token", async (t) => {
  const f = await samlFixture(t);
  const one = await samlCode(f);
  const first = (await f.exchange({ code: one.code, email: ada.email, state: one.state }, one.session)).body as Tokens;
  const two = await samlCode(f);
  const second = (await f.exchange({ code: two.code, email: ada.email, state: two.state }, two.session)).body as Tokens;
  assertAuthError(await f.authenticate(one.session, { access_token: first.access_token }), 401, "INVALID_TOKEN");
  assertAuthError(await f.authenticate(one.session, { access_token: first.access_token, id_token: second.id_token }), 401, "INVALID_TOKEN");
  const signedIn = await f.authenticate(one.session, first);
  assert.equal(signedIn.status, 200, signedIn.text);
});

test("/saml/signIn is the browser entry: a 302 to the IdP, ending at the application with a code and state", async (t) => {
  const f = await samlFixture(t);
  const session = await f.initAuth(ada.email);
  const query = new URLSearchParams({ email: ada.email, provider: SAML_PROVIDER, redirectUri: SAML_REDIRECT_URI, sessionToken: session });
  for (const prefix of ["", "/api/v1"]) {
    const started = await fetch(`${f.service.url}${prefix}/saml/signIn?${query}`, { redirect: "manual" });
    assert.equal(started.status, 302);
    const back = await landing(await f.idp.followSso(started.headers.get("location")!));
    const exchanged = await f.exchange({ code: back.get("code"), state: back.get("state"), email: ada.email }, session);
    assert.equal(exchanged.status, 200, exchanged.text);
  }
});

test("prompt=login asks the IdP for ForceAuthn", async (t) => {
  const f = await samlFixture(t);
  const { authorizationUrl } = await f.authorize(ada.email, undefined, { prompt: "login" });
  await f.idp.followSso(authorizationUrl);
  assert.equal(f.idp.requests.at(-1)?.forceAuthn, true);
});

test("a test sign-in at a SAML provider asks for ForceAuthn, shows the assertion and the decision, and creates nothing", async (t) => {
  const f = await samlFixture(t);
  const start = async () => {
    const started = await f.service.admin<{ authorizationUrl: string; state: string }>(
      "POST",
      `/api/v1/orgs/${f.orgId}/saml-providers/${SAML_PROVIDER}/test-signin`,
      {},
    );
    assert.equal(started.status, 200, started.text);
    const back = await landing(await f.idp.followSso(started.body.authorizationUrl));
    assert.equal(f.idp.requests.at(-1)?.forceAuthn, true);
    assert.equal(back.get("state"), started.body.state);
    return f.service.admin<{ claims: { nameId: string; attributes: Record<string, string[]> }; decision: Record<string, string> }>(
      "POST",
      "/api/v1/test-signins/complete",
      { state: back.get("state"), code: back.get("code") },
    );
  };
  const completed = await start();
  assert.equal(completed.status, 200, completed.text);
  assert.equal(completed.body.claims.nameId, ada.nameId);
  assert.deepEqual(completed.body.claims.attributes.email, [ada.email]);
  assert.deepEqual(completed.body.decision, { outcome: "would-create" });
  const users = await f.service.admin<unknown[]>("GET", `/api/v1/orgs/${f.orgId}/users`);
  assert.deepEqual(users.body, []);

  f.idp.user = { ...ada, attributes: { email: ["ada@elsewhere.test"] } };
  const refused = await start();
  assert.equal(refused.body.decision.outcome, "refused");
  assert.equal(refused.body.decision.reason, "SAML_EMAIL_NOT_IN_DOMAINS");
  assert.ok(refused.body.decision.fix);
});

test("a SAML provider a setup link saved may not link an admin, but links a member without an identity", async (t) => {
  const service = await startSamlService(t);
  const idp = await startSamlIdp({ user: ada });
  t.after(() => idp.close());
  const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Corp", domains: ["corp.test"] });
  assert.equal((await service.admin("POST", `/api/v1/orgs/${org.body.id}/users`, { email: ada.email, role: "admin" })).status, 201);
  assert.equal((await service.admin("POST", `/api/v1/orgs/${org.body.id}/users`, { email: "bob@corp.test" })).status, 201);
  const link = await service.admin<{ token: string }>("POST", `/api/v1/orgs/${org.body.id}/setup-links`, {});
  const session = await service.request<{ sessionToken: string }>("POST", "/api/v1/setup-sessions", { token: link.body.token });
  const put = await service.request<{ spEntityId: string; acsUrl: string; identitySettingsSavedBy: string }>(
    "PUT",
    `/api/v1/orgs/${org.body.id}/saml-providers/${SAML_PROVIDER}`,
    samlProviderInput(idp, { allowIdpInitiated: true }),
    { authorization: `Bearer ${session.body.sessionToken}` },
  );
  assert.equal(put.status, 201, put.text);
  assert.equal(put.body.identitySettingsSavedBy, "delegated");
  const sp = put.body;
  const admin = await acsRefusal(await idp.post(sp.acsUrl, await idp.response({ sp })));
  assert.equal(admin.error, "LINK_NOT_ALLOWED");
  idp.user = { ...ada, nameId: "bob-persistent", attributes: { email: ["bob@corp.test"] } };
  assert.ok((await landing(await idp.post(sp.acsUrl, await idp.response({ sp })))).get("code"));
});

test("the IdP must sign in the email the sign-in was started for; refusals count in the provider's health and show in the audit trail", async (t) => {
  const f = await samlFixture(t);
  const { authorizationUrl, state } = await f.authorize(ada.email, await f.initAuth(ada.email));
  f.idp.user = { ...ada, nameId: "bob-persistent", attributes: { email: ["bob@corp.test"] } };
  const back = await landing(await f.idp.followSso(authorizationUrl));
  assert.equal(back.get("error_id"), "EMAIL_MISMATCH");
  assert.equal(back.get("state"), state);
  const health = await f.service.admin<{ attempts: number; failures: Record<string, number> }>(
    "GET",
    `/api/v1/orgs/${f.orgId}/saml-providers/${SAML_PROVIDER}/health?window=1h`,
  );
  assert.equal(health.status, 200, health.text);
  assert.deepEqual(health.body.failures, { EMAIL_MISMATCH: 1 });
  const audit = await f.service.admin<{ records: { event: string; reason: string; fix: string }[] }>(
    "GET",
    `/api/v1/orgs/${f.orgId}/audit?event=saml.acs`,
  );
  assert.equal(audit.body.records[0]?.reason, "EMAIL_MISMATCH");
  assert.ok(audit.body.records[0]?.fix);
});

test("only the ACS reads form posts, and only up to its body limit", async (t) => {
  const f = await samlFixture(t);
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const exchange = await f.service.request("POST", "/userAccount/oauth/exchange", "code=x&email=ada%40corp.test", form);
  assertAuthError(exchange, 415, "UNSUPPORTED_MEDIA_TYPE");
  const huge = await f.service.request("POST", new URL(f.sp.acsUrl).pathname, `SAMLResponse=${"A".repeat(900 * 1024)}`, form);
  assertAuthError(huge, 413, "PAYLOAD_TOO_LARGE");
});
