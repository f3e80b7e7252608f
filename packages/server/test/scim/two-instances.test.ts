/**
 * Deactivation through SCIM on one instance ends the user's sessions on the other at once: two
 * service processes on one PostgreSQL and one Redis.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertAuthError, bearer } from "../support/service.ts";
import { assertScimError } from "../support/scim-client.ts";
import { CLIENT_SECRET, REDIRECT_URI } from "../support/sign-in-fixture.ts";
import { startTestProvider, type TestUser } from "../support/test-provider.ts";
import { type Instance, signInOn, twoServiceInstances } from "../support/two-instances.ts";

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const skip =
  (!databaseUrl || !redisUrl) && !process.env.CI
    ? "not applicable: TEST_DATABASE_URL and TEST_REDIS_URL are not set (CI sets them)"
    : false;

const alice: TestUser = { sub: "alice-sub", email: "alice@acme.test", email_verified: true, name: "Alice" };

/** An IdP's request to the organisation's SCIM base URL on `instance`. */
const scimOn = (instance: Instance, baseUrl: string, token: string) => (method: string, path: string, body?: unknown) =>
  instance.request<Record<string, unknown>>(
    method,
    `${new URL(baseUrl).pathname}${path}`,
    body === undefined ? undefined : JSON.stringify(body),
    {
      ...bearer(token),
      ...(body !== undefined && { "content-type": "application/scim+json" }),
    },
  );

test("two instances: a SCIM deactivation on A refuses the next refresh on B, and B's on A", { skip, timeout: 300_000 }, async (t) => {
  const provider = await startTestProvider({
    clients: [{ client_id: "pipeshub-app", client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }],
    users: [alice],
  });
  t.after(() => provider.close());
  const { a, b } = await twoServiceInstances(t, databaseUrl!, redisUrl!);
  const org = await a.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
  const orgId = org.body.id;
  const put = await b.admin("PUT", `/api/v1/orgs/${orgId}/oauth-providers/acme-idp`, {
    clientId: "pipeshub-app",
    clientSecret: CLIENT_SECRET,
    issuer: provider.issuer,
    redirectUris: [REDIRECT_URI],
    enableJit: false,
  });
  assert.equal(put.status, 201, put.text);
  const made = await a.admin<{ token: string; baseUrl: string }>("POST", `/api/v1/orgs/${orgId}/scim-tokens`);
  assert.equal(made.status, 201, made.text);
  const [scimA, scimB] = [a, b].map((instance) => scimOn(instance, made.body.baseUrl, made.body.token)) as [
    ReturnType<typeof scimOn>,
    ReturnType<typeof scimOn>,
  ];

  // Okta provisions alice through A; B finds her by filter.
  const created = await scimA("POST", "/Users", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: "alice@acme.test",
    name: { givenName: "Alice", familyName: "Acme" },
    emails: [{ primary: true, value: "alice@acme.test", type: "work" }],
    externalId: "00u-alice",
    active: true,
  });
  assert.equal(created.status, 201, created.text);
  const id = created.body.id as string;
  const found = await scimB("GET", `/Users?filter=${encodeURIComponent('userName eq "alice@acme.test"')}`);
  assert.equal(found.body.totalResults, 1, found.text);

  // Signed in on B; Okta deactivates her through A; B refuses her next refresh and access token.
  const onB = await signInOn(b, provider, alice);
  const okta = await scimA("PATCH", `/Users/${id}`, {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    Operations: [{ op: "replace", value: { active: false } }],
  });
  assert.equal(okta.status, 200, okta.text);
  assertAuthError(await b.request("POST", "/userAccount/refresh/token", undefined, bearer(onB.refreshToken)), 401, "INVALID_TOKEN");
  assertAuthError(await b.request("POST", "/userAccount/logout/manual", undefined, bearer(onB.accessToken)), 401, "INVALID_TOKEN");

  // Entra re-enables her through B, she signs in on A, Entra deactivates through B: A refuses.
  const enabled = await scimB("PATCH", `/Users/${id}`, {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    Operations: [{ op: "Replace", path: "active", value: "True" }],
  });
  assert.equal(enabled.status, 200, enabled.text);
  const onA = await signInOn(a, provider, alice);
  const entra = await scimB("PATCH", `/Users/${id}`, {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    Operations: [{ op: "Replace", path: "active", value: "False" }],
  });
  assert.equal(entra.status, 200, entra.text);
  assertAuthError(await a.request("POST", "/userAccount/refresh/token", undefined, bearer(onA.refreshToken)), 401, "INVALID_TOKEN");

  // Deleted through A: gone on B.
  assert.equal((await scimA("DELETE", `/Users/${id}`)).status, 204);
  assertScimError(await scimB("GET", `/Users/${id}`), 404);
});
