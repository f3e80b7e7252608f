import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test, type TestContext } from "node:test";
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { createSecretBox } from "../../src/keys/secret-box.ts";
import { createSigningKeys } from "../../src/keys/signing-keys.ts";
import { createSessionTokens } from "../../src/signin/session-tokens.ts";
import type { User } from "../../src/domain/user.ts";
import { refreshTokenRepository } from "../../src/store/refresh-tokens.ts";
import { assertAuthError, bearer, refreshWith, type RunningService, signInRecords, startService } from "../support/service.ts";

type Jwks = { keys: Record<string, unknown>[] };

/** The contract's RefreshTokenUser: required fields, and every field it allows. */
const REFRESH_USER_REQUIRED = ["_id", "orgId", "email", "fullName", "hasLoggedIn", "isDeleted", "slug", "createdAt", "updatedAt", "__v"];
const REFRESH_USER_ALLOWED = [...REFRESH_USER_REQUIRED, "firstName", "lastName", "designation", "role"];

async function userIn(service: RunningService, email = "jane@acme.test"): Promise<User> {
  const org = await service.admin<{ id: string }>("POST", "/api/v1/orgs", { name: `Acme ${randomUUID()}` });
  assert.equal(org.status, 201, org.text);
  const created = await service.admin<{ id: string }>("POST", `/api/v1/orgs/${org.body.id}/users`, { email, fullName: "Jane Acme" });
  assert.equal(created.status, 201, created.text);
  const user = await service.app.store.users.get(created.body.id);
  assert.ok(user);
  return user;
}

async function signedIn(t: TestContext) {
  const service = await startService(t);
  const user = await userIn(service);
  const tokens = await service.app.sessionTokens.issue(user);
  return { service, user, tokens };
}

const logout = (service: RunningService, token: string) => service.request("POST", "/userAccount/logout/manual", undefined, bearer(token));
const jwks = (service: RunningService) => service.request<Jwks>("GET", "/.well-known/jwks.json");
const remoteKeys = (service: RunningService) => createRemoteJWKSet(new URL(`${service.url}/.well-known/jwks.json`));

/** A second SessionTokens over the app's own database and keys, with another clock or config. */
function sideIssuer(service: RunningService, options: { now?: () => number; tokenAudience?: string; publicUrl?: string } = {}) {
  const { config, store } = service.app;
  const keys = createSigningKeys({
    repository: store.signingKeys,
    secrets: createSecretBox(config.encryptionKey),
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    ...(options.now && { now: options.now }),
  });
  return createSessionTokens({
    keys,
    sessions: refreshTokenRepository(store.db),
    users: store.users,
    config: {
      ...config,
      ...(options.tokenAudience && { tokenAudience: options.tokenAudience }),
      ...(options.publicUrl && { publicUrl: options.publicUrl }),
    },
    ...(options.now && { now: options.now }),
  });
}

describe("the service's own tokens", () => {
  test("the JWKS publishes the signing key before the first token is issued", async (t) => {
    const service = await startService(t);
    const before = await jwks(service);
    assert.equal(before.status, 200, before.text);
    assert.equal(before.body.keys.length, 1);
    const user = await userIn(service);
    const tokens = await service.app.sessionTokens.issue(user);
    assert.equal(decodeProtectedHeader(tokens.accessToken).kid, before.body.keys[0]!.kid);
  });

  test("an access token verifies against the published JWKS with the expected claims; the JWKS holds public parts only", async (t) => {
    const { service, user, tokens } = await signedIn(t);
    const { config } = service.app;
    const { payload, protectedHeader } = await jwtVerify(tokens.accessToken, remoteKeys(service), {
      issuer: config.publicUrl,
      audience: config.tokenAudience,
      algorithms: ["ES256"],
    });
    assert.equal(protectedHeader.typ, "at+jwt");
    assert.equal(payload.sub, user.id);
    assert.equal(payload.orgId, user.orgId);
    assert.equal(payload.email, "jane@acme.test");
    assert.equal(typeof payload.jti, "string");
    assert.equal(typeof payload.sid, "string");
    assert.equal(payload.exp! - payload.iat!, 3600);
    assert.ok(Math.abs(payload.iat! - Date.now() / 1000) < 60);

    const refreshClaims = decodeJwt(tokens.refreshToken);
    assert.equal(decodeProtectedHeader(tokens.refreshToken).typ, "rt+jwt");
    assert.equal(refreshClaims.exp! - refreshClaims.iat!, 7 * 86_400);
    assert.equal(refreshClaims.sid, payload.sid);
    assert.notEqual(refreshClaims.jti, payload.jti);

    const published = await jwks(service);
    assert.equal(published.status, 200);
    assert.equal(published.headers.get("cache-control"), "public, max-age=300");
    assert.equal(published.body.keys.length, 1);
    assert.deepEqual(Object.keys(published.body.keys[0]!).sort(), ["alg", "crv", "kid", "kty", "use", "x", "y"]);
    assert.deepEqual(
      { ...published.body.keys[0], x: undefined, y: undefined },
      { kty: "EC", crv: "P-256", alg: "ES256", use: "sig", kid: protectedHeader.kid, x: undefined, y: undefined },
    );
    assert.ok((await service.app.sessionTokens.verifyAccessToken(tokens.accessToken)).ok);
  });

  test("refresh rotates: new tokens, the new refresh token works, and the old one again revokes the whole family", async (t) => {
    const { service, user, tokens } = await signedIn(t);
    const first = await refreshWith(service, tokens.refreshToken);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get("cache-control"), "no-store");
    assert.notEqual(first.body.accessToken, tokens.accessToken);
    assert.notEqual(first.body.refreshToken, tokens.refreshToken);
    const { payload } = await jwtVerify(first.body.accessToken, remoteKeys(service), {
      issuer: service.app.config.publicUrl,
      audience: service.app.config.tokenAudience,
    });
    assert.equal(payload.sub, user.id);
    assert.equal(payload.sid, decodeJwt(tokens.accessToken).sid, "same family");

    const second = await refreshWith(service, first.body.refreshToken);
    assert.equal(second.status, 200, second.text);

    // The first refresh token again: reuse. The family ends, so the newest tokens stop working too.
    assertAuthError(await refreshWith(service, tokens.refreshToken), 401, "INVALID_TOKEN");
    assertAuthError(await refreshWith(service, second.body.refreshToken), 401, "INVALID_TOKEN");
    assert.equal((await service.app.sessionTokens.verifyAccessToken(second.body.accessToken)).ok, false);
    const family = await service.app.store.db
      .selectFrom("refresh_token_families")
      .selectAll()
      .where("id", "=", String(payload.sid))
      .executeTakeFirstOrThrow();
    assert.equal(family.revoked_reason, "reuse");
    assert.deepEqual(
      (await signInRecords(service, user.orgId)).map((r) => [r.event, r.outcome, r.userId]),
      [["session.refresh_token_reuse", "failure", user.id]],
    );
  });

  test("two concurrent refreshes with one token: exactly one succeeds, and the family is revoked", async (t) => {
    const { service, tokens } = await signedIn(t);
    const answers = await Promise.all([refreshWith(service, tokens.refreshToken), refreshWith(service, tokens.refreshToken)]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 401]);
    const winner = answers.find((a) => a.status === 200)!;
    assertAuthError(await refreshWith(service, winner.body.refreshToken), 401, "INVALID_TOKEN");
  });

  test("an access token is refused as a refresh token, and a refresh token is refused at logout", async (t) => {
    const { service, tokens } = await signedIn(t);
    assertAuthError(await refreshWith(service, tokens.accessToken), 401, "INVALID_TOKEN");
    assertAuthError(await logout(service, tokens.refreshToken), 401, "INVALID_TOKEN");
    assert.equal((await service.app.sessionTokens.verifyAccessToken(tokens.refreshToken)).ok, false);
    // Neither refusal used anything up.
    assert.equal((await refreshWith(service, tokens.refreshToken)).status, 200);
  });

  test("each kind is told by both its header typ and its token_use claim", async (t) => {
    const { service, tokens } = await signedIn(t);
    const { config, store } = service.app;
    // Our own key, to craft tokens that differ from genuine ones in one marker only.
    const { kid, key } = await createSigningKeys({
      repository: store.signingKeys,
      secrets: createSecretBox(config.encryptionKey),
      refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    }).signingKey();
    assert.equal(kid, decodeProtectedHeader(tokens.refreshToken).kid);
    const resign = (token: string, typ: string, claims: Record<string, unknown>) =>
      new SignJWT({ ...decodeJwt(token), ...claims }).setProtectedHeader({ alg: "ES256", kid, typ }).sign(key);
    const email = decodeJwt(tokens.accessToken).email;

    // A refresh token (its jti on record) with one access marker: refused at refresh.
    assertAuthError(
      await refreshWith(service, await resign(tokens.refreshToken, "at+jwt", { token_use: "refresh" })),
      401,
      "INVALID_TOKEN",
    );
    assertAuthError(await refreshWith(service, await resign(tokens.refreshToken, "rt+jwt", { token_use: "access" })), 401, "INVALID_TOKEN");
    // A refresh token with an email, with one refresh marker: refused as an access token.
    assertAuthError(
      await logout(service, await resign(tokens.refreshToken, "rt+jwt", { token_use: "access", email })),
      401,
      "INVALID_TOKEN",
    );
    assertAuthError(
      await logout(service, await resign(tokens.refreshToken, "at+jwt", { token_use: "refresh", email })),
      401,
      "INVALID_TOKEN",
    );
    // The controls: the same crafting with both markers right is accepted.
    assert.equal((await logout(service, await resign(tokens.refreshToken, "at+jwt", { token_use: "access", email }))).status, 200);
    const other = await service.app.sessionTokens.issue((await store.users.get(String(decodeJwt(tokens.accessToken).sub)))!);
    assert.equal((await refreshWith(service, await resign(other.refreshToken, "rt+jwt", {}))).status, 200);
  });

  test("logout: 200 with an empty body; the session's refresh and access tokens stop working; other sessions do not", async (t) => {
    const { service, user, tokens } = await signedIn(t);
    const other = await service.app.sessionTokens.issue(user);
    const out = await logout(service, tokens.accessToken);
    assert.equal(out.status, 200, out.text);
    assert.equal(out.text, "");
    assertAuthError(await refreshWith(service, tokens.refreshToken), 401, "INVALID_TOKEN");
    assert.equal((await service.app.sessionTokens.verifyAccessToken(tokens.accessToken)).ok, false);
    assertAuthError(await logout(service, tokens.accessToken), 401, "INVALID_TOKEN");
    assert.equal((await refreshWith(service, other.refreshToken)).status, 200);
    assert.deepEqual(
      (await signInRecords(service, user.orgId)).map((r) => r.event),
      ["session.logout"],
    );
  });

  test("missing or malformed bearer credentials are 401 INVALID_TOKEN, with or without an empty JSON body", async (t) => {
    const { service } = await signedIn(t);
    for (const path of ["/userAccount/refresh/token", "/userAccount/logout/manual"]) {
      assertAuthError(await service.request("POST", path), 401, "INVALID_TOKEN");
      assertAuthError(await service.request("POST", path, undefined, { authorization: "Basic abc" }), 401, "INVALID_TOKEN");
      assertAuthError(await service.request("POST", path, undefined, bearer("not-a-jwt")), 401, "INVALID_TOKEN");
      assertAuthError(
        await service.request("POST", path, "", { "content-type": "application/json", ...bearer("x.y.z") }),
        401,
        "INVALID_TOKEN",
      );
      assertAuthError(
        await service.request("POST", path, "{", { "content-type": "application/json", ...bearer("x.y.z") }),
        400,
        "INVALID_JSON",
      );
    }
  });

  test("refresh refuses tokens signed by a foreign key, expired, for another audience or issuer, or unsigned", async (t) => {
    const { service, user, tokens } = await signedIn(t);
    const { config } = service.app;
    const genuine = decodeJwt(tokens.refreshToken);
    const ourKid = decodeProtectedHeader(tokens.refreshToken).kid!;
    const foreign = await generateKeyPair("ES256", { extractable: true });
    const forge = (kid: string) =>
      new SignJWT({ ...genuine, jti: randomUUID() }).setProtectedHeader({ alg: "ES256", kid, typ: "rt+jwt" }).sign(foreign.privateKey);
    assertAuthError(await refreshWith(service, await forge(ourKid)), 401, "INVALID_TOKEN");
    assertAuthError(await refreshWith(service, await forge((await exportJWK(foreign.publicKey)).x!.slice(0, 43))), 401, "INVALID_TOKEN");
    const [header, payload] = tokens.refreshToken.split(".");
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "rt+jwt", kid: ourKid })).toString("base64url")}.${payload}.`;
    assertAuthError(await refreshWith(service, unsigned), 401, "INVALID_TOKEN");
    assertAuthError(await refreshWith(service, `${header}.${payload}.${"A".repeat(86)}`), 401, "INVALID_TOKEN");

    const eightDaysAgo = Date.now() - 8 * 86_400_000;
    const expired = await sideIssuer(service, { now: () => eightDaysAgo }).issue(user);
    assert.ok(decodeJwt(expired.refreshToken).exp! < Date.now() / 1000);
    assertAuthError(await refreshWith(service, expired.refreshToken), 401, "INVALID_TOKEN");
    assertAuthError(await logout(service, expired.accessToken), 401, "INVALID_TOKEN");

    const otherAudience = await sideIssuer(service, { tokenAudience: "another-app" }).issue(user);
    assertAuthError(await refreshWith(service, otherAudience.refreshToken), 401, "INVALID_TOKEN");
    assertAuthError(await logout(service, otherAudience.accessToken), 401, "INVALID_TOKEN");
    const otherIssuer = await sideIssuer(service, { publicUrl: "https://elsewhere.example" }).issue(user);
    assertAuthError(await refreshWith(service, otherIssuer.refreshToken), 401, "INVALID_TOKEN");

    // The control: the same side issuer with the service's settings is accepted.
    const same = await sideIssuer(service).issue(user);
    assert.equal((await refreshWith(service, same.refreshToken)).status, 200);
    assert.equal(config.tokenAudience, "pipeshub");
  });

  test("the refresh answer has the contract's RefreshTokenResponse shape plus the rotated refresh token", async (t) => {
    const { service, user, tokens } = await signedIn(t);
    const answer = await refreshWith(service, tokens.refreshToken);
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(Object.keys(answer.body).sort(), ["accessToken", "refreshToken", "user"]);
    for (const field of REFRESH_USER_REQUIRED) assert.ok(field in answer.body.user, `user.${field} is missing`);
    for (const field of Object.keys(answer.body.user))
      assert.ok(REFRESH_USER_ALLOWED.includes(field), `user.${field} is not in the contract`);
    assert.equal(answer.body.user._id, user.id);
    assert.equal(answer.body.user.orgId, user.orgId);
    assert.equal(answer.body.user.email, "jane@acme.test");
    assert.equal(answer.body.user.fullName, "Jane Acme");
    assert.equal(answer.body.user.isDeleted, false);
    assert.equal(answer.body.user.hasLoggedIn, true);
    assert.equal(answer.body.user.__v, 0);
  });

  test("refresh for a disabled user is 403 USER_DISABLED; for a user who is gone, 404 USER_NOT_FOUND", async (t) => {
    const { service, user, tokens } = await signedIn(t);
    const db = service.app.store.db;
    // Written directly: disabling through the admin API also ends the session (401 INVALID_TOKEN,
    // test/admin/disable-users.test.ts); this is the refresh's own check of the stored user.
    await db.updateTable("users").set({ status: "disabled" }).where("id", "=", user.id).execute();
    assertAuthError(await refreshWith(service, tokens.refreshToken), 403, "USER_DISABLED");
    await db.deleteFrom("users").where("id", "=", user.id).execute();
    assertAuthError(await refreshWith(service, tokens.refreshToken), 404, "USER_NOT_FOUND");
  });

  test("key rotation: old tokens still verify, new ones use the new kid, and a retired key leaves the JWKS once its tokens have expired", async (t) => {
    const { service, user, tokens } = await signedIn(t);
    const { config } = service.app;
    const oldKid = decodeProtectedHeader(tokens.accessToken).kid!;
    assertAuthError(await service.request("POST", "/api/v1/keys/rotate"), 401, "UNAUTHORIZED");
    const rotated = await service.admin<{ kid: string }>("POST", "/api/v1/keys/rotate");
    assert.equal(rotated.status, 200, rotated.text);
    const newKid = rotated.body.kid;
    assert.notEqual(newKid, oldKid);

    assert.deepEqual(
      (await jwks(service)).body.keys.map((k) => k.kid),
      [newKid, oldKid],
    );
    const verifyOptions = { issuer: config.publicUrl, audience: config.tokenAudience };
    const old = await jwtVerify(tokens.accessToken, remoteKeys(service), verifyOptions);
    assert.equal(old.protectedHeader.kid, oldKid);
    const fresh = await service.app.sessionTokens.issue(user);
    assert.equal(decodeProtectedHeader(fresh.accessToken).kid, newKid);
    assert.equal(decodeProtectedHeader(fresh.refreshToken).kid, newKid);
    await jwtVerify(fresh.accessToken, remoteKeys(service), verifyOptions);
    // A refresh token signed with the retired key still refreshes, into tokens signed with the new one.
    const refreshed = await refreshWith(service, tokens.refreshToken);
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal(decodeProtectedHeader(refreshed.body.accessToken).kid, newKid);

    // Once the old key's retirement is older than the refresh lifetime, it is no longer published.
    const longAgo = new Date(Date.now() - (config.refreshTokenTtlSeconds + 3600) * 1000).toISOString();
    const oldSession = await sideIssuer(service).issue(user);
    await service.app.store.db.updateTable("signing_keys").set({ retired_at: longAgo }).where("kid", "=", newKid).execute();
    const third = await service.admin<{ kid: string }>("POST", "/api/v1/keys/rotate");
    assert.deepEqual(
      (await jwks(service)).body.keys.map((k) => k.kid),
      [third.body.kid, oldKid],
    );
    assertAuthError(await refreshWith(service, oldSession.refreshToken), 401, "INVALID_TOKEN");
  });

  test("the private signing key is stored sealed, never in clear", async (t) => {
    const { service, tokens } = await signedIn(t);
    const kid = decodeProtectedHeader(tokens.accessToken).kid!;
    const row = await service.app.store.db.selectFrom("signing_keys").selectAll().where("kid", "=", kid).executeTakeFirstOrThrow();
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.private_jwk_sealed);
    } catch {
      parsed = undefined;
    }
    assert.equal((parsed as { d?: unknown } | undefined)?.d, undefined);
    const opened = JSON.parse(createSecretBox(service.app.config.encryptionKey).open(row.private_jwk_sealed, kid)) as { d?: string };
    assert.equal(typeof opened.d, "string", "the sealed value is the private JWK");
    assert.ok(!row.private_jwk_sealed.includes(opened.d!));
    assert.equal((JSON.parse(row.public_jwk) as { d?: unknown }).d, undefined);
    assert.throws(() => createSecretBox(service.app.config.encryptionKey).open(row.private_jwk_sealed, "another-kid"), "bound to its kid");
  });
});
