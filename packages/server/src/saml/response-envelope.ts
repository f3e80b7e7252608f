import { promisify } from "node:util";
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";
import xmlEncryption from "xml-encryption";
import { failure, type Result, success } from "../domain/failures.ts";
import type { ConfiguredSamlProvider } from "../domain/saml-provider.ts";
import { sha1AlgorithmsUsed } from "./signature-evidence.ts";
import { SAML_ASSERTION_NS, SAML_PROTOCOL_NS, attributeOf, childElements, parseXml, textOf } from "./xml.ts";

/*
 * The rules read on the Response around the assertion, before its signature is checked: what it
 * is (one assertion, a status), where it was sent (Destination), what it answers (InResponseTo),
 * with which algorithms it is signed. The Response itself is usually unsigned: these values only
 * refuse; everything accepted is read from the signed assertion afterwards (assertion-rules.ts).
 */

const SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
const lastSegment = (uri: string) => uri.replace(/^.*[#:]/, "");
/** Text from the IdP, shortened and stripped of control characters before it goes into a message. */
const quoted = (text: string) => JSON.stringify(text.replace(/\p{Cc}/gu, " ").slice(0, 200));

export interface ResponseExpectation {
  /** The ID of the AuthnRequest this sign-in sent; undefined: none (an IdP-initiated response). */
  readonly requestId: string | undefined;
  readonly now: Date;
}

/** The parsed Response, its one assertion decrypted when it came encrypted. */
export interface ReadResponse {
  readonly document: Document;
  readonly response: Element;
  /** The XML for the signature check: the decoded form value, or the document with its assertion decrypted. */
  readonly xml: string;
}

export function readResponse(xml: string): Result<ReadResponse> {
  const parsed = parseXml(xml, "SAMLResponse");
  if (!parsed.ok) return parsed;
  const response = parsed.value.documentElement;
  if (response.localName !== "Response" || response.namespaceURI !== SAML_PROTOCOL_NS) {
    return failure(
      "SAML_MALFORMED",
      `The SAMLResponse is a ${quoted(response.localName ?? "")} element, not a SAML 2.0 protocol Response.`,
    );
  }
  return success({ document: parsed.value, response, xml });
}

/** The Response's status must be Success (an IdP's refusal is often unsigned: it is reported, never trusted). */
export function checkStatus(response: Element): Result<void> {
  const code = childElements(response, SAML_PROTOCOL_NS, "Status").flatMap((status) =>
    childElements(status, SAML_PROTOCOL_NS, "StatusCode"),
  )[0];
  if (code === undefined) return failure("SAML_MALFORMED", "The SAMLResponse has no Status.");
  const value = code.getAttribute("Value") ?? "";
  if (value === SUCCESS) return success(undefined);
  const nested = childElements(code, SAML_PROTOCOL_NS, "StatusCode")[0]?.getAttribute("Value");
  const message = childElements(response, SAML_PROTOCOL_NS, "Status").flatMap((status) =>
    childElements(status, SAML_PROTOCOL_NS, "StatusMessage"),
  )[0];
  return failure(
    "SAML_STATUS_NOT_SUCCESS",
    `The IdP answered status ${quoted(lastSegment(value))}${nested ? ` (${quoted(lastSegment(nested))})` : ""}` +
      `${message === undefined ? "" : `: ${quoted(textOf(message))}`} instead of Success.`,
  );
}

/** Exactly one assertion, plain or encrypted, directly in the Response: more is how wrapping attacks start. */
export function checkOneAssertion(response: Element, provider: ConfiguredSamlProvider): Result<"plain" | "encrypted"> {
  const plain = childElements(response, SAML_ASSERTION_NS, "Assertion").length;
  const encrypted = childElements(response, SAML_ASSERTION_NS, "EncryptedAssertion").length;
  if (plain + encrypted === 0) return failure("SAML_MALFORMED", "The SAMLResponse contains no assertion.");
  if (plain + encrypted > 1) {
    return failure("SAML_SIGNATURE_INVALID", `The SAMLResponse contains ${plain + encrypted} assertions; exactly one is accepted.`);
  }
  if (encrypted === 1 && provider.spKey === undefined) {
    return failure("SAML_ENCRYPTED_NOT_SUPPORTED", "The assertion is encrypted, and this provider holds no SP key to decrypt it.");
  }
  return success(encrypted === 1 ? "encrypted" : "plain");
}

const decrypt = promisify(xmlEncryption.decrypt) as (xml: string, options: xmlEncryption.DecryptOptions) => Promise<string>;

/**
 * The Response with its EncryptedAssertion replaced by the assertion inside (decrypted with the
 * provider's SP key; RSA 1.5 and 3DES refused), so every later rule reads one plain document.
 */
export async function decryptAssertion(read: ReadResponse, privateKeyPem: string): Promise<Result<ReadResponse>> {
  const encrypted = childElements(read.response, SAML_ASSERTION_NS, "EncryptedAssertion")[0]!;
  let plain: string;
  try {
    const data = childElements(encrypted, "http://www.w3.org/2001/04/xmlenc#", "EncryptedData")[0];
    if (data === undefined) throw new Error("no EncryptedData");
    plain = await decrypt(new XMLSerializer().serializeToString(encrypted), {
      key: privateKeyPem,
      disallowDecryptionWithInsecureAlgorithm: true,
      warnInsecureAlgorithm: false,
    });
  } catch {
    return failure(
      "SAML_ENCRYPTED_NOT_SUPPORTED",
      "The encrypted assertion could not be decrypted with this provider's SP key (another key, or an algorithm refused: RSA 1.5, 3DES).",
    );
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(plain)) {
    return failure("SAML_DOCTYPE_NOT_ALLOWED", "The decrypted assertion contains a DOCTYPE or entity declaration, which SAML never needs.");
  }
  const assertion = parseXml(plain, "decrypted assertion");
  if (!assertion.ok) return assertion;
  const root = assertion.value.documentElement;
  if (root.localName !== "Assertion" || root.namespaceURI !== SAML_ASSERTION_NS) {
    return failure("SAML_MALFORMED", "The encrypted assertion does not contain an Assertion.");
  }
  read.response.replaceChild(read.document.importNode(root, true), encrypted);
  const xml = new XMLSerializer().serializeToString(read.document);
  const reparsed = new DOMParser().parseFromString(xml, "text/xml");
  return success({ document: reparsed, response: reparsed.documentElement, xml });
}

/** No SHA-1 in any signature or digest unless the provider opts in (allowSha1). */
export function checkAlgorithms(document: Document, provider: ConfiguredSamlProvider): Result<void> {
  const sha1 = sha1AlgorithmsUsed(document);
  if (sha1.length === 0 || provider.settings.allowSha1) return success(undefined);
  return failure(
    "SAML_WEAK_ALGORITHM",
    `The response is signed with SHA-1 (${sha1.map(lastSegment).join(", ")}); this provider accepts SHA-256 or stronger unless allowSha1 is set.`,
  );
}

/** The Response's Destination must be this provider's ACS URL (required: the service always asks for a signed assertion to it). */
export function checkDestination(response: Element, provider: ConfiguredSamlProvider): Result<void> {
  const destination = attributeOf(response, "Destination");
  if (destination === provider.sp.acsUrl) return success(undefined);
  return failure(
    "SAML_DESTINATION_MISMATCH",
    `The response's Destination is ${destination === undefined ? "missing" : quoted(destination)}; this provider's ACS URL is ${quoted(provider.sp.acsUrl)}.`,
  );
}

/** The Response answers this sign-in's AuthnRequest, or none at all when IdP-initiated sign-in is allowed. */
export function checkInResponseTo(response: Element, provider: ConfiguredSamlProvider, expect: ResponseExpectation): Result<void> {
  return inResponseToRule(attributeOf(response, "InResponseTo"), provider, expect, "response");
}

/** Shared by the Response and its subject confirmation, which must agree with the request too. */
export function inResponseToRule(
  inResponseTo: string | undefined,
  provider: ConfiguredSamlProvider,
  expect: ResponseExpectation,
  where: string,
): Result<void> {
  if (expect.requestId === undefined) {
    if (inResponseTo !== undefined) {
      return failure(
        "SAML_IN_RESPONSE_TO_MISMATCH",
        `The ${where} answers the request ${quoted(inResponseTo)}, which is not outstanding for this sign-in (finished, expired, or started elsewhere).`,
      );
    }
    if (!provider.settings.allowIdpInitiated) {
      return failure(
        "SAML_UNSOLICITED",
        "The response answers no sign-in started here (IdP-initiated), and this provider does not allow IdP-initiated sign-in.",
      );
    }
    return success(undefined);
  }
  if (inResponseTo === expect.requestId) return success(undefined);
  return failure(
    "SAML_IN_RESPONSE_TO_MISMATCH",
    `The ${where}'s InResponseTo is ${inResponseTo === undefined ? "missing" : quoted(inResponseTo)}; this sign-in sent the request ${quoted(expect.requestId)}.`,
  );
}

/** When the Response names its Issuer, it is the provider's IdP entity ID. */
export function checkResponseIssuer(response: Element, provider: ConfiguredSamlProvider): Result<void> {
  const issuer = childElements(response, SAML_ASSERTION_NS, "Issuer")[0];
  if (issuer === undefined || textOf(issuer) === provider.settings.idpEntityId) return success(undefined);
  return failure(
    "SAML_ISSUER_MISMATCH",
    `The response's Issuer is ${quoted(textOf(issuer))}; this provider's IdP entity ID is ${quoted(provider.settings.idpEntityId)}.`,
  );
}

export { quoted };
