import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { identify, identityFromClaims, verifyIdToken } from "../../src/signin/identity.ts";
import { closedPortUrl, startJsonServer } from "../support/faulty-servers.ts";
import { configuredProvider, connect, providerClients } from "../support/provider-connections.ts";

const settings = (extra: Parameters<typeof configuredProvider>[0] = {}) =>
  configuredProvider({ issuer: "https://idp.example", ...extra }).settings;
const outcome = (r: { ok: boolean; error?: string; value?: unknown }) => (r.ok ? r.value : r.error);

describe("signin/identity: claims → who signed in", () => {
  test("the subject is `sub` by default, the email verified only by a true email_verified", () => {
    assert.deepEqual(
      outcome(identityFromClaims({ sub: "s1", email: "a@b.test", email_verified: true, name: "A" }, "id_token", settings())),
      {
        subject: "s1",
        email: "a@b.test",
        emailVerified: true,
        name: "A",
        source: "id_token",
      },
    );
    for (const [value, verified] of [
      [true, true],
      ["true", true],
      [1, true],
      ["1", true],
      [false, false],
      ["false", false],
      ["yes", false],
      [undefined, false],
    ] as const) {
      const identity = identityFromClaims({ sub: "s1", email: "a@b.test", email_verified: value }, "id_token", settings());
      assert.equal(identity.ok && identity.value.emailVerified, verified, `email_verified ${String(value)}`);
    }
  });

  test("a configured subject claim and email-verified claim are read instead (Entra ID: oid, xms_edov)", () => {
    const entra = settings({ subjectClaim: "oid", emailVerifiedClaim: "xms_edov" });
    const identity = identityFromClaims(
      { sub: "pairwise", oid: "object-id", email: "a@b.test", email_verified: false, xms_edov: true },
      "id_token",
      entra,
    );
    assert.deepEqual(outcome(identity), {
      subject: "object-id",
      email: "a@b.test",
      emailVerified: true,
      name: undefined,
      source: "id_token",
    });
    assert.equal(outcome(identityFromClaims({ sub: "pairwise", email: "a@b.test" }, "id_token", entra)), "PROVIDER_ERROR", "no oid");
  });

  test("a plain OAuth 2.0 user API's numeric `id` is the subject when it has no `sub` (GitHub)", () => {
    const identity = identityFromClaims({ id: 1234567, email: "o@x.test" }, "userinfo", settings({ issuer: undefined }));
    assert.equal(identity.ok && identity.value.subject, "1234567");
    assert.equal(outcome(identityFromClaims({ id: 1234567 }, "id_token", settings())), "PROVIDER_ERROR", "not from an ID token");
    assert.equal(outcome(identityFromClaims({ id: 2 ** 60 }, "userinfo", settings())), "PROVIDER_ERROR", "not an unsafe integer");
  });

  test('unusable subjects are refused: empty, blank, "null", "undefined", too long, not a string', () => {
    for (const sub of ["", "  ", "null", "undefined", "x".repeat(256), { id: 1 }, true]) {
      assert.equal(outcome(identityFromClaims({ sub, email: "a@b.test" }, "id_token", settings())), "PROVIDER_ERROR", JSON.stringify(sub));
    }
  });

  test("claim names never read the prototype: a subject claim named like an inherited property finds nothing", () => {
    assert.equal(outcome(identityFromClaims({ email: "a@b.test" }, "id_token", settings({ subjectClaim: "toString" }))), "PROVIDER_ERROR");
    const identity = identityFromClaims({ sub: "s", email: "a@b.test" }, "id_token", settings({ emailVerifiedClaim: "constructor" }));
    assert.equal(identity.ok && identity.value.emailVerified, false);
  });

  test("an empty email claim is no email", () => {
    const identity = identityFromClaims({ sub: "s", email: "" }, "id_token", settings());
    assert.equal(identity.ok && identity.value.email, undefined);
  });
});

describe("signin/identity: verify, then identify", () => {
  test("no ID token, or a provider without an issuer (plain OAuth 2.0): nothing to verify", async () => {
    const base = await closedPortUrl();
    const clients = providerClients();
    const plain = await connect(
      clients,
      configuredProvider({ scope: "email", authorizationUrl: `${base}/a`, tokenEndpoint: `${base}/t`, userInfoEndpoint: `${base}/u` }),
    );
    assert.deepEqual(await verifyIdToken(clients, plain, "an.id.token", undefined), { ok: true, value: undefined });
  });

  test("with ID token claims but no email, userinfo fills it in, bound to the ID token's subject; the subject claim stays the ID token's", async (t) => {
    const requests: string[] = [];
    let issuer = "";
    const server = await startJsonServer((req) => {
      requests.push(req.url);
      if (req.url === "/.well-known/openid-configuration")
        return {
          status: 200,
          body: {
            issuer,
            authorization_endpoint: `${issuer}/auth`,
            token_endpoint: `${issuer}/token`,
            userinfo_endpoint: `${issuer}/me`,
            jwks_uri: `${issuer}/jwks`,
            response_types_supported: ["code"],
            subject_types_supported: ["public"],
          },
        };
      return { status: 200, body: { sub: "s1", oid: "forged-by-userinfo", email: "a@b.test", email_verified: true } };
    });
    issuer = server.url;
    t.after(() => server.close());
    const connection = await connect(providerClients(), configuredProvider({ issuer, subjectClaim: "oid" }));
    const identity = await identify(connection, "at", { sub: "s1", oid: "from-id-token", iss: issuer });
    assert.deepEqual(outcome(identity), {
      subject: "from-id-token",
      email: "a@b.test",
      emailVerified: true,
      name: undefined,
      source: "id_token",
    });
    assert.deepEqual(requests, ["/.well-known/openid-configuration", "/me"]);
    const elsewhere = await identify(connection, "at", { sub: "s2", oid: "o2", iss: issuer });
    assert.equal(outcome(elsewhere), "PROVIDER_ERROR", "userinfo answered for s1, not the ID token's s2");
  });

  test("with an email list configured, its verified primary address replaces the user API's email (GitHub)", async (t) => {
    const server = await startJsonServer((req) =>
      req.url === "/user/emails"
        ? { status: 200, body: [{ email: "primary@x.test", primary: true, verified: true }] }
        : { status: 200, body: { id: 7, email: "public@x.test" } },
    );
    t.after(() => server.close());
    const connection = await connect(
      providerClients(),
      configuredProvider({
        scope: "user:email",
        authorizationUrl: `${server.url}/a`,
        tokenEndpoint: `${server.url}/t`,
        userInfoEndpoint: `${server.url}/user`,
        emailsEndpoint: `${server.url}/user/emails`,
      }),
    );
    assert.deepEqual(outcome(await identify(connection, "at", undefined)), {
      subject: "7",
      email: "primary@x.test",
      emailVerified: true,
      name: undefined,
      source: "userinfo",
    });
  });
});
