// Answers are checked against the service's own schemas (src/generated/schemas.ts): an answer
// missing a field the schema requires is a ResponseValidationError, whichever resource it is.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Pipeshub, ResponseValidationError } from "../src/index.ts";
import { sendJson, startServer, type TestServer } from "./helpers/server.ts";

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

/** A client of a server that answers every request with `status` and `body`. */
async function answering(body: unknown, status = 200): Promise<Pipeshub> {
  const server = await startServer((_req, res) => sendJson(res, status, body, { "x-session-token": "s" }));
  servers.push(server);
  return new Pipeshub({ serverURL: server.url, adminToken: "admin-jwt", retryConfig: { strategy: "none" } });
}

const at = "2025-01-01T00:00:00Z";
const org = { id: "org_1", name: "Acme", domains: ["acme.test"], createdAt: at };
const link = { id: "l1", orgId: "org_1", createdAt: at, expiresAt: at, usedAt: null, revokedAt: null };

/** Per resource: an operation, a valid answer, and the required field left out of it. */
const CASES: {
  resource: string;
  call: (c: Pipeshub) => Promise<unknown>;
  valid: Record<string, unknown>;
  status?: number;
  drop: string;
}[] = [
  { resource: "organisations", call: (c) => c.admin.getOrg("org_1"), valid: org, drop: "domains" },
  {
    resource: "providers",
    call: (c) => c.admin.testProvider("org_1", "okta"),
    valid: { ok: true, issuer: "https://idp", authorizationEndpoint: "https://idp/a", tokenEndpoint: "https://idp/t" },
    drop: "tokenEndpoint",
  },
  {
    resource: "users",
    call: (c) => c.admin.setUserRole("org_1", "u1", "admin"),
    valid: { id: "u1", orgId: "org_1", email: "u@acme.test", fullName: null, status: "active", role: "admin", createdAt: at },
    drop: "status",
  },
  { resource: "audit", call: (c) => c.admin.listAudit("org_1"), valid: { records: [], nextCursor: null }, drop: "nextCursor" },
  {
    resource: "setup links",
    call: (c) => c.admin.createSetupLink("org_1"),
    status: 201,
    valid: { ...link, url: "https://x", token: "t" },
    drop: "token",
  },
  { resource: "keys", call: (c) => c.admin.rotateSigningKeys(), valid: { kid: "k2" }, drop: "kid" },
  { resource: "console sessions", call: (c) => c.admin.endAllConsoleSessions(), valid: { ended: 2 }, drop: "ended" },
  {
    resource: "sign-in (userAccount)",
    call: (c) => c.userAccount.initAuth(),
    valid: { currentStep: 0, allowedMethods: ["oauth"], message: "m", authProviders: {}, jitEnabled: false },
    drop: "jitEnabled",
  },
  {
    resource: "oauth",
    call: (c) => c.oauth.authorizationUrl({ provider: "p", email: "u@acme.test", redirectUri: "https://app/cb" }),
    valid: { authorizationUrl: "https://idp/a", state: "s" },
    drop: "state",
  },
];

describe("an answer missing a field its schema requires", () => {
  for (const { resource, call, valid, status, drop } of CASES) {
    it(`is a ResponseValidationError naming the field (${resource})`, async () => {
      await call(await answering(valid, status)); // the complete answer is accepted
      const { [drop]: _left, ...missing } = valid;
      await assert.rejects(call(await answering(missing, status)), (error) => {
        assert.ok(error instanceof ResponseValidationError);
        assert.match(error.message, new RegExp(`response\\.${drop}: required .* is missing`));
        return true;
      });
    });
  }

  it("is a ResponseValidationError in a list's item too, and so is a value outside the schema's enum", async () => {
    await assert.rejects(
      (await answering([{ ...org, name: undefined }])).admin.listOrgs(),
      /response\[0\]\.name: required string is missing/,
    );
    const user = { id: "u1", orgId: "org_1", email: "u@acme.test", fullName: null, status: "gone", role: "admin", createdAt: at };
    await assert.rejects(
      (await answering([user])).admin.listUsers("org_1"),
      /response\[0\]\.status: expected one of "active", "disabled", got "gone"/,
    );
  });
});
