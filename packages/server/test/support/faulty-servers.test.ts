import assert from "node:assert/strict";
import { test } from "node:test";
import { closedPortUrl, startHangingServer, startJsonServer, startOversizedServer } from "./faulty-servers.ts";
import type { ScriptedResponse } from "./faulty-servers.ts";

test("the hanging server really hangs", async (t) => {
  const s = await startHangingServer();
  t.after(() => s.close());
  // Abort only once the request has arrived: on a loaded machine it can take longer than any fixed timeout to get there.
  const controller = new AbortController();
  const pending = fetch(s.url, { signal: controller.signal });
  while (s.requests === 0) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 250));
  controller.abort();
  await assert.rejects(pending, (err: Error) => err.name === "AbortError");
  assert.equal(s.requests, 1);
});

test("closedPortUrl refuses connections", async () => {
  const url = await closedPortUrl();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  await assert.rejects(fetch(url, { signal: AbortSignal.timeout(2000) }), (err: Error & { cause?: { code?: string } }) => {
    assert.equal(err.name, "TypeError");
    assert.equal(err.cause?.code, "ECONNREFUSED");
    return true;
  });
});

test("the scripted server answers what the script says", async (t) => {
  const s = await startJsonServer((req): ScriptedResponse => {
    if (req.url === "/html") return { status: 500, body: "<html>oops</html>", headers: { "content-type": "text/html" } };
    if (req.url === "/redirect") return { status: 302, body: undefined, headers: { location: "http://127.0.0.1:1/elsewhere" } };
    return { status: 200, body: { echo: req.body, method: req.method } };
  });
  t.after(() => s.close());
  const html = await fetch(`${s.url}/html`);
  assert.equal(html.status, 500);
  assert.equal(html.headers.get("content-type"), "text/html");
  assert.equal(await html.text(), "<html>oops</html>");
  const redirect = await fetch(`${s.url}/redirect`, { redirect: "manual" });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get("location"), "http://127.0.0.1:1/elsewhere");
  const json = await fetch(`${s.url}/x`, { method: "POST", body: "a=1" });
  assert.deepEqual(await json.json(), { echo: "a=1", method: "POST" });
  assert.equal(s.requests, 3);
});

test("the oversized server streams exactly the requested number of bytes", async (t) => {
  const s = await startOversizedServer(3 * 1024 * 1024 + 7);
  t.after(() => s.close());
  const res = await fetch(s.url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-length"), null);
  const body = await res.text();
  assert.equal(Buffer.byteLength(body), 3 * 1024 * 1024 + 7);
  assert.equal((JSON.parse(body) as { padding: string }).padding.length, 3 * 1024 * 1024 + 7 - 14);

  // a client giving up early does not wedge the server
  const partial = await fetch(s.url);
  const reader = partial.body!.getReader();
  await reader.read();
  await reader.cancel();
  assert.equal(s.requests, 2);
});
