import { X509Certificate, createVerify } from "node:crypto";
import { inflateRawSync } from "node:zlib";
import { DOMParser } from "@xmldom/xmldom";
import { SAML_ASSERTION_NS, SAML_PROTOCOL_NS } from "./saml-response.ts";

/** An AuthnRequest as an IdP receives it over the HTTP-Redirect binding. */
export interface ReceivedAuthnRequest {
  readonly id: string;
  readonly issuer: string;
  readonly acsUrl: string | undefined;
  readonly destination: string | undefined;
  readonly forceAuthn: boolean;
  readonly relayState: string | undefined;
  /** The query's signature (SigAlg + Signature), when the SP signed the request. */
  readonly signature: { readonly sigAlg: string; readonly value: string } | undefined;
  readonly xml: string;
}

/** Reads the SAMLRequest of an SSO URL: inflate, parse, the values an IdP acts on. */
export function readRedirectAuthnRequest(url: URL): ReceivedAuthnRequest {
  const encoded = url.searchParams.get("SAMLRequest");
  if (encoded === null) throw new Error("no SAMLRequest in the URL");
  const xml = inflateRawSync(Buffer.from(encoded, "base64")).toString("utf8");
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new Error("the AuthnRequest has a DOCTYPE");
  const refuse = (message: unknown) => {
    throw new Error(`the AuthnRequest is not well-formed XML: ${String(message)}`);
  };
  const request = new DOMParser({ errorHandler: { error: refuse, fatalError: refuse } }).parseFromString(xml, "text/xml").documentElement;
  if (request === null || request.localName !== "AuthnRequest" || request.namespaceURI !== SAML_PROTOCOL_NS) {
    throw new Error("not an AuthnRequest");
  }
  const issuer = request.getElementsByTagNameNS(SAML_ASSERTION_NS, "Issuer")[0]?.textContent ?? "";
  const sigAlg = url.searchParams.get("SigAlg");
  const value = url.searchParams.get("Signature");
  return {
    id: request.getAttribute("ID") ?? "",
    issuer: issuer.trim(),
    acsUrl: request.getAttribute("AssertionConsumerServiceURL") ?? undefined,
    destination: request.getAttribute("Destination") ?? undefined,
    forceAuthn: request.getAttribute("ForceAuthn") === "true",
    relayState: url.searchParams.get("RelayState") ?? undefined,
    signature: sigAlg !== null && value !== null ? { sigAlg, value } : undefined,
    xml,
  };
}

const REDIRECT_SIGNATURE_HASHES: Readonly<Record<string, string>> = {
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": "RSA-SHA256",
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": "RSA-SHA512",
  "http://www.w3.org/2000/09/xmldsig#rsa-sha1": "RSA-SHA1",
};

/**
 * Whether the query of a signed HTTP-Redirect request verifies with the certificate: the signed
 * octets are `SAMLRequest=…&RelayState=…&SigAlg=…` exactly as they appear in the URL.
 */
export function redirectSignatureValid(url: URL, certificatePem: string): boolean {
  const parts = new Map(
    url.search
      .slice(1)
      .split("&")
      .map((pair) => [pair.split("=")[0]!, pair] as const),
  );
  const sigAlg = url.searchParams.get("SigAlg");
  const signature = url.searchParams.get("Signature");
  const hash = sigAlg === null ? undefined : REDIRECT_SIGNATURE_HASHES[sigAlg];
  if (signature === null || hash === undefined || !parts.has("SAMLRequest")) return false;
  const signed = ["SAMLRequest", "RelayState", "SigAlg"].flatMap((name) => (parts.has(name) ? [parts.get(name)!] : [])).join("&");
  return createVerify(hash).update(signed).verify(new X509Certificate(certificatePem).publicKey, Buffer.from(signature, "base64"));
}

/** The base64 body of a PEM certificate, as metadata and KeyInfo carry it. */
export const certificateBase64 = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, "");

/** An IdP's metadata: entity ID, signing certificates, the HTTP-Redirect SSO endpoint. */
export function samlIdpMetadataXml(idp: { entityId: string; ssoUrl: string; certificates: readonly string[] }): string {
  const keys = idp.certificates
    .map(
      (pem) =>
        `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>` +
        `<ds:X509Certificate>${certificateBase64(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    )
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${idp.entityId}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="${SAML_PROTOCOL_NS}">${keys}` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${idp.ssoUrl}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

/**
 * The page that carries a SAMLResponse to the SP (HTTP-POST binding): a form with a button, sent
 * by the script at `scriptSrc` (a file, so a strict CSP still allows it) or by the button.
 */
export function samlPostFormHtml(acsUrl: string, samlResponse: string, relayState: string | undefined, scriptSrc: string): string {
  const escape = (value: string) => value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Signing in…</title><script src="${escape(scriptSrc)}" defer></script></head>` +
    `<body><form method="post" action="${escape(acsUrl)}" id="saml-post">` +
    `<input type="hidden" name="SAMLResponse" value="${escape(samlResponse)}">` +
    (relayState === undefined ? "" : `<input type="hidden" name="RelayState" value="${escape(relayState)}">`) +
    `<button type="submit">Continue</button></form></body></html>`
  );
}

/** The script samlPostFormHtml names: submits the form once the page has loaded. */
export const SAML_POST_FORM_SCRIPT = `document.getElementById("saml-post").submit();\n`;
