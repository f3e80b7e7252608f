/**
 * A provider that is set up but cannot be reached (discovery refused or hanging) is reported as
 * such by initAuth, not silently left out as if the organisation had none, and the log says why.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { assertAuthError } from "../support/service.ts";
import { alice, CLIENT_SECRET, REDIRECT_URI, signInFixture } from "../support/sign-in-fixture.ts";
import { closedPortUrl, startHangingServer } from "../support/faulty-servers.ts";

type InitAuthBody = {
  authProviders: { oauth?: { providerName: string } };
  oauthProviders: { providerName: string }[];
  unavailableProviders?: { providerName: string; error: string; message: string }[];
  jitEnabled: boolean;
};

/** The JSON log lines the service wrote about `provider` being unusable (not its debug "provider call" lines). */
function logLinesAbout(logs: string, provider: string): Record<string, unknown>[] {
  return logs
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.provider === provider && line.msg !== "provider call");
}

describe("initAuth with a provider that cannot be reached", () => {
  test("lists it as unavailable without the cause (502 PROVIDER_UNAVAILABLE, as authorize answers), and logs the provider and the cause", async (t) => {
    const down = await closedPortUrl();
    const f = await signInFixture(t, { settings: { issuer: down } });
    const response = await f.service.request<InitAuthBody>("POST", "/userAccount/initAuth", { email: alice.email });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body.oauthProviders, []);
    assert.deepEqual(response.body.authProviders, {});
    assert.deepEqual(response.body.unavailableProviders, [
      {
        providerName: "acme-idp",
        error: "PROVIDER_UNAVAILABLE",
        message: "Could not connect to the provider.",
      },
    ]);
    assert.ok(!response.text.includes("ECONNREFUSED"), "the cause is for the log, not the client");

    const [line, ...more] = logLinesAbout(f.service.logs(), "acme-idp");
    assert.ok(line, f.service.logs());
    assert.deepEqual(more, []);
    assert.equal(line.level, 40, "a warning");
    assert.equal(line.error, "PROVIDER_UNAVAILABLE");
    assert.equal(line.cause, `${new URL(down).host} could not be reached (ECONNREFUSED)`);
    assert.match(String(line.msg), /sign-in provider "acme-idp" cannot be used/);
    assert.ok(!f.service.logs().includes(CLIENT_SECRET));

    // What the client would try next answers the same failure.
    const query = new URLSearchParams({ provider: "acme-idp", email: alice.email, redirectUri: REDIRECT_URI });
    assertAuthError(await f.service.request("GET", `/userAccount/oauth/authorize?${query}`), 502, "PROVIDER_UNAVAILABLE");
  });

  test("the reachable ones are offered as before; only the unreachable one is listed apart", async (t) => {
    const f = await signInFixture(t);
    const down = await closedPortUrl();
    const put = await f.service.admin("PUT", `/api/v1/orgs/${f.orgId}/oauth-providers/backup-idp`, {
      clientId: "c",
      clientSecret: CLIENT_SECRET,
      issuer: down,
      redirectUris: [REDIRECT_URI],
    });
    assert.equal(put.status, 201, put.text);
    const { body } = await f.service.request<InitAuthBody>("POST", "/userAccount/initAuth", { email: alice.email });
    assert.deepEqual(
      body.oauthProviders.map((p) => p.providerName),
      ["acme-idp"],
    );
    assert.equal(body.authProviders.oauth?.providerName, "acme-idp");
    assert.equal(body.jitEnabled, true);
    assert.deepEqual(
      body.unavailableProviders?.map((p) => [p.providerName, p.error]),
      [["backup-idp", "PROVIDER_UNAVAILABLE"]],
    );
  });

  test("a provider whose discovery never answers is listed as PROVIDER_UNAVAILABLE too, within the outbound deadline; the log says it timed out", async (t) => {
    const hanging = await startHangingServer();
    t.after(() => hanging.close());
    const f = await signInFixture(t, { config: { outboundTimeoutMs: 300 }, settings: { issuer: hanging.url } });
    const started = performance.now();
    const { body } = await f.service.request<InitAuthBody>("POST", "/userAccount/initAuth", { email: alice.email });
    assert.ok(performance.now() - started < 300 + 1500);
    assert.deepEqual(
      body.unavailableProviders?.map((p) => [p.providerName, p.error]),
      [["acme-idp", "PROVIDER_UNAVAILABLE"]],
    );
    const [line] = logLinesAbout(f.service.logs(), "acme-idp");
    assert.match(String(line?.cause), /did not answer within 300 ms/);
  });

  test("when every provider answers, the response has no unavailableProviders at all (the contract's shape)", async (t) => {
    const f = await signInFixture(t);
    const { body } = await f.service.request<InitAuthBody>("POST", "/userAccount/initAuth", { email: alice.email });
    assert.equal("unavailableProviders" in body, false);
    assert.deepEqual(
      body.oauthProviders.map((p) => p.providerName),
      ["acme-idp"],
    );
  });

  test("a failed discovery is remembered for a while: 20 initAuth calls make one connection to the provider, not 20", async (t) => {
    let connections = 0;
    let requests = 0;
    const failing = createServer((_req, res) => {
      requests++;
      res.writeHead(500, { "content-type": "application/json", connection: "close" }).end('{"error":"server_error"}');
    });
    failing.on("connection", () => connections++);
    await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
    t.after(() => new Promise<void>((resolve) => failing.close(() => resolve())));
    const f = await signInFixture(t, { settings: { issuer: `http://127.0.0.1:${(failing.address() as AddressInfo).port}` } });
    for (let i = 0; i < 20; i++) {
      const response = await f.service.request<InitAuthBody>("POST", "/userAccount/initAuth", { email: alice.email });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body.unavailableProviders?.[0]?.error, "PROVIDER_ERROR", response.text);
    }
    assert.equal(requests, 1);
    assert.equal(connections, 1);
  });
});
