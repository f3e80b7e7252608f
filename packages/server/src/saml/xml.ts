import { DOMParser } from "@xmldom/xmldom";
import { failure, type Result, success } from "../domain/failures.ts";

export const SAML_PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol";
export const SAML_ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion";
export const XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#";

/** The largest SAMLResponse form value read (base64 characters): real responses are a few KiB. */
export const MAX_SAML_RESPONSE_BASE64 = 256 * 1024;

/**
 * The XML of a form's base64 SAMLResponse, or why it is refused before any parsing: too large,
 * not base64, not UTF-8, or carrying a DOCTYPE (entity expansion and external entities are the
 * classic XML attacks; no SAML message needs a DTD).
 */
export function decodeSamlMessage(base64: string): Result<string> {
  if (base64.length > MAX_SAML_RESPONSE_BASE64) {
    return failure(
      "SAML_TOO_LARGE",
      `The SAMLResponse is ${base64.length} characters long; at most ${MAX_SAML_RESPONSE_BASE64} are accepted.`,
    );
  }
  // Some IdPs wrap the base64 at 76 characters.
  const compact = base64.replace(/[\r\n\t ]/g, "");
  if (compact === "") return failure("SAML_MALFORMED", "The SAMLResponse is empty.");
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    return failure("SAML_MALFORMED", "The SAMLResponse is not base64.");
  }
  let xml: string;
  try {
    xml = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(compact, "base64"));
  } catch {
    return failure("SAML_MALFORMED", "The SAMLResponse is not UTF-8 text.");
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    return failure("SAML_DOCTYPE_NOT_ALLOWED", "The SAMLResponse contains a DOCTYPE or entity declaration, which SAML never needs.");
  }
  return success(xml);
}

/** Parses XML (already free of DOCTYPE), refusing what xmldom reports as an error. */
export function parseXml(xml: string, what: string): Result<Document> {
  let problem: string | undefined;
  const note = (message: unknown) => {
    problem ??= String(message).split("\n")[0];
  };
  let document: Document | undefined;
  try {
    document = new DOMParser({ errorHandler: { error: note, fatalError: note } }).parseFromString(xml, "text/xml");
  } catch (error) {
    note(error instanceof Error ? error.message : error);
  }
  if (problem !== undefined || document?.documentElement == null) {
    return failure("SAML_MALFORMED", `The ${what} is not well-formed XML${problem === undefined ? "" : `: ${problem.slice(0, 200)}`}.`);
  }
  return success(document);
}

/** The child elements of `parent` with this namespace and local name (children only: never a nested copy). */
export function childElements(parent: Element, namespace: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === 1 && (node as Element).namespaceURI === namespace && (node as Element).localName === localName) {
      found.push(node as Element);
    }
  }
  return found;
}

/** The element's text, all text nodes joined: a comment inside it cannot cut the value short. */
export function textOf(element: Element): string {
  return (element.textContent ?? "").trim();
}

/** An attribute's value, or undefined when absent (xmldom answers "" for a missing attribute). */
export function attributeOf(element: Element, name: string): string | undefined {
  return element.hasAttribute(name) ? element.getAttribute(name)! : undefined;
}

/** Every descendant element with this namespace and local name. */
export function descendants(parent: Document | Element, namespace: string, localName: string): Element[] {
  return Array.from(parent.getElementsByTagNameNS(namespace, localName));
}
