import { failure, type Result, success } from "../domain/failures.ts";
import type { SamlAssertion } from "../domain/ports/saml-sign-in.ts";
import type { ConfiguredSamlProvider } from "../domain/saml-provider.ts";
import { inResponseToRule, quoted, type ResponseExpectation } from "./response-envelope.ts";
import { SAML_ASSERTION_NS, attributeOf, childElements, parseXml, textOf } from "./xml.ts";

/** What a valid assertion says (read from its signed bytes only): the sign-in's port names it (domain/ports/saml-sign-in.ts). */
export type { SamlAssertion };

const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

/** At most one element of a kind: two Subjects or two Conditions are ambiguous, never sent by an honest IdP. */
function single(parent: Element, localName: string): Result<Element | undefined> {
  const found = childElements(parent, SAML_ASSERTION_NS, localName);
  if (found.length > 1)
    return failure("SAML_MALFORMED", `The assertion has ${found.length} ${localName} elements; at most one is accepted.`);
  return success(found[0]);
}

function time(element: Element, name: string): Result<number | undefined> {
  const value = attributeOf(element, name);
  if (value === undefined) return success(undefined);
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? failure("SAML_MALFORMED", `The assertion's ${name} ${quoted(value)} is not an xs:dateTime.`) : success(ms);
}

/** NotBefore / NotOnOrAfter of one element, within the provider's clock skew; answers its NotOnOrAfter. */
function checkWindow(element: Element, what: string, skewMs: number, now: number): Result<number | undefined> {
  const notBefore = time(element, "NotBefore");
  if (!notBefore.ok) return notBefore;
  const notOnOrAfter = time(element, "NotOnOrAfter");
  if (!notOnOrAfter.ok) return notOnOrAfter;
  const skew = `allowed clock skew ${skewMs / 1000} s`;
  if (notBefore.value !== undefined && now + skewMs < notBefore.value) {
    const ahead = Math.ceil((notBefore.value - now) / 1000);
    return failure(
      "SAML_NOT_YET_VALID",
      `The ${what} is valid from ${new Date(notBefore.value).toISOString()}, ${ahead} s after this service's clock (${skew}).`,
    );
  }
  if (notOnOrAfter.value !== undefined && now - skewMs >= notOnOrAfter.value) {
    const late = Math.floor((now - notOnOrAfter.value) / 1000);
    return failure(
      "SAML_EXPIRED",
      `The ${what} expired at ${new Date(notOnOrAfter.value).toISOString()}, ${late} s before this service's clock (${skew}).`,
    );
  }
  return success(notOnOrAfter.value);
}

function checkAudience(conditions: Element | undefined, provider: ConfiguredSamlProvider): Result<void> {
  const restrictions = conditions === undefined ? [] : childElements(conditions, SAML_ASSERTION_NS, "AudienceRestriction");
  const expected = provider.sp.spEntityId;
  // Every AudienceRestriction must name us (they are ANDed); at least one must exist (Web SSO profile).
  const wrong = restrictions.find(
    (restriction) => !childElements(restriction, SAML_ASSERTION_NS, "Audience").some((a) => textOf(a) === expected),
  );
  if (restrictions.length > 0 && wrong === undefined) return success(undefined);
  const received = (wrong === undefined ? [] : childElements(wrong, SAML_ASSERTION_NS, "Audience")).map((a) => quoted(textOf(a)));
  return failure(
    "SAML_AUDIENCE_MISMATCH",
    `The assertion's audience is ${received.length === 0 ? "missing" : received.join(", ")}; this provider's SP entity ID is ${quoted(expected)}.`,
  );
}

/** A bearer SubjectConfirmation for this ACS URL, within its window, answering this sign-in; answers its NotOnOrAfter and InResponseTo. */
function checkSubjectConfirmation(
  subject: Element | undefined,
  provider: ConfiguredSamlProvider,
  expect: ResponseExpectation,
  skewMs: number,
): Result<{ notOnOrAfter: number; inResponseTo: string | undefined }> {
  const bearers = (subject === undefined ? [] : childElements(subject, SAML_ASSERTION_NS, "SubjectConfirmation")).filter(
    (confirmation) => confirmation.getAttribute("Method") === BEARER,
  );
  let first: Result<{ notOnOrAfter: number; inResponseTo: string | undefined }> | undefined;
  for (const confirmation of bearers) {
    const outcome = checkOneConfirmation(confirmation, provider, expect, skewMs);
    if (outcome.ok) return outcome;
    first ??= outcome;
  }
  return first ?? failure("SAML_RECIPIENT_MISMATCH", `The assertion has no bearer SubjectConfirmation for ${quoted(provider.sp.acsUrl)}.`);
}

function checkOneConfirmation(
  confirmation: Element,
  provider: ConfiguredSamlProvider,
  expect: ResponseExpectation,
  skewMs: number,
): Result<{ notOnOrAfter: number; inResponseTo: string | undefined }> {
  const data = childElements(confirmation, SAML_ASSERTION_NS, "SubjectConfirmationData");
  if (data.length !== 1)
    return failure(
      "SAML_RECIPIENT_MISMATCH",
      "The assertion's bearer SubjectConfirmation has no SubjectConfirmationData naming its Recipient.",
    );
  const recipient = attributeOf(data[0]!, "Recipient");
  if (recipient !== provider.sp.acsUrl) {
    return failure(
      "SAML_RECIPIENT_MISMATCH",
      `The subject confirmation's Recipient is ${recipient === undefined ? "missing" : quoted(recipient)}; this provider's ACS URL is ${quoted(provider.sp.acsUrl)}.`,
    );
  }
  const window = checkWindow(data[0]!, "subject confirmation", skewMs, expect.now.getTime());
  if (!window.ok) return window;
  if (window.value === undefined) return failure("SAML_MALFORMED", "The assertion's subject confirmation has no NotOnOrAfter.");
  const inResponseTo = attributeOf(data[0]!, "InResponseTo");
  const answers = inResponseToRule(inResponseTo, provider, expect, "subject confirmation");
  if (!answers.ok) return answers;
  return success({ notOnOrAfter: window.value, inResponseTo });
}

function attributesOf(assertion: Element): Record<string, string[]> {
  const values = new Map<string, string[]>();
  for (const statement of childElements(assertion, SAML_ASSERTION_NS, "AttributeStatement")) {
    for (const attribute of childElements(statement, SAML_ASSERTION_NS, "Attribute")) {
      const name = attribute.getAttribute("Name") ?? "";
      if (name === "") continue;
      values.set(name, [...(values.get(name) ?? []), ...childElements(attribute, SAML_ASSERTION_NS, "AttributeValue").map(textOf)]);
    }
  }
  return Object.fromEntries(values);
}

/**
 * Every rule on the assertion's own (signed) content, and what it says. `xml` is the verified
 * assertion handed back by the signature check, never the bytes of the unverified response.
 */
export function checkAssertion(xml: string, provider: ConfiguredSamlProvider, expect: ResponseExpectation): Result<SamlAssertion> {
  const parsed = parseXml(xml, "signed assertion");
  if (!parsed.ok) return parsed;
  const assertion = parsed.value.documentElement;
  if (assertion.localName !== "Assertion" || assertion.namespaceURI !== SAML_ASSERTION_NS) {
    return failure("SAML_SIGNATURE_INVALID", "The signed element is not the assertion.");
  }
  const skewMs = provider.settings.clockSkewSeconds * 1000;
  const issuer = single(assertion, "Issuer");
  if (!issuer.ok) return issuer;
  const issuerValue = issuer.value === undefined ? "" : textOf(issuer.value);
  if (issuerValue !== provider.settings.idpEntityId) {
    return failure(
      "SAML_ISSUER_MISMATCH",
      `The assertion's Issuer is ${quoted(issuerValue)}; this provider's IdP entity ID is ${quoted(provider.settings.idpEntityId)}.`,
    );
  }
  const conditions = single(assertion, "Conditions");
  if (!conditions.ok) return conditions;
  const conditionsWindow =
    conditions.value === undefined ? success(undefined) : checkWindow(conditions.value, "assertion", skewMs, expect.now.getTime());
  if (!conditionsWindow.ok) return conditionsWindow;
  const audience = checkAudience(conditions.value, provider);
  if (!audience.ok) return audience;
  const subject = single(assertion, "Subject");
  if (!subject.ok) return subject;
  const confirmation = checkSubjectConfirmation(subject.value, provider, expect, skewMs);
  if (!confirmation.ok) return confirmation;
  const nameId = subject.value === undefined ? undefined : single(subject.value, "NameID");
  if (nameId !== undefined && !nameId.ok) return nameId;
  const nameIdElement = nameId?.value;
  const authn = childElements(assertion, SAML_ASSERTION_NS, "AuthnStatement")[0];
  const until = Math.max(confirmation.value.notOnOrAfter, conditionsWindow.value ?? 0) + skewMs;
  const nameIdFormat = nameIdElement === undefined ? undefined : attributeOf(nameIdElement, "Format");
  const sessionIndex = authn === undefined ? undefined : attributeOf(authn, "SessionIndex");
  const authnInstant = authn === undefined ? undefined : attributeOf(authn, "AuthnInstant");
  return success({
    assertionId: assertion.getAttribute("ID") ?? "",
    notOnOrAfter: new Date(until).toISOString(),
    ...(confirmation.value.inResponseTo === undefined ? {} : { inResponseTo: confirmation.value.inResponseTo }),
    issuer: issuerValue,
    nameId: nameIdElement === undefined ? "" : textOf(nameIdElement),
    ...(nameIdFormat === undefined ? {} : { nameIdFormat }),
    ...(sessionIndex === undefined ? {} : { sessionIndex }),
    attributes: attributesOf(assertion),
    ...(authnInstant === undefined ? {} : { authnInstant }),
  });
}
