import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startService } from "../support/service.ts";

test("a signing-key rotation on one instance is honoured by another at once: an unknown kid re-reads the shared database", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "pipeshub-keys-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const database = { kind: "sqlite", path: join(dir, "shared.sqlite") } as const;
  const a = await startService(t, { database });
  const b = await startService(t, { database });
  const org = await a.admin<{ id: string }>("POST", "/api/v1/orgs", { name: "Acme", domains: ["acme.test"] });
  const created = await a.admin<{ id: string }>("POST", `/api/v1/orgs/${org.body.id}/users`, { email: "jane@acme.test", fullName: "Jane" });
  assert.equal(created.status, 201, created.text);
  const user = await a.app.store.users.get(created.body.id);
  assert.ok(user);

  // B reads the keys now, so its copy is fresh (well inside its cache and reload windows).
  const before = await b.request<{ keys: { kid: string }[] }>("GET", "/.well-known/jwks.json");
  assert.equal(before.status, 200);
  const rotated = await a.admin<{ kid: string }>("POST", "/api/v1/keys/rotate");
  assert.equal(rotated.status, 200, rotated.text);
  assert.ok(!before.body.keys.some((k) => k.kid === rotated.body.kid));

  const tokens = await a.app.sessionTokens.issue(user);
  const refreshed = await b.request("POST", "/userAccount/refresh/token", undefined, { authorization: `Bearer ${tokens.refreshToken}` });
  assert.equal(refreshed.status, 200, `B refuses a token of A's new key: ${refreshed.text}`);
  const again = await a.app.sessionTokens.issue(user);
  const logout = await b.request("POST", "/userAccount/logout/manual", undefined, { authorization: `Bearer ${again.accessToken}` });
  assert.equal(logout.status, 200, logout.text);
  assert.ok(
    (await b.request<{ keys: { kid: string }[] }>("GET", "/.well-known/jwks.json")).body.keys.some((k) => k.kid === rotated.body.kid),
    "B publishes the new key",
  );
});
