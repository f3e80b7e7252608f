import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { test } from "node:test";
import type { TestContext } from "node:test";
import { deflateRawSync } from "node:zlib";
import { DOMParser } from "@xmldom/xmldom";
import { SignedXml } from "xml-crypto";
import { certificateBase64, makeSamlKeyPair, startOidcProviderServer } from "../src/index.ts";
import type { OidcProviderServer, OidcProviderServerOptions } from "../src/index.ts";

const alice = { sub: "alice-42", email: "alice@example.com", email_verified: true, name: "Alice Liddell", password: "wonderland" };
const SP = { entityId: "https://sp.example.test/saml/metadata", acsUrl: "https://sp.example.test/saml/acs" };

async function idp(t: TestContext, extra: Partial<OidcProviderServerOptions> = {}): Promise<OidcProviderServer> {
  const server = await startOidcProviderServer({ clients: [], users: [alice], label: "Test provider", ...extra });
  t.after(() => server.close());
  return server;
}

/** An SP's AuthnRequest on the HTTP-Redirect binding. */
function ssoUrl(server: OidcProviderServer, requestId: string, relayState = "relay-1"): string {
  const xml =
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${requestId}" Version="2.0" ` +
    `IssueInstant="${new Date().toISOString()}" AssertionConsumerServiceURL="${SP.acsUrl}"><saml:Issuer>${SP.entityId}</saml:Issuer></samlp:AuthnRequest>`;
  const url = new URL(server.saml.ssoUrl);
  url.searchParams.set("SAMLRequest", deflateRawSync(xml).toString("base64"));
  url.searchParams.set("RelayState", relayState);
  return url.href;
}

const formField = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];

/** GET /saml/sso, then POST the login form: answers the page that carries the SAMLResponse. */
async function signIn(server: OidcProviderServer, requestId: string, password = alice.password): Promise<Response> {
  const page = await fetch(ssoUrl(server, requestId));
  assert.equal(page.status, 200);
  const action = /<form method="post" action="([^"]+)"/.exec(await page.text())![1]!;
  return fetch(new URL(action, server.issuer), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ login: alice.email, password }),
  });
}

test("the SAML IdP publishes metadata: its entity ID, signing certificate and HTTP-Redirect SSO endpoint", async (t) => {
  const server = await idp(t);
  const response = await fetch(server.saml.metadataUrl);
  const xml = await response.text();
  assert.equal(response.status, 200);
  assert.ok(xml.includes(`entityID="${server.saml.entityId}"`));
  assert.ok(xml.includes(certificateBase64(server.saml.keyPair.certificatePem)));
  assert.ok(xml.includes(`Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${server.saml.ssoUrl}"`));
});

test("the SAML IdP signs in the demo user with the login form and posts a signed response to the request's ACS URL", async (t) => {
  const server = await idp(t);
  const page = await signIn(server, "_request-1");
  const html = await page.text();
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
  assert.ok(html.includes(`action="${SP.acsUrl}"`));
  assert.equal(formField(html, "RelayState"), "relay-1");
  const script = await fetch(new URL(/<script src="([^"]+)"/.exec(html)![1]!, server.issuer));
  assert.match(await script.text(), /submit\(\)/);

  const xml = Buffer.from(formField(html, "SAMLResponse")!, "base64").toString("utf8");
  const document = new DOMParser().parseFromString(xml, "text/xml");
  const assertion = document.getElementsByTagNameNS("urn:oasis:names:tc:SAML:2.0:assertion", "Assertion")[0]!;
  const signature = assertion.getElementsByTagNameNS("http://www.w3.org/2000/09/xmldsig#", "Signature")[0]!;
  const verifier = new SignedXml({ publicCert: new X509Certificate(server.saml.keyPair.certificatePem).toString() });
  verifier.loadSignature(signature);
  assert.equal(verifier.checkSignature(xml), true, "the assertion's signature verifies with the published certificate");
  assert.equal(verifier.getSignedReferences().length, 1);

  const text = (name: string) => assertion.getElementsByTagNameNS("urn:oasis:names:tc:SAML:2.0:assertion", name)[0]?.textContent;
  assert.equal(document.documentElement.getAttribute("Destination"), SP.acsUrl);
  assert.equal(document.documentElement.getAttribute("InResponseTo"), "_request-1");
  assert.equal(text("Issuer"), server.saml.entityId);
  assert.equal(text("Audience"), SP.entityId);
  assert.equal(text("NameID"), alice.sub, "a persistent NameID: the user's stable subject");
  const data = assertion.getElementsByTagNameNS("urn:oasis:names:tc:SAML:2.0:assertion", "SubjectConfirmationData")[0]!;
  assert.equal(data.getAttribute("Recipient"), SP.acsUrl);
  assert.equal(data.getAttribute("InResponseTo"), "_request-1");
  assert.ok(
    xml.includes(
      `<saml:Attribute Name="email" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"><saml:AttributeValue>${alice.email}</saml:AttributeValue>`,
    ),
  );
});

test("a wrong password shows the form again, and a finished sign-in cannot be replayed", async (t) => {
  const server = await idp(t);
  assert.equal((await signIn(server, "_request-2", "wrong")).status, 400);
  const page = await fetch(ssoUrl(server, "_request-3"));
  const action = /<form method="post" action="([^"]+)"/.exec(await page.text())![1]!;
  const post = () =>
    fetch(new URL(action, server.issuer), { method: "POST", body: new URLSearchParams({ login: alice.email, password: alice.password }) });
  assert.equal((await post()).status, 200);
  assert.equal((await post()).status, 400);
});

test("a request without an ACS URL or Issuer, or no request at all, is refused", async (t) => {
  const server = await idp(t);
  assert.equal((await fetch(server.saml.ssoUrl)).status, 400);
  const xml = `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0"/>`;
  assert.equal(
    (await fetch(`${server.saml.ssoUrl}?SAMLRequest=${encodeURIComponent(deflateRawSync(xml).toString("base64"))}`)).status,
    400,
  );
});

test("a restarted demo signs with the key it is given, so SPs that trust it keep trusting it", async (t) => {
  const keyPair = makeSamlKeyPair("demo-saml-idp");
  const server = await idp(t, { samlKeyPair: keyPair });
  assert.equal(server.saml.keyPair.certificatePem, keyPair.certificatePem);
});
