import { randomBytes } from "node:crypto";
import { SignedXml } from "xml-crypto";
import type { SamlKeyPair } from "./saml-certificate.ts";

/*
 * A SAML 2.0 Response as an identity provider writes it (Web Browser SSO profile, HTTP-POST
 * binding), and its XML signature. Written here, apart from the service, so that the demo IdP and
 * the service's tests sign with code the service does not share.
 */

export const SAML_PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol";
export const SAML_ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion";
export const SAML_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
export const NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
export const NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";

/** Every value of a Response; `undefined` leaves the attribute or element out. */
export interface SamlResponseFields {
  readonly responseId: string;
  readonly assertionId: string;
  readonly issuer: string;
  readonly issueInstant: Date;
  readonly destination: string | undefined;
  readonly inResponseTo: string | undefined;
  /** The top-level status code; anything but Success sends no assertion. */
  readonly statusCode: string;
  readonly statusMessage?: string;
  readonly nameId: string | undefined;
  readonly nameIdFormat: string | undefined;
  readonly recipient: string | undefined;
  readonly subjectInResponseTo: string | undefined;
  readonly subjectNotOnOrAfter: Date | undefined;
  readonly notBefore: Date | undefined;
  readonly notOnOrAfter: Date | undefined;
  readonly audience: string | undefined;
  readonly authnInstant: Date;
  readonly sessionIndex: string | undefined;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
}

export const samlId = () => `_${randomBytes(20).toString("hex")}`;

/** What a good response to one SP's request says about one user. */
export interface SamlResponseFor {
  readonly idpEntityId: string;
  readonly sp: { readonly entityId: string; readonly acsUrl: string };
  /** The AuthnRequest answered; undefined: an IdP-initiated response. */
  readonly requestId: string | undefined;
  readonly nameId: string;
  readonly nameIdFormat: string;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  /** How long the assertion may be presented (default 5 minutes). */
  readonly lifetimeMs?: number;
}

/** The fields of a good response as IdPs write it: valid from a little before now, for a few minutes, to the SP's ACS URL and audience. */
export function samlResponseFields(o: SamlResponseFor, now = Date.now()): SamlResponseFields {
  const until = new Date(now + (o.lifetimeMs ?? 5 * 60_000));
  return {
    responseId: samlId(),
    assertionId: samlId(),
    issuer: o.idpEntityId,
    issueInstant: new Date(now),
    destination: o.sp.acsUrl,
    inResponseTo: o.requestId,
    statusCode: SAML_SUCCESS,
    nameId: o.nameId,
    nameIdFormat: o.nameIdFormat,
    recipient: o.sp.acsUrl,
    subjectInResponseTo: o.requestId,
    subjectNotOnOrAfter: until,
    notBefore: new Date(now - 30_000),
    notOnOrAfter: until,
    audience: o.sp.entityId,
    authnInstant: new Date(now),
    sessionIndex: samlId(),
    attributes: o.attributes,
  };
}

const escapeXml = (value: string) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const attribute = (name: string, value: string | Date | undefined) =>
  value === undefined ? "" : ` ${name}="${escapeXml(value instanceof Date ? value.toISOString() : value)}"`;

/** The assertion alone (with its own namespace declaration, so it can also be encrypted or moved). */
export function samlAssertionXml(fields: SamlResponseFields): string {
  const subject =
    (fields.nameId === undefined
      ? ""
      : `<saml:NameID${attribute("Format", fields.nameIdFormat)}>${escapeXml(fields.nameId)}</saml:NameID>`) +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData` +
    `${attribute("InResponseTo", fields.subjectInResponseTo)}${attribute("NotOnOrAfter", fields.subjectNotOnOrAfter)}${attribute("Recipient", fields.recipient)}/>` +
    `</saml:SubjectConfirmation>`;
  const audience =
    fields.audience === undefined
      ? ""
      : `<saml:AudienceRestriction><saml:Audience>${escapeXml(fields.audience)}</saml:Audience></saml:AudienceRestriction>`;
  const attributes = Object.entries(fields.attributes)
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${escapeXml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">` +
        values.map((value) => `<saml:AttributeValue>${escapeXml(value)}</saml:AttributeValue>`).join("") +
        `</saml:Attribute>`,
    )
    .join("");
  return (
    `<saml:Assertion xmlns:saml="${SAML_ASSERTION_NS}" ID="${fields.assertionId}" Version="2.0"${attribute("IssueInstant", fields.issueInstant)}>` +
    `<saml:Issuer>${escapeXml(fields.issuer)}</saml:Issuer>` +
    `<saml:Subject>${subject}</saml:Subject>` +
    `<saml:Conditions${attribute("NotBefore", fields.notBefore)}${attribute("NotOnOrAfter", fields.notOnOrAfter)}>${audience}</saml:Conditions>` +
    `<saml:AuthnStatement${attribute("AuthnInstant", fields.authnInstant)}${attribute("SessionIndex", fields.sessionIndex)}>` +
    `<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>` +
    `</saml:AuthnStatement>` +
    (attributes === "" ? "" : `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>`) +
    `</saml:Assertion>`
  );
}

/** The Response around an assertion (or around the XML given in its place, e.g. an EncryptedAssertion). */
export function samlResponseXml(fields: SamlResponseFields, assertion: string = samlAssertionXml(fields)): string {
  const success = fields.statusCode === SAML_SUCCESS;
  const message = fields.statusMessage === undefined ? "" : `<samlp:StatusMessage>${escapeXml(fields.statusMessage)}</samlp:StatusMessage>`;
  return (
    `<samlp:Response xmlns:samlp="${SAML_PROTOCOL_NS}" xmlns:saml="${SAML_ASSERTION_NS}" ID="${fields.responseId}" Version="2.0"` +
    `${attribute("IssueInstant", fields.issueInstant)}${attribute("Destination", fields.destination)}${attribute("InResponseTo", fields.inResponseTo)}>` +
    `<saml:Issuer>${escapeXml(fields.issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${escapeXml(fields.statusCode)}"/>${message}</samlp:Status>` +
    (success ? assertion : "") +
    `</samlp:Response>`
  );
}

export type SamlSignatureAlgorithm = "sha256" | "sha1";
const ALGORITHMS = {
  sha256: { signature: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", digest: "http://www.w3.org/2001/04/xmlenc#sha256" },
  sha1: { signature: "http://www.w3.org/2000/09/xmldsig#rsa-sha1", digest: "http://www.w3.org/2000/09/xmldsig#sha1" },
} as const;

/**
 * Signs the element with the given ID (an enveloped signature after its Issuer, exclusive
 * canonicalisation, the certificate in KeyInfo), as IdPs do.
 */
export function signSamlElement(xml: string, elementId: string, key: SamlKeyPair, algorithm: SamlSignatureAlgorithm = "sha256"): string {
  const signer = new SignedXml({
    privateKey: key.privateKeyPem,
    publicCert: key.certificatePem,
    signatureAlgorithm: ALGORITHMS[algorithm].signature,
    canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#",
  });
  const element = `//*[@ID='${elementId}']`;
  signer.addReference({
    xpath: element,
    digestAlgorithm: ALGORITHMS[algorithm].digest,
    transforms: ["http://www.w3.org/2000/09/xmldsig#enveloped-signature", "http://www.w3.org/2001/10/xml-exc-c14n#"],
  });
  signer.computeSignature(xml, { prefix: "ds", location: { reference: `${element}/*[local-name(.)='Issuer']`, action: "after" } });
  return signer.getSignedXml();
}
