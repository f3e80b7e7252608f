/**
 * The ACS fuzzed: random form bodies, random and mutated XML (from a good signed response of the
 * test IdP), random RelayStates and content types. Whatever arrives, the answer is a 303 to the
 * provider's redirect URI or an AuthError — never a 5xx, never anything else.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { SAML_REDIRECT_URI, samlFixture } from "../support/saml-sign-in-fixture.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** A good response's XML with one slice replaced, or something inserted where XML attacks go. */
function mutated(good: string): fc.Arbitrary<string> {
  const insertions = fc.constantFrom(
    '<!DOCTYPE r [<!ENTITY x "y">]>',
    "&x;",
    "<!---->",
    "<![CDATA[x]]>",
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>',
    "</saml:Assertion>",
    "\u0000",
    "\ud800",
    "",
  );
  return fc
    .tuple(fc.nat(good.length), fc.nat(200), fc.oneof(fc.string({ maxLength: 30 }), insertions))
    .map(([at, length, text]) => good.slice(0, at) + text + good.slice(at + length));
}

test("the ACS answers every posted body with a 303 to the redirect URI or an AuthError, never a 5xx", { timeout: 300_000 }, async (t) => {
  const f = await samlFixture(t, { settings: { allowIdpInitiated: true } });
  const good = await f.idp.responseXml({ sp: f.sp });
  const path = new URL(f.sp.acsUrl).pathname;
  const samlResponse = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: "binary", maxLength: 200 }).map(base64),
    mutated(good).map(base64),
    fc.constant(base64(good)),
  );
  const form = fc.oneof(
    fc.record(
      { SAMLResponse: samlResponse, RelayState: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }) },
      { requiredKeys: [] },
    ),
    fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 4 }),
  );
  const body = fc.oneof(
    form.map((fields) => {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(fields)) if (value !== undefined) params.append(name, value);
      return params.toString();
    }),
    fc.string({ maxLength: 300 }),
  );
  const contentType = fc.constantFrom(
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
    "application/json",
    "text/xml",
    "multipart/form-data; boundary=x",
  );
  const orgAndName = fc.oneof(
    fc.constant(path),
    fc.constant(path.replace(f.orgId, "org_nope")),
    fc.constant(path.replace("corp-saml", "nope")),
  );

  await fc.assert(
    fc.asyncProperty(body, contentType, orgAndName, async (payload, type, url) => {
      const response = await f.service.app.server.inject({ method: "POST", url, headers: { "content-type": type }, payload });
      assert.ok(response.statusCode < 500, `${response.statusCode} ${response.body}`);
      if (response.statusCode === 303) {
        assert.ok(response.headers.location?.startsWith(`${SAML_REDIRECT_URI}?`), String(response.headers.location));
        return;
      }
      const error = response.json() as { error: string; message: string; code: string; statusCode: number };
      assert.equal(error.statusCode, response.statusCode, response.body);
      assert.equal(typeof error.error, "string");
      assert.equal(typeof error.message, "string");
    }),
    { numRuns: RUNS },
  );
});
