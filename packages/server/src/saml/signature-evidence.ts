import { X509Certificate } from "node:crypto";
import { XMLDSIG_NS, descendants, textOf } from "./xml.ts";

/*
 * What a refused signature is explained with: the SHA-256 fingerprints of the certificates
 * configured, and of the one the response's KeyInfo carries. That KeyInfo is untrusted and never
 * used to verify anything: it only names, in the message, which certificate the IdP signed with.
 */

/** The SHA-256 fingerprint of a certificate (PEM or bare base64), as `AB:CD:…`; undefined if unreadable. */
export function fingerprintSha256(certificate: string): string | undefined {
  try {
    const body = certificate.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, "");
    return new X509Certificate(Buffer.from(body, "base64")).fingerprint256;
  } catch {
    return undefined;
  }
}

/** The fingerprints of the certificates in the document's KeyInfo elements (first three, distinct). */
export function fingerprintsSeen(document: Document): string[] {
  const seen = descendants(document, XMLDSIG_NS, "X509Certificate").map((element) => fingerprintSha256(textOf(element)) ?? "(unreadable)");
  return [...new Set(seen)].slice(0, 3);
}

/** `"the response's KeyInfo carries X; configured here: A, B"` */
export function certificatesExplained(document: Document, configured: readonly string[]): string {
  const seen = fingerprintsSeen(document);
  const configuredPrints = configured.map((pem) => fingerprintSha256(pem) ?? "(unreadable)");
  const seenText =
    seen.length === 0 ? "the response names no certificate in its KeyInfo" : `the response's KeyInfo carries SHA-256 ${seen.join(", ")}`;
  return `${seenText}; configured here: ${configuredPrints.length === 0 ? "none" : configuredPrints.join(", ")}`;
}

const SHA1 = new Set([
  "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
  "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
  "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
  "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1",
  "http://www.w3.org/2000/09/xmldsig#sha1",
]);

/** The SHA-1 algorithms any signature of the document uses (signature or digest). */
export function sha1AlgorithmsUsed(document: Document): string[] {
  const algorithms = ["SignatureMethod", "DigestMethod"].flatMap((name) =>
    descendants(document, XMLDSIG_NS, name).map((element) => element.getAttribute("Algorithm") ?? ""),
  );
  return [...new Set(algorithms.filter((algorithm) => SHA1.has(algorithm)))];
}
