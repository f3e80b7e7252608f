import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { samlRedirectUrl } from "../../src/saml/authn-request.ts";
import { makeSamlKeyPair, readRedirectAuthnRequest, redirectSignatureValid, type SamlIdp, startSamlIdp } from "../support/saml-idp.ts";
import { samlProviderFor } from "../support/saml-provider-fixture.ts";

describe("saml/authn-request: the redirect to the IdP (HTTP-Redirect binding), read by the test IdP", () => {
  let idp: SamlIdp;
  before(async () => {
    idp = await startSamlIdp();
  });
  after(() => idp.close());

  test("carries a fresh request ID, this provider's ACS URL and SP entity ID, and the RelayState", async () => {
    const provider = samlProviderFor(idp);
    const first = await samlRedirectUrl(provider, { relayState: "state-1&more" });
    const second = await samlRedirectUrl(provider, { relayState: "state-1&more" });
    const url = new URL(first.url);
    assert.equal(`${url.origin}${url.pathname}`, idp.ssoUrl);
    const request = readRedirectAuthnRequest(url);
    assert.equal(request.id, first.requestId);
    assert.match(request.id, /^_[0-9a-f]{40}$/, "an ID is an NCName: it may not start with a digit");
    assert.notEqual(second.requestId, first.requestId);
    assert.equal(request.acsUrl, provider.sp.acsUrl);
    assert.equal(request.issuer, provider.sp.spEntityId);
    assert.equal(request.destination, provider.settings.idpSsoUrl);
    assert.equal(request.relayState, "state-1&more");
    assert.equal(request.forceAuthn, false);
    assert.equal(request.signature, undefined, "unsigned unless the provider signs its requests");
    assert.match(request.xml, /ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"/);
    assert.doesNotMatch(
      request.xml,
      /RequestedAuthnContext|NameIDPolicy[^>]*Format=/,
      "the IdP chooses the NameID format and the authentication",
    );
  });

  test("ForceAuthn asks the IdP to authenticate the user again (a test sign-in's prompt=login)", async () => {
    const { url } = await samlRedirectUrl(samlProviderFor(idp), { relayState: "s", forceAuthn: true });
    assert.equal(readRedirectAuthnRequest(new URL(url)).forceAuthn, true);
  });

  test("keeps the query an SSO URL already has (e.g. Google Workspace's idpid)", async () => {
    const provider = samlProviderFor(idp, { idpSsoUrl: `${idp.ssoUrl}?idpid=C0abc` });
    const url = new URL((await samlRedirectUrl(provider, { relayState: "s" })).url);
    assert.equal(url.searchParams.get("idpid"), "C0abc");
    assert.ok(url.searchParams.has("SAMLRequest"));
  });

  test("signAuthnRequests signs the query with the SP key (RSA-SHA256), verifiable with the SP certificate only", async () => {
    const spKey = makeSamlKeyPair("sp.example.test");
    const provider = samlProviderFor(idp, { signAuthnRequests: true, spKey });
    const url = new URL((await samlRedirectUrl(provider, { relayState: "s" })).url);
    const request = readRedirectAuthnRequest(url);
    assert.equal(request.signature?.sigAlg, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    assert.equal(redirectSignatureValid(url, spKey.certificatePem), true);
    assert.equal(redirectSignatureValid(url, makeSamlKeyPair("other").certificatePem), false);
    url.searchParams.set("RelayState", "changed");
    assert.equal(redirectSignatureValid(url, spKey.certificatePem), false, "the RelayState is covered by the signature");
  });

  test("an SP key alone does not sign: only signAuthnRequests does", async () => {
    const provider = samlProviderFor(idp, { spKey: makeSamlKeyPair("sp.example.test") });
    assert.equal(readRedirectAuthnRequest(new URL((await samlRedirectUrl(provider, { relayState: "s" })).url)).signature, undefined);
  });

  test("the test IdP's /sso answers the request with a form that posts a signed response to the request's ACS URL", async () => {
    const provider = samlProviderFor(idp);
    const { url, requestId } = await samlRedirectUrl(provider, { relayState: "relay-1" });
    const page = await fetch(url);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(html, new RegExp(`action="${provider.sp.acsUrl}"`));
    assert.match(html, /name="RelayState" value="relay-1"/);
    assert.equal(idp.requests.at(-1)?.id, requestId);
  });
});
