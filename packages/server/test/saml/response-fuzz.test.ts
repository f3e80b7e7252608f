/**
 * validateSamlResponse fuzzed: random form values, random XML, and a good signed response mutated
 * at random. It always answers a Result (never throws), every refusal has a SAML failure id, and
 * whatever it accepts says exactly what the IdP signed.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import type { Result } from "../../src/domain/failures.ts";
import { type SamlAssertion, validateSamlResponse } from "../../src/saml/response.ts";
import { type SamlIdp, startSamlIdp } from "../support/saml-idp.ts";
import { samlProviderFor } from "../support/saml-provider-fixture.ts";
import { REQUEST_ID } from "../support/saml-rules.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

const NAMES = [
  "samlp:Response",
  "saml:Assertion",
  "saml:Subject",
  "saml:NameID",
  "samlp:Status",
  "samlp:StatusCode",
  "ds:Signature",
  "saml:Conditions",
  "x",
];
const NAMESPACES =
  ' xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"';
const { element } = fc.letrec<{ element: string }>((tie) => ({
  element: fc
    .tuple(
      fc.constantFrom(...NAMES),
      fc.array(
        fc.tuple(fc.constantFrom("ID", "Value", "Destination", "InResponseTo", "NotOnOrAfter", "Recipient"), fc.string({ maxLength: 12 })),
        { maxLength: 3 },
      ),
      fc.array(
        fc.oneof(
          fc.string({ maxLength: 16 }).map((s) => s.replace(/[<&]/g, "")),
          tie("element"),
        ),
        { maxLength: 3 },
      ),
    )
    .map(([name, attributes, children]) => {
      const attrs = attributes.map(([key, value]) => ` ${key}="${value.replace(/["<&]/g, "")}"`).join("");
      return `<${name}${attrs}>${children.join("")}</${name}>`;
    }),
}));

describe("saml/response fuzzed: always a Result, never a throw", () => {
  let idp: SamlIdp;
  let good: string;
  const provider = () => samlProviderFor(idp);
  const check = async (samlResponse: string): Promise<Result<SamlAssertion>> => {
    const result = await validateSamlResponse(provider(), samlResponse, { requestId: REQUEST_ID, now: new Date() });
    if (!result.ok) assert.match(result.error, /^SAML_/, result.message);
    return result;
  };
  before(async () => {
    idp = await startSamlIdp();
    good = await idp.responseXml({ sp: provider().sp, requestId: REQUEST_ID });
  });
  after(() => idp.close());

  test("random form values", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.base64String(), fc.string().map(base64)), async (value) => void (await check(value))),
      { numRuns: RUNS },
    );
  });

  test("random XML made of SAML's element names", async () => {
    await fc.assert(
      fc.asyncProperty(element, async (xml) => {
        const result = await check(base64(xml.replace(/^<([^ >]+)/, `<$1${NAMESPACES}`)));
        assert.equal(result.ok, false);
      }),
      { numRuns: RUNS },
    );
  });

  test("a good signed response mutated at random: refused, or accepted saying exactly what was signed", async () => {
    const signed = await check(base64(good));
    assert.ok(signed.ok);
    const mutation = fc.oneof(
      fc.tuple(fc.nat(good.length), fc.nat(40)).map(([at, length]) => good.slice(0, at) + good.slice(at + length)),
      fc.tuple(fc.nat(good.length), fc.string({ maxLength: 20 })).map(([at, text]) => good.slice(0, at) + text + good.slice(at)),
      fc.tuple(fc.nat(good.length), fc.nat(good.length)).map(([a, b]) => good.slice(0, Math.max(a, b)) + good.slice(Math.min(a, b))),
      fc
        .tuple(fc.nat(good.length), fc.constantFrom("<!---->", "<!DOCTYPE x>", "&amp;", "]]>", "<x/>", "\u0000"))
        .map(([at, text]) => good.slice(0, at) + text + good.slice(at)),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (xml) => {
        const result = await check(base64(xml));
        if (result.ok) {
          assert.equal(result.value.nameId, signed.value.nameId);
          assert.equal(result.value.assertionId, signed.value.assertionId);
          assert.deepEqual(result.value.attributes, signed.value.attributes);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
