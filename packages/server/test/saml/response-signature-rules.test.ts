/**
 * The signature rules of a SAMLResponse (saml/response.ts), each proved with responses made by
 * an independent IdP (test/support/saml-idp.ts): the assertion that is used must be signed, by a
 * configured certificate, with its own signature covering it; wrapping variants, comments and
 * SHA-1 cannot get past.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { makeSamlKeyPair, type SamlIdp, startSamlIdp } from "../support/saml-idp.ts";
import { accepted, assertionOf, REQUEST_ID, refused } from "../support/saml-rules.ts";

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;
const USER = "saml-user@example.com";
const ATTACKER_NAMEID = "admin@example.com";

describe("a SAMLResponse's signature", () => {
  let idp: SamlIdp;
  before(async () => {
    idp = await startSamlIdp();
  });
  after(() => idp.close());

  test("a good response passes, and what it says is read from the signed assertion", async () => {
    const assertion = await accepted(idp, { response: { fields: { attributes: { email: [USER], groups: ["a", "b"] } } } });
    assert.equal(assertion.nameId, USER);
    assert.equal(assertion.nameIdFormat, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
    assert.equal(assertion.issuer, idp.entityId);
    assert.equal(assertion.inResponseTo, REQUEST_ID);
    assert.deepEqual(assertion.attributes, { email: [USER], groups: ["a", "b"] });
    assert.match(assertion.assertionId, /^_[0-9a-f]+$/);
    assert.ok(assertion.sessionIndex);
    assert.ok(assertion.authnInstant);
    assert.ok(Date.parse(assertion.notOnOrAfter) >= Date.now() + 5 * 60_000, "remembered until its NotOnOrAfter plus the skew");
  });

  test("a response signed as a whole and in its assertion passes too", async () => {
    await accepted(idp, { response: { sign: "both" } });
  });

  test("an unsigned assertion is refused: SAML_SIGNATURE_INVALID", async () => {
    await accepted(idp, { response: { sign: "assertion" } });
    const failure = await refused(idp, "SAML_SIGNATURE_INVALID", { response: { sign: "none" } });
    assert.match(failure.message, /missing/);
  });

  test("a signed Response around an unsigned assertion is refused: the assertion itself must be signed", async () => {
    await refused(idp, "SAML_SIGNATURE_INVALID", { response: { sign: "response" } });
  });

  test("a signature by another certificate is refused, naming the fingerprint seen and those configured", async () => {
    const other = makeSamlKeyPair("someone-else");
    const failure = await refused(idp, "SAML_SIGNATURE_INVALID", { response: { signingKey: other } });
    assert.ok(failure.message.includes(fingerprint(other.certificatePem)), failure.message);
    assert.ok(failure.message.includes(`configured here: ${fingerprint(idp.keys[0]!.certificatePem)}`), failure.message);
  });

  test("during a rollover either configured certificate verifies: a response signed by the second passes", async () => {
    const next = makeSamlKeyPair("test-idp-next");
    const rollover = { idpCertificates: [idp.keys[0]!.certificatePem, next.certificatePem] };
    await accepted(idp, { response: { signingKey: next }, settings: rollover });
    await refused(idp, "SAML_SIGNATURE_INVALID", { response: { signingKey: next } });
  });

  test("an assertion changed after signing is refused (the digest no longer matches)", async () => {
    await refused(idp, "SAML_SIGNATURE_INVALID", {
      response: { tamper: (xml) => xml.replace(`>${USER}</saml:NameID>`, `>${ATTACKER_NAMEID}</saml:NameID>`) },
    });
  });

  describe("signature wrapping: the signed assertion is kept somewhere, another one is used", () => {
    const forged = (signed: string, id?: string) => {
      const evil = signed.replace(new RegExp(`>${USER}<`, "g"), `>${ATTACKER_NAMEID}<`);
      return id === undefined ? evil : evil.replace(/ ID="[^"]+"/, ` ID="${id}"`);
    };

    test("the signed assertion moved into Extensions, a copy with its signature and ID used: refused", async () => {
      const tamper = (xml: string) => {
        const signed = assertionOf(xml);
        return xml
          .replace(signed, forged(signed))
          .replace("<samlp:Status>", `<samlp:Extensions>${signed}</samlp:Extensions><samlp:Status>`);
      };
      await refused(idp, "SAML_SIGNATURE_INVALID", { response: { tamper } });
    });

    test("the signed assertion moved into Extensions, a copy with another ID keeping the signature: refused", async () => {
      const tamper = (xml: string) => {
        const signed = assertionOf(xml);
        return xml
          .replace(signed, forged(signed, "_evil"))
          .replace("<samlp:Status>", `<samlp:Extensions>${signed}</samlp:Extensions><samlp:Status>`);
      };
      await refused(idp, "SAML_SIGNATURE_INVALID", { response: { tamper } });
    });

    test("the signed assertion moved into Extensions under another ID attribute (Id), a copy with the ID used: refused", async () => {
      const tamper = (xml: string) => {
        const signed = assertionOf(xml);
        const hidden = signed.replace(/ ID="/, ' Id="');
        return xml
          .replace(signed, forged(signed))
          .replace("<samlp:Status>", `<samlp:Extensions>${hidden}</samlp:Extensions><samlp:Status>`);
      };
      await refused(idp, "SAML_SIGNATURE_INVALID", { response: { tamper } });
    });

    test("the signed assertion moved into the signature's Object, an unsigned copy used: refused", async () => {
      const tamper = (xml: string) => {
        const signed = assertionOf(xml);
        const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
        const evil = forged(
          signed.replace(signature, signature.replace("</ds:Signature>", `<ds:Object>${signed}</ds:Object></ds:Signature>`)),
          "_evil",
        );
        return xml.replace(signed, evil);
      };
      await refused(idp, "SAML_SIGNATURE_INVALID", { response: { tamper } });
    });

    test("two assertions, the signed one and an unsigned one, in either order: refused", async () => {
      const unsigned = (signed: string) => forged(signed.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, ""), "_evil");
      for (const order of ["before", "after"] as const) {
        const tamper = (xml: string) => {
          const signed = assertionOf(xml);
          return xml.replace(signed, order === "before" ? unsigned(signed) + signed : signed + unsigned(signed));
        };
        const failure = await refused(idp, "SAML_SIGNATURE_INVALID", { response: { tamper } });
        assert.match(failure.message, /2 assertions/);
      }
    });

    test("a signature over another element (the Response) placed in the assertion: refused", async () => {
      const tamper = (xml: string) => {
        const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(xml)![0];
        const withoutIt = xml.replace(signature, "");
        const signed = assertionOf(withoutIt);
        return withoutIt.replace(signed, signed.replace(/(<saml:Issuer>[^<]*<\/saml:Issuer>)/, `$1${signature}`));
      };
      await refused(idp, "SAML_SIGNATURE_INVALID", { response: { sign: "response", tamper } });
    });
  });

  describe("a comment inside a value cannot truncate it (the signature ignores comments; the value read is whole)", () => {
    const SIGNED = "admin@evil.com.example.com";

    test("in the NameID", async () => {
      const assertion = await accepted(idp, {
        response: { fields: { nameId: SIGNED }, tamper: (xml) => xml.replace(`>${SIGNED}<`, ">admin@evil.com<!---->.example.com<") },
      });
      assert.equal(assertion.nameId, SIGNED);
    });

    test("in an attribute value", async () => {
      const assertion = await accepted(idp, {
        response: {
          fields: { attributes: { email: [SIGNED] } },
          tamper: (xml) => xml.replace(`>${SIGNED}<`, ">admin@evil.com<!-- x -->.example.com<"),
        },
      });
      assert.deepEqual(assertion.attributes.email, [SIGNED]);
    });
  });

  test("SHA-1 is refused unless the provider opts in with allowSha1: SAML_WEAK_ALGORITHM", async () => {
    const failure = await refused(idp, "SAML_WEAK_ALGORITHM", { response: { algorithm: "sha1" } });
    assert.match(failure.message, /rsa-sha1/);
    await accepted(idp, { response: { algorithm: "sha1" }, settings: { allowSha1: true } });
  });

  test("the SHA-1 rule reads the signature inside an encrypted assertion too", async () => {
    const spKey = makeSamlKeyPair("sp");
    await refused(idp, "SAML_WEAK_ALGORITHM", { response: { algorithm: "sha1", encryptFor: spKey.certificatePem }, settings: { spKey } });
  });
});
