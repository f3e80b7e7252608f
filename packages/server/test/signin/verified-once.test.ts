import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { describe, test } from "node:test";
import { assertAuthError, startService } from "../support/service.ts";
import { alice, bob, REDIRECT_URI, type SignInFixture, signInFixture, startSignIn } from "../support/sign-in-fixture.ts";
import { rotateProviderKeys, type TestUser } from "../support/test-provider.ts";

/**
 * Each check paid once: authenticate trusts the exchange's verification of an ID token only for
 * the same token in the same sign-in session. To tell the two paths apart, the provider withdraws
 * the key that signed the exchanged tokens (and the service learns so): from then on a token
 * verified in full is refused, one the exchange already verified for this session is not.
 */

interface Exchanged {
  readonly session: string;
  readonly accessToken: string;
  readonly idToken: string;
}

async function exchanged(f: SignInFixture, user: TestUser): Promise<Exchanged> {
  const { session, code, state } = await startSignIn(f, user);
  const response = await f.exchange({ code, email: user.email, state }, session);
  assert.equal(response.status, 200, response.text);
  const body = response.body as { access_token: string; id_token: string };
  return { session, accessToken: body.access_token, idToken: body.id_token };
}

function authenticate(f: SignInFixture, session: string, tokens: { accessToken: string; idToken: string }) {
  return f.service.request("POST", "/userAccount/authenticate", { method: "oauth", credentials: tokens }, { "x-session-token": session });
}

/** A new sign-in session for `user`, started at initAuth (no authorization request of its own). */
async function newSession(f: SignInFixture, user: TestUser): Promise<string> {
  const init = await f.service.request("POST", "/userAccount/initAuth", { email: user.email });
  assert.equal(init.status, 200, init.text);
  return init.headers.get("x-session-token")!;
}

/**
 * The provider stops publishing the key of every token issued so far; bob's next sign-in brings
 * a token with the new key, so the service refetches the key set and forgets the old key.
 */
async function withdrawProviderKeys(f: SignInFixture): Promise<void> {
  await rotateProviderKeys(f.provider, { keepPrevious: false });
  await exchanged(f, bob);
}

async function fixture(t: TestContext, options: { idTokenTtlSeconds?: number } = {}) {
  let offsetMs = 0;
  const service = await startService(t, {}, { now: () => Date.now() + offsetMs });
  const f = await signInFixture(t, {
    service,
    users: [alice, bob],
    ...(options.idTokenTtlSeconds !== undefined && { providerOptions: { idTokenTtlSeconds: options.idTokenTtlSeconds } }),
  });
  return { f, advance: (ms: number) => (offsetMs += ms) };
}

describe("authenticate trusts the exchange's verification of the same ID token in the same sign-in session", () => {
  test("the same token in the same session signs in without being verified again (its key is gone by now)", async (t) => {
    const { f } = await fixture(t);
    const signIn = await exchanged(f, alice);
    await withdrawProviderKeys(f);
    const final = await authenticate(f, signIn.session, signIn);
    assert.equal(final.status, 200, final.text);
    assert.equal(typeof (final.body as { accessToken: unknown }).accessToken, "string");
  });

  test("the same token in another session is verified in full → 401 INVALID_ID_TOKEN", async (t) => {
    const { f } = await fixture(t);
    const signIn = await exchanged(f, alice);
    await withdrawProviderKeys(f);
    assertAuthError(await authenticate(f, await newSession(f, alice), signIn), 401, "INVALID_ID_TOKEN");
  });

  test("another token in the session is verified in full → 401 INVALID_ID_TOKEN, and the session's own token still signs in", async (t) => {
    const { f } = await fixture(t);
    const signIn = await exchanged(f, alice);
    // A genuine token of alice's, signed by the same (soon withdrawn) key, exchanged under another session.
    const other = await exchanged(f, alice);
    await withdrawProviderKeys(f);
    assertAuthError(await authenticate(f, signIn.session, other), 401, "INVALID_ID_TOKEN");
    const final = await authenticate(f, signIn.session, signIn);
    assert.equal(final.status, 200, final.text);
  });

  test("the record holds only for the provider as the exchange saw it: after its client changes, the token is verified in full → 401", async (t) => {
    const { f } = await fixture(t);
    const signIn = await exchanged(f, alice);
    // The operator points the provider at another client (a new secret with it, as the secret binding asks).
    const path = `/api/v1/orgs/${f.orgId}/oauth-providers/acme-idp`;
    const saved = await f.service.admin("PUT", path, {
      clientId: "another-client",
      clientSecret: "another-Client-Secret-77",
      issuer: f.provider.issuer,
      redirectUris: [REDIRECT_URI],
      enableJit: true,
    });
    assert.equal(saved.status, 200, saved.text);
    assertAuthError(await authenticate(f, signIn.session, signIn), 401, "INVALID_ID_TOKEN");
  });

  test("a tampered token in the same session is still refused → 401 INVALID_ID_TOKEN", async (t) => {
    const { f } = await fixture(t);
    const signIn = await exchanged(f, alice);
    const [header, payload, signature] = signIn.idToken.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const tampered = Buffer.from(JSON.stringify({ ...claims, name: "Mallory" })).toString("base64url");
    const response = await authenticate(f, signIn.session, { ...signIn, idToken: `${header}.${tampered}.${signature}` });
    assertAuthError(response, 401, "INVALID_ID_TOKEN");
  });

  test("the record is used once: a second attempt with the same token in the same session is verified in full → 401", async (t) => {
    const { f } = await fixture(t);
    const signIn = await exchanged(f, alice);
    await withdrawProviderKeys(f);
    // The first attempt takes the record and then fails (alice is disabled meanwhile); the session goes on.
    const users = await f.service.admin<{ id: string }[]>("GET", `/api/v1/orgs/${f.orgId}/users?email=${alice.email}`);
    const path = `/api/v1/orgs/${f.orgId}/users/${users.body[0]!.id}`;
    assert.equal((await f.service.admin("PATCH", path, { status: "disabled" })).status, 200);
    assertAuthError(await authenticate(f, signIn.session, signIn), 403, "USER_DISABLED");
    assert.equal((await f.service.admin("PATCH", path, { status: "active" })).status, 200);
    assertAuthError(await authenticate(f, signIn.session, signIn), 401, "INVALID_ID_TOKEN");
  });

  test("once the token's own expiry has passed, the record is gone and the token is verified in full → 401", async (t) => {
    // The ID token lives 2 minutes; the sign-in session 30: the record ends with the token.
    const { f, advance } = await fixture(t, { idTokenTtlSeconds: 120 });
    const signIn = await exchanged(f, alice);
    await withdrawProviderKeys(f);
    advance(3 * 60_000);
    assertAuthError(await authenticate(f, signIn.session, signIn), 401, "INVALID_ID_TOKEN");
  });
});
