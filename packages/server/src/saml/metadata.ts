/**
 * SAML 2.0 metadata: reading an IdP's (entity ID, SSO URL of the HTTP-Redirect binding, signing
 * certificates) and writing the service provider's for one provider. IdP metadata comes from
 * admins and from the network, so it is read defensively: size capped, no DOCTYPE (entities are
 * where XML parsers' expansion and external-fetch attacks live), namespaces checked.
 */
import { DOMParser } from "@xmldom/xmldom";
import { failure, type Failure, type Result, success } from "../domain/failures.ts";
import { certificatePem } from "../domain/saml-certificates.ts";
import type { ConfiguredSamlProvider } from "../domain/saml-provider.ts";
import { childElements, XMLDSIG_NS } from "./xml.ts";

/** Metadata larger than this is refused: an IdP's is a few kilobytes, AD FS's with many endpoints tens. */
export const MAX_METADATA_BYTES = 512 * 1024;

const MD = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS = XMLDSIG_NS;
const ALG = "urn:oasis:names:tc:SAML:metadata:algsupport";
export const HTTP_REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
export const HTTP_POST_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
export const NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
export const NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

/** What the service needs of an IdP's metadata, and what the doctor shows of it. */
export interface IdpMetadata {
  readonly entityId: string;
  /** The SingleSignOnService location of the HTTP-Redirect binding. */
  readonly ssoUrl: string;
  /** The signing certificates (KeyDescriptors with use="signing" or no use), as PEM. */
  readonly certificates: string[];
  /** Signature algorithms the IdP advertises (alg:SigningMethod), when it does. */
  readonly signingAlgorithms: string[];
  /** The IdP's WantAuthnRequestsSigned. */
  readonly wantAuthnRequestsSigned: boolean;
}

const malformed = (message: string): Failure => failure("INVALID_PROVIDER_SETTINGS", `The IdP metadata ${message}.`);

const elements = (parent: Element | Document, ns: string, name: string): Element[] =>
  Array.from(parent.getElementsByTagNameNS(ns, name) as ArrayLike<Element>);

/** Parses XML that must not declare a DOCTYPE; undefined with the parser's complaint when it is not well-formed. */
function parseXml(xml: string): { document: Document } | { problem: string } {
  if (Buffer.byteLength(xml) > MAX_METADATA_BYTES) return { problem: `is larger than ${MAX_METADATA_BYTES / 1024} KiB` };
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return { problem: "declares a DOCTYPE or entities, which are refused" };
  let problem: string | undefined;
  const report = (message: unknown) => {
    problem ??= String(message)
      .split("\n")[0]!
      .replace(/^\[xmldom \w+\]\s*/, "")
      .slice(0, 200);
  };
  const document = new DOMParser({ errorHandler: { warning: () => undefined, error: report, fatalError: report } }).parseFromString(
    xml,
    "text/xml",
  );
  if (problem !== undefined || !document?.documentElement) return { problem: `is not well-formed XML (${problem ?? "no root element"})` };
  return { document };
}

/** Reads an IdP's metadata (an EntityDescriptor, or an EntitiesDescriptor holding one IdP). */
export function readIdpMetadata(xml: string): Result<IdpMetadata> {
  const parsed = parseXml(xml);
  if ("problem" in parsed) return malformed(parsed.problem);
  const root = parsed.document.documentElement!;
  if (root.namespaceURI !== MD || !["EntityDescriptor", "EntitiesDescriptor"].includes(root.localName ?? ""))
    return malformed("is not SAML 2.0 metadata (no md:EntityDescriptor)");
  const idps = elements(parsed.document, MD, "IDPSSODescriptor");
  if (idps.length === 0) return malformed("describes no identity provider (no IDPSSODescriptor)");
  if (idps.length > 1) return malformed(`describes ${idps.length} identity providers; give the metadata of the one to use`);
  const idp = idps[0]!;
  const entity = idp.parentNode as Element | null;
  const entityId = entity?.getAttribute("entityID")?.trim() ?? "";
  if (entityId === "") return malformed("names no entityID");
  const sso = childElements(idp, MD, "SingleSignOnService").find((e) => e.getAttribute("Binding") === HTTP_REDIRECT_BINDING);
  const ssoUrl = sso?.getAttribute("Location")?.trim() ?? "";
  if (ssoUrl === "") return malformed("has no SingleSignOnService with the HTTP-Redirect binding");
  const certificates: string[] = [];
  for (const key of childElements(idp, MD, "KeyDescriptor")) {
    const use = key.getAttribute("use");
    if (use && use !== "signing") continue;
    for (const text of elements(key, DS, "X509Certificate")) {
      const pem = certificatePem(text.textContent ?? "");
      if (pem === undefined) return malformed("holds an X509Certificate that is not base64");
      certificates.push(pem);
    }
  }
  if (certificates.length === 0) return malformed('holds no signing certificate (KeyDescriptor use="signing" with an X509Certificate)');
  const signingAlgorithms = [...(entity ? elements(entity, ALG, "SigningMethod") : [])]
    .map((e) => e.getAttribute("Algorithm") ?? "")
    .filter((a) => a !== "");
  return success({
    entityId,
    ssoUrl,
    certificates,
    signingAlgorithms: [...new Set(signingAlgorithms)],
    wantAuthnRequestsSigned: idp.getAttribute("WantAuthnRequestsSigned") === "true",
  });
}

const escapeXml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);

const base64Of = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, "");

/**
 * The service provider's metadata for one provider: its entity ID, the ACS (HTTP-POST), the
 * NameID formats it reads, that it wants signed assertions, and (when the provider has an SP key)
 * the certificate its requests are signed with and assertions may be encrypted to.
 */
export function serviceProviderMetadata(provider: Pick<ConfiguredSamlProvider, "settings" | "sp" | "spKey">): string {
  const signed = provider.settings.signAuthnRequests && provider.spKey !== undefined;
  const keyInfo = (use: string, pem: string) =>
    `    <md:KeyDescriptor use="${use}">\n      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Of(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\n    </md:KeyDescriptor>\n`;
  const keys = provider.spKey
    ? keyInfo("signing", provider.spKey.certificatePem) + keyInfo("encryption", provider.spKey.certificatePem)
    : "";
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<md:EntityDescriptor xmlns:md="${MD}" xmlns:ds="${DS}" entityID="${escapeXml(provider.sp.spEntityId)}">\n` +
    `  <md:SPSSODescriptor AuthnRequestsSigned="${signed}" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">\n` +
    keys +
    `    <md:NameIDFormat>${NAMEID_PERSISTENT}</md:NameIDFormat>\n` +
    `    <md:NameIDFormat>${NAMEID_EMAIL}</md:NameIDFormat>\n` +
    `    <md:AssertionConsumerService Binding="${HTTP_POST_BINDING}" Location="${escapeXml(provider.sp.acsUrl)}" index="0" isDefault="true"/>\n` +
    `  </md:SPSSODescriptor>\n` +
    `</md:EntityDescriptor>\n`
  );
}
