import assert from "node:assert/strict";
import { createHook } from "node:async_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
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

  test("keeps connections to a provider alive: twenty calls, one connection", async (t) => {
    const server = await startJsonServer(() => ({ status: 200, body: { ok: true } }));
    t.after(() => server.close());
    const outbound = createOutboundFetch(policy);
    for (let i = 0; i < 20; i++) {
      assert.deepEqual(await (await outbound(`${server.url}/token`, { method: "POST", body: "x" })).json(), { ok: true });
      // A connection takes its next call a turn of the event loop after its answer (undici waits
      // that long for a server that closes despite keep-alive); a call sooner opens a second.
      await nextTurn();
    }
    assert.deepEqual([server.requests, server.connections], [20, 1]);
  });

  test("each call has one deadline, cleared when the call ends: no timer outlives a call", async (t) => {
    const server = await startJsonServer(() => ({ status: 200, body: {} }));
    t.after(() => server.close());
    const deadlineMs = 54_321; // recognisable among the process's other timers
    const pending = new Map<number, unknown>();
    const made: number[] = [];
    const hook = createHook({
      init(id, type, _trigger, resource) {
        if (type === "Timeout" && (resource as { _idleTimeout?: number })._idleTimeout === deadlineMs) {
          made.push(id);
          pending.set(id, resource);
        }
      },
      destroy: (id) => pending.delete(id),
    }).enable();
    t.after(() => hook.disable());
    const outbound = createOutboundFetch({ ...policy, timeoutMs: deadlineMs });
    for (let i = 0; i < 5; i++) await outbound(server.url);
    await nextTurn();
    await nextTurn();
    assert.equal(made.length, 5, "one timer per call");
    assert.equal(pending.size, 0, "every deadline timer was cleared");
  });

  test("a caller's abort signal ends the call with the caller's reason, not as a provider timeout", async (t) => {
    const hanging = await startHangingServer();
    t.after(() => hanging.close());
    const reason = new Error("the caller gave up");
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(createOutboundFetch(policy)(hanging.url, { signal: controller.signal }), (error) => error === reason);
    await assert.rejects(createOutboundFetch(policy)(hanging.url, { signal: AbortSignal.abort(reason) }), (error) => error === reason);
  });

  test("sends request bodies as openid-client passes them: form parameters, text and bytes", async (t) => {
    const seen: { type: unknown; body: string }[] = [];
    const server = await startJsonServer((req) => {
      seen.push({ type: req.headers["content-type"], body: req.body });
      return { status: 200, body: {} };
    });
    t.after(() => server.close());
    const outbound = createOutboundFetch(policy);
    await outbound(server.url, { method: "POST", body: new URLSearchParams({ grant_type: "authorization_code", code: "a b" }) });
    await outbound(server.url, { method: "POST", body: "plain", headers: { "content-type": "application/json" } });
    await outbound(server.url, { method: "POST", body: new TextEncoder().encode("bytes") });
    assert.deepEqual(seen, [
      { type: "application/x-www-form-urlencoded;charset=UTF-8", body: "grant_type=authorization_code&code=a+b" },
      { type: "application/json", body: "plain" },
      { type: undefined, body: "bytes" },
    ]);
  });
});
