import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { startService } from "../support/service.ts";

const APP = "https://app.example.com";

function preflight(url: string, origin: string): Promise<Response> {
  return fetch(`${url}/userAccount/initAuth`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,x-session-token" },
  });
}

describe("security headers", () => {
  test("every answer, JSON or error, forbids sniffing, framing and referrers, under a strict CSP", async (t) => {
    const service = await startService(t);
    for (const path of ["/healthz", "/api/v1/orgs", "/no/such/route"]) {
      const response = await fetch(service.url + path);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(response.headers.get("x-frame-options"), "DENY", path);
      assert.equal(response.headers.get("referrer-policy"), "no-referrer", path);
      assert.match(response.headers.get("content-security-policy") ?? "", /default-src 'self'.*frame-ancestors 'none'/, path);
      assert.equal(response.headers.get("strict-transport-security"), null, "no HSTS on a plain-http service");
    }
  });

  test("HSTS is sent when the service's public URL is https", async (t) => {
    const service = await startService(t, { publicUrl: "https://auth.example.com" });
    assert.match((await fetch(`${service.url}/healthz`)).headers.get("strict-transport-security") ?? "", /^max-age=31536000/);
  });

  test("/docs has its own CSP: swagger-ui's one inline style by hash, never 'unsafe-inline' or other origins", async (t) => {
    const service = await startService(t);
    const csp = (await fetch(`${service.url}/docs/static/index.html`)).headers.get("content-security-policy") ?? "";
    assert.match(csp, /style-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:|\*/);
  });
});

describe("CORS", () => {
  test("is off by default: no origin gets an Access-Control-Allow-Origin", async (t) => {
    const service = await startService(t);
    const answer = await preflight(service.url, APP);
    assert.equal(answer.headers.get("access-control-allow-origin"), null);
    const get = await fetch(`${service.url}/healthz`, { headers: { origin: APP } });
    assert.equal(get.headers.get("access-control-allow-origin"), null);
  });

  test("allows exactly the configured origins, with the headers the SDK sends and reads", async (t) => {
    const service = await startService(t, { corsOrigins: [APP] });
    const allowed = await preflight(service.url, APP);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get("access-control-allow-origin"), APP);
    assert.match(allowed.headers.get("access-control-allow-headers") ?? "", /x-session-token/);
    assert.match(allowed.headers.get("access-control-allow-methods") ?? "", /POST/);
    assert.equal(allowed.headers.get("access-control-allow-credentials"), null, "bearer tokens, not cookies");

    const get = await fetch(`${service.url}/healthz`, { headers: { origin: APP } });
    assert.equal(get.headers.get("access-control-allow-origin"), APP);
    assert.match(get.headers.get("access-control-expose-headers") ?? "", /x-session-token/);
    assert.match(get.headers.get("vary") ?? "", /origin/i);

    const other = await preflight(service.url, "https://evil.example.net");
    assert.equal(other.headers.get("access-control-allow-origin"), null);
  });
});
