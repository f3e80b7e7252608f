import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createOutboundFetch, OutboundError } from "../../src/oauth/outbound.ts";
import { closedPortUrl, startHangingServer, startJsonServer, startOversizedServer } from "../support/faulty-servers.ts";

const policy = { timeoutMs: 2000, maxResponseBytes: 1024 * 1024, allowInsecureLoopback: true };

async function failsWith(promise: Promise<unknown>, kind: OutboundError["kind"]) {
  await assert.rejects(promise, (error: unknown) => error instanceof OutboundError && error.kind === kind);
}

describe("the outbound layer every provider call goes through", () => {
  test("caps response bodies at 1 MiB, streamed or declared", async (t) => {
    const streamed = await startOversizedServer(1024 * 1024 + 1);
    const declared = await startOversizedServer(2 * 1024 * 1024, { contentLength: true });
    const fits = await startOversizedServer(1024 * 1024);
    t.after(() => Promise.all([streamed.close(), declared.close(), fits.close()]));
    const outbound = createOutboundFetch(policy);
    await failsWith(outbound(streamed.url), "too_large");
    await failsWith(outbound(declared.url), "too_large");
    assert.equal((await (await outbound(fits.url)).arrayBuffer()).byteLength, 1024 * 1024);
  });

  test("refuses plain http unless the loopback switch is on, and then only on loopback", async (t) => {
    const server = await startJsonServer(() => ({ status: 200, body: {} }));
    t.after(() => server.close());
    await failsWith(createOutboundFetch({ ...policy, allowInsecureLoopback: false })(server.url), "insecure");
    await failsWith(createOutboundFetch(policy)("http://example.com/"), "insecure");
    assert.equal(server.requests, 0);
    assert.equal((await createOutboundFetch(policy)(server.url)).status, 200);
  });

  test("never follows redirects", async (t) => {
    const server = await startJsonServer(() => ({ status: 307, body: "", headers: { location: "http://127.0.0.1:9/" } }));
    t.after(() => server.close());
    await failsWith(createOutboundFetch(policy)(server.url), "redirect");
  });

  test("gives up on a host that never answers at the deadline, and tells an unreachable host apart", async (t) => {
    const hanging = await startHangingServer();
    t.after(() => hanging.close());
    const started = Date.now();
    await failsWith(createOutboundFetch({ ...policy, timeoutMs: 200 })(hanging.url), "timeout");
    assert.ok(Date.now() - started < 2_000, "within the deadline plus a margin");
    await failsWith(createOutboundFetch(policy)(await closedPortUrl()), "unreachable");
  });
});
