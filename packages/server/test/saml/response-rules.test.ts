/**
 * The rules of a SAMLResponse besides its signature (saml/response.ts): where it was sent, for
 * whom, when, in answer to what, and what is refused before any XML is parsed. Each test breaks
 * one rule of an otherwise good response made by the test IdP, and shows the good one passing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MAX_SAML_RESPONSE_BASE64 } from "../../src/saml/xml.ts";
import { makeSamlKeyPair, type SamlIdp, startSamlIdp } from "../support/saml-idp.ts";
import { accepted, REQUEST_ID, refused } from "../support/saml-rules.ts";
import { samlProviderFor } from "../support/saml-provider-fixture.ts";

const minutes = (n: number) => new Date(Date.now() + n * 60_000);
const base64 = (text: string | Buffer) => Buffer.from(text).toString("base64");

describe("a SAMLResponse's rules", () => {
  let idp: SamlIdp;
  let acsUrl: string;
  let spEntityId: string;
  before(async () => {
    idp = await startSamlIdp();
    ({ acsUrl, spEntityId } = samlProviderFor(idp).sp);
  });
  after(() => idp.close());

  describe("where it was sent and for whom", () => {
    test("the Response's Destination must be the ACS URL: SAML_DESTINATION_MISMATCH names both", async () => {
      await accepted(idp, { response: { fields: { destination: acsUrl } } });
      const failure = await refused(idp, "SAML_DESTINATION_MISMATCH", {
        response: { fields: { destination: "https://other.example/acs" } },
      });
      assert.ok(failure.message.includes("https://other.example/acs") && failure.message.includes(acsUrl), failure.message);
      await refused(idp, "SAML_DESTINATION_MISMATCH", { response: { fields: { destination: undefined } } });
    });

    test("the subject confirmation's Recipient must be the ACS URL: SAML_RECIPIENT_MISMATCH names both", async () => {
      const failure = await refused(idp, "SAML_RECIPIENT_MISMATCH", { response: { fields: { recipient: "https://other.example/acs" } } });
      assert.ok(failure.message.includes("https://other.example/acs") && failure.message.includes(acsUrl), failure.message);
      await refused(idp, "SAML_RECIPIENT_MISMATCH", { response: { fields: { recipient: undefined } } });
    });

    test("the Audience must be the SP entity ID: SAML_AUDIENCE_MISMATCH names both", async () => {
      const failure = await refused(idp, "SAML_AUDIENCE_MISMATCH", {
        response: { fields: { audience: "https://other-sp.example/metadata" } },
      });
      assert.ok(failure.message.includes("https://other-sp.example/metadata") && failure.message.includes(spEntityId), failure.message);
      await refused(idp, "SAML_AUDIENCE_MISMATCH", { response: { fields: { audience: undefined } } });
    });

    test("the Issuer must be the provider's IdP entity ID: SAML_ISSUER_MISMATCH", async () => {
      await accepted(idp, { settings: { idpEntityId: idp.entityId } });
      await refused(idp, "SAML_ISSUER_MISMATCH", { settings: { idpEntityId: "https://another-idp.example" } });
    });
  });

  describe("when: each window within the provider's clock skew (60 s unless set)", () => {
    test("NotBefore in the future beyond the skew: SAML_NOT_YET_VALID with the seconds of difference", async () => {
      await accepted(idp, { response: { fields: { notBefore: new Date(Date.now() + 30_000) } } });
      const failure = await refused(idp, "SAML_NOT_YET_VALID", { response: { fields: { notBefore: minutes(5) } } });
      assert.match(failure.message, /\b(29[0-9]|300) s after this service's clock \(allowed clock skew 60 s\)/);
    });

    test("the Conditions' NotOnOrAfter passed beyond the skew: SAML_EXPIRED with the seconds of difference", async () => {
      await accepted(idp, { response: { fields: { notOnOrAfter: new Date(Date.now() - 30_000) } } });
      const failure = await refused(idp, "SAML_EXPIRED", { response: { fields: { notOnOrAfter: minutes(-3) } } });
      assert.match(failure.message, /^The assertion expired at .*, 1[78][0-9] s before this service's clock/);
    });

    test("the subject confirmation's NotOnOrAfter passed: SAML_EXPIRED, naming the subject confirmation", async () => {
      const failure = await refused(idp, "SAML_EXPIRED", { response: { fields: { subjectNotOnOrAfter: minutes(-3) } } });
      assert.match(failure.message, /^The subject confirmation expired/);
      await refused(idp, "SAML_MALFORMED", { response: { fields: { subjectNotOnOrAfter: undefined } } });
    });

    test("the skew is the provider's clockSkewSeconds", async () => {
      const fields = { notOnOrAfter: minutes(-3) };
      await accepted(idp, { response: { fields }, settings: { clockSkewSeconds: 300 } });
      await refused(idp, "SAML_EXPIRED", { response: { fields }, settings: { clockSkewSeconds: 60 } });
    });

    test("the time is the caller's `now`, not the machine's", async () => {
      await refused(idp, "SAML_EXPIRED", { now: minutes(10) });
      await refused(idp, "SAML_NOT_YET_VALID", { now: minutes(-10) });
    });
  });

  describe("in answer to what", () => {
    test("InResponseTo must be this sign-in's request: SAML_IN_RESPONSE_TO_MISMATCH", async () => {
      await accepted(idp, { expectRequestId: REQUEST_ID });
      const failure = await refused(idp, "SAML_IN_RESPONSE_TO_MISMATCH", { expectRequestId: "_another-request" });
      assert.ok(failure.message.includes(REQUEST_ID) && failure.message.includes("_another-request"), failure.message);
    });

    test("the subject confirmation's InResponseTo must be this sign-in's request too", async () => {
      const failure = await refused(idp, "SAML_IN_RESPONSE_TO_MISMATCH", {
        response: { fields: { subjectInResponseTo: "_another-request" } },
      });
      assert.match(failure.message, /subject confirmation/);
    });

    test("an unsolicited response (no InResponseTo, no request) is refused unless allowIdpInitiated: SAML_UNSOLICITED", async () => {
      const unsolicited = { response: { requestId: undefined }, expectRequestId: undefined };
      await refused(idp, "SAML_UNSOLICITED", unsolicited);
      const assertion = await accepted(idp, { ...unsolicited, settings: { allowIdpInitiated: true } });
      assert.equal(assertion.inResponseTo, undefined);
    });

    test("an unsolicited response where this sign-in sent a request is refused", async () => {
      await refused(idp, "SAML_IN_RESPONSE_TO_MISMATCH", { response: { requestId: undefined }, settings: { allowIdpInitiated: true } });
    });

    test("a response to a request that is not outstanding is refused, even with allowIdpInitiated", async () => {
      await refused(idp, "SAML_IN_RESPONSE_TO_MISMATCH", { expectRequestId: undefined, settings: { allowIdpInitiated: true } });
    });

    test("an IdP's refusal (status Responder) is SAML_STATUS_NOT_SUCCESS, with its code and message", async () => {
      const failure = await refused(idp, "SAML_STATUS_NOT_SUCCESS", {
        response: {
          fields: { statusCode: "urn:oasis:names:tc:SAML:2.0:status:Responder", statusMessage: "User is not assigned to this application" },
        },
      });
      assert.match(failure.message, /"Responder".*"User is not assigned to this application"/);
    });
  });

  describe("refused before parsing", () => {
    test("a DOCTYPE or an entity declaration: SAML_DOCTYPE_NOT_ALLOWED", async () => {
      const dtd = `<!DOCTYPE samlp:Response [<!ENTITY user "${"x".repeat(10)}">]>`;
      await refused(idp, "SAML_DOCTYPE_NOT_ALLOWED", { response: { tamper: (xml) => dtd + xml } });
      await refused(idp, "SAML_DOCTYPE_NOT_ALLOWED", {
        response: {
          tamper: (xml) => `<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>${xml.replace(">saml-user@", ">&e;saml-user@")}`,
        },
      });
      await refused(idp, "SAML_DOCTYPE_NOT_ALLOWED", { samlResponse: base64(`<?xml version="1.0"?><!doctype x><x/>`) });
    });

    test(`more than ${MAX_SAML_RESPONSE_BASE64} base64 characters: SAML_TOO_LARGE; a large but smaller one passes`, async () => {
      await accepted(idp, {
        response: { fields: { attributes: { groups: Array.from({ length: 1500 }, (_, i) => `group-${i}-${"g".repeat(60)}`) } } },
      });
      await refused(idp, "SAML_TOO_LARGE", {
        response: { fields: { attributes: { groups: Array.from({ length: 3000 }, (_, i) => `group-${i}-${"g".repeat(60)}`) } } },
      });
    });

    test("empty, not base64, not UTF-8, not XML, not a Response, no assertion: SAML_MALFORMED", async () => {
      for (const samlResponse of [
        "",
        "   ",
        "%%%not base64%%%",
        "PHNhbWw",
        base64(Buffer.from([0x3c, 0xff, 0xfe, 0x3e])),
        base64("hello"),
        base64("<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'><unclosed></samlp:Response>"),
        base64("<Response/>"),
        base64(
          `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:Response>`,
        ),
      ]) {
        await refused(idp, "SAML_MALFORMED", { samlResponse });
      }
    });

    test("base64 wrapped at 76 characters, as some IdPs send it, is read", async () => {
      const provider = samlProviderFor(idp);
      const wrapped = (await idp.response({ sp: provider.sp, requestId: REQUEST_ID })).replace(/.{76}/g, "$&\r\n");
      await accepted(idp, { samlResponse: wrapped });
    });
  });

  describe("encrypted assertions", () => {
    test("are decrypted with the provider's SP key, and then pass every rule", async () => {
      const spKey = makeSamlKeyPair("sp.example.test");
      const assertion = await accepted(idp, { response: { encryptFor: spKey.certificatePem }, settings: { spKey } });
      assert.equal(assertion.nameId, "saml-user@example.com");
      await accepted(idp, { response: { encryptFor: spKey.certificatePem, sign: "both" }, settings: { spKey } });
      await refused(idp, "SAML_AUDIENCE_MISMATCH", {
        response: { encryptFor: spKey.certificatePem, fields: { audience: "https://x.example" } },
        settings: { spKey },
      });
    });

    test("are refused when the provider holds no SP key, or another one: SAML_ENCRYPTED_NOT_SUPPORTED", async () => {
      const spKey = makeSamlKeyPair("sp.example.test");
      await refused(idp, "SAML_ENCRYPTED_NOT_SUPPORTED", { response: { encryptFor: spKey.certificatePem } });
      await refused(idp, "SAML_ENCRYPTED_NOT_SUPPORTED", {
        response: { encryptFor: spKey.certificatePem },
        settings: { spKey: makeSamlKeyPair("other") },
      });
    });

    test("an encrypted assertion must be signed like a plain one", async () => {
      const spKey = makeSamlKeyPair("sp.example.test");
      await refused(idp, "SAML_SIGNATURE_INVALID", {
        response: { encryptFor: spKey.certificatePem, sign: "response" },
        settings: { spKey },
      });
    });
  });
});
