import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { startService } from "../support/service.ts";

/**
 * Follows a page's modules from its entry, as the browser would, over HTTP: each must be served
 * as JavaScript beside the entry and load nothing from elsewhere. Answers their paths, sorted.
 */
async function servedModules(serviceUrl: string, entry: string): Promise<string[]> {
  const dir = entry.slice(0, entry.lastIndexOf("/") + 1);
  const pending = [entry];
  const served = new Set<string>();
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (served.has(path)) continue;
    const response = await fetch(serviceUrl + path);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get("content-type") ?? "", /^text\/javascript/, path);
    const source = await response.text();
    assert.doesNotMatch(source, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, `${path} loads nothing from elsewhere`);
    served.add(path);
    // `import … from "./x.js"`, and `import "./x.js"` (a page module that registers its routes).
    for (const [, name] of source.matchAll(/\b(?:from|import) "\.\/([\w-]+\.js)";/g)) pending.push(`${dir}${name}`);
  }
  return [...served].sort();
}

describe("the sign-in page (/ and /callback)", () => {
  test("is served with a strict Content-Security-Policy, no referrer and no caching", async (t) => {
    const service = await startService(t, { publicUrl: "http://127.0.0.1:4999" });
    for (const path of ["/", "/callback?code=abc&state=xyz&iss=http%3A%2F%2F127.0.0.1%3A1"]) {
      const response = await fetch(service.url + path);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html; charset=utf-8/);
      const csp = response.headers.get("content-security-policy") ?? "";
      assert.match(csp, /(^|;\s*)default-src 'self'(;|$)/);
      assert.match(csp, /(^|;\s*)script-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|https?:/);
      assert.equal(response.headers.get("referrer-policy"), "no-referrer");
      assert.equal(response.headers.get("cache-control"), "no-store");
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      assert.equal(response.headers.get("x-frame-options"), "DENY");
      const html = await response.text();
      assert.match(html, /<meta name="public-url" content="http:\/\/127\.0\.0\.1:4999"\s*\/?>/);
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc="\/)/, "no inline scripts");
      assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i, "no inline styles or handlers");
      assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, "no third-party resources");
      assert.match(html, /<label for="email">/);
    }
    // The code in the callback's URL never reaches the log.
    assert.doesNotMatch(service.logs(), /code=abc/);
  });

  test("serves its module, stylesheet and icon from this origin", async (t) => {
    const service = await startService(t);
    const expected: Record<string, RegExp> = {
      "/assets/app.js": /^text\/javascript/,
      "/assets/app.css": /^text\/css/,
      "/favicon.svg": /^image\/svg\+xml/,
    };
    for (const [path, type] of Object.entries(expected)) {
      const response = await fetch(service.url + path);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get("content-type") ?? "", type);
      assert.ok(response.headers.get("content-security-policy"));
      assert.doesNotMatch(await response.text(), /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, `${path} loads nothing from elsewhere`);
    }
  });

  test("serves every module the page imports, its API client included, and nothing from elsewhere", async (t) => {
    const service = await startService(t);
    assert.deepEqual(await servedModules(service.url, "/assets/app.js"), [
      "/assets/api-client.js",
      "/assets/app.js",
      "/assets/signin-callback.js",
      "/assets/signin-page.js",
      "/assets/signin-session.js",
      "/assets/signin-start.js",
      "/assets/signin-words.js",
    ]);
    // Only what a page imports is served: the console's modules are not under the sign-in page's path.
    assert.equal((await fetch(`${service.url}/assets/console-core.js`)).status, 404);
  });

  test("is not part of the API description", async (t) => {
    const service = await startService(t);
    const openapi = await service.request<{ paths: Record<string, unknown> }>("GET", "/openapi.json");
    if (openapi.status === 404) return t.skip("no /openapi.json in this build");
    assert.equal(openapi.status, 200);
    for (const path of ["/", "/callback", "/assets/app.js"]) assert.equal(openapi.body.paths[path], undefined, path);
  });
});

describe("the admin console's pages (/admin, /admin/setup, /admin/test-signin)", () => {
  test("are served under the same strict Content-Security-Policy, uncached, and the test sign-in's code never reaches the log", async (t) => {
    const service = await startService(t);
    for (const path of ["/admin", "/admin/setup", "/admin/test-signin?code=c0de-in-the-url&state=st4te"]) {
      const response = await fetch(service.url + path);
      assert.equal(response.status, 200, path);
      const csp = response.headers.get("content-security-policy") ?? "";
      assert.match(csp, /(^|;\s*)script-src 'self'(;|$)/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|https?:/, path);
      assert.equal(response.headers.get("cache-control"), "no-store", path);
      assert.equal(response.headers.get("referrer-policy"), "no-referrer", path);
      const html = await response.text();
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc="\/)/, "no inline scripts");
      assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i, "no inline styles or handlers");
    }
    assert.doesNotMatch(service.logs(), /c0de-in-the-url|st4te/);
  });

  test("serve every module the console imports, and nothing from elsewhere", async (t) => {
    const service = await startService(t);
    assert.deepEqual(await servedModules(service.url, "/admin/assets/console.js"), [
      "/admin/assets/api-client.js",
      "/admin/assets/console-audit.js",
      "/admin/assets/console-charts.js",
      "/admin/assets/console-core.js",
      "/admin/assets/console-domain-claims.js",
      "/admin/assets/console-orgs.js",
      "/admin/assets/console-provider-form.js",
      "/admin/assets/console-provider-page.js",
      "/admin/assets/console-provider.js",
      "/admin/assets/console-router.js",
      "/admin/assets/console-saml-form.js",
      "/admin/assets/console-saml-page.js",
      "/admin/assets/console-saml-wizard.js",
      "/admin/assets/console-service-pages.js",
      "/admin/assets/console-setup-links.js",
      "/admin/assets/console-test-signin.js",
      "/admin/assets/console-ui.js",
      "/admin/assets/console-users.js",
      "/admin/assets/console-wizard.js",
      "/admin/assets/console.js",
    ]);
    assert.equal((await fetch(`${service.url}/admin/assets/console.css`)).status, 200);
    assert.equal((await fetch(`${service.url}/admin/assets/..%2Fapp.ts`)).status, 404);
  });
});
