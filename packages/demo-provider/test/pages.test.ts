// The provider's own login and consent pages, as a person's browser sees them: labelled as a
// stand-in, escaped, with a password check when the user has one. (oidc-provider-server.test.ts
// drives the same pages headlessly for the protocol.)
import assert from "node:assert/strict";
import { test } from "node:test";
import type { TestContext } from "node:test";
import { startOidcProviderServer } from "../src/index.ts";
import type { OidcProviderServer, OidcProviderServerOptions } from "../src/index.ts";

const REDIRECT = "http://127.0.0.1:1/callback";
const client = { client_id: "pages-app", client_secret: "pages-secret", redirect_uris: [REDIRECT] };
const carol = { sub: "carol", email: "Carol@Example.com", email_verified: true, name: "Carol", password: "s3cret" };

async function start(t: TestContext, extra: Partial<OidcProviderServerOptions> = {}): Promise<OidcProviderServer> {
  const server = await startOidcProviderServer({ clients: [client], users: [carol], ...extra });
  t.after(() => server.close());
  return server;
}

/** fetch with one cookie jar (names only: everything here is one origin) and no redirect following. */
function browser(issuer: string) {
  const cookies = new Map<string, string>();
  return async (path: string, form?: Record<string, string>): Promise<Response> => {
    const headers: Record<string, string> = { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; ") };
    const res = await fetch(new URL(path, issuer), {
      method: form ? "POST" : "GET",
      headers,
      ...(form && { body: new URLSearchParams(form) }),
      redirect: "manual",
    });
    for (const line of res.headers.getSetCookie()) {
      const [name = "", value = ""] = (line.split(";")[0] ?? "").split("=");
      cookies.set(name, value);
    }
    return res;
  };
}

/** Starts an authorization request and follows it to the login page. */
async function openLoginPage(server: OidcProviderServer) {
  const go = browser(server.issuer);
  const query = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    response_type: "code",
    scope: "openid email profile",
  });
  const start = await go(`/auth?${query}`);
  assert.ok(start.status >= 300 && start.status < 400, `redirected to the login page, got ${start.status}`);
  const interaction = new URL(start.headers.get("location") ?? "", server.issuer).pathname;
  const page = await go(interaction);
  return { go, interaction, page, html: await page.text() };
}

test("the login page says it is a stand-in, escapes what it shows and is served with strict headers", async (t) => {
  const server = await start(t, { label: "Demo <provider>", loginHint: 'Demo user: carol, password "s3cret" & nothing real' });
  const { page, html, interaction } = await openLoginPage(server);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get("x-interaction-prompt"), "login");
  assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'none'/);
  assert.equal(page.headers.get("x-content-type-options"), "nosniff");
  assert.equal(page.headers.get("cache-control"), "no-store");
  assert.match(
    html,
    /<strong>Demo &#60;provider&#62;<\/strong> · a stand-in OpenID Provider on this machine, for trying things out\. Not for real accounts\./,
  );
  assert.match(html, /Sign in to continue to pages-app/);
  assert.match(html, /id="hint">Demo user: carol, password &#34;s3cret&#34; &#38; nothing real</);
  assert.match(html, new RegExp(`<form method="post" action="${interaction}/login">`));
  assert.doesNotMatch(html, /<script/);
});

test("a wrong password shows the form again with the problem; the right one, by email in any case, signs in", async (t) => {
  const server = await start(t);
  const { go, interaction } = await openLoginPage(server);

  const refused = await go(`${interaction}/login`, { login: "carol@example.com", password: "wrong" });
  assert.equal(refused.status, 400);
  const again = await refused.text();
  assert.match(again, /role="alert" id="problem">Sign-in failed: unknown user or wrong password\./);
  assert.match(again, /value="carol@example\.com"/, "the login typed is kept");

  const noPassword = await go(`${interaction}/login`, { login: "carol" });
  assert.equal(noPassword.status, 400);
  await noPassword.body?.cancel();

  const signedIn = await go(`${interaction}/login`, { login: "CAROL@example.com", password: "s3cret" });
  assert.ok(signedIn.status >= 300 && signedIn.status < 400, `redirected on, got ${signedIn.status}`);
  // oidc-provider resumes the request and asks for consent next.
  const resumed = await go(new URL(signedIn.headers.get("location") ?? "", server.issuer).href);
  const consent = await go(new URL(resumed.headers.get("location") ?? "", server.issuer).pathname);
  assert.equal(consent.headers.get("x-interaction-prompt"), "consent");
  const html = await consent.text();
  assert.match(html, /pages-app would like to/);
  assert.match(html, /<li>sign you in<\/li><li>see your email address<\/li><li>see your name<\/li>/);
  assert.match(html, /id="allow"/);
  assert.match(html, /id="deny"/);
});

test("the interaction pages answer only their methods", async (t) => {
  const server = await start(t);
  const { go, interaction } = await openLoginPage(server);
  const postToPage = await go(interaction, {});
  assert.equal(postToPage.status, 405);
  await postToPage.body?.cancel();
  const getAction = await go(`${interaction}/login`);
  assert.equal(getAction.status, 405);
  await getAction.body?.cancel();
  const unknown = await go("/interaction/no-such-interaction");
  assert.equal(unknown.status, 400);
  await unknown.body?.cancel();
});
