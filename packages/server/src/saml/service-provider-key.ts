import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";
import type { ServiceProviderKey } from "../domain/saml-provider.ts";

/** How long the SP certificate is valid: IdPs read it only to verify our signed requests. */
const VALID_YEARS = 10;

/** A Distinguished Name value with nothing that could start another attribute. */
const nameValue = (text: string) => text.replace(/[^A-Za-z0-9 ._:/-]/g, "-").slice(0, 64) || "pipeshub-auth";

/**
 * A fresh SP key pair (RSA 2048, which every IdP accepts; made by node:crypto) and a self-signed
 * SHA-256 certificate for it (node-forge): SAML trusts the certificate as configured at the IdP,
 * never by a chain, so it only carries the public key there.
 */
export function makeServiceProviderKey(commonName: string, now: Date = new Date()): ServiceProviderKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString());
  // A positive serial number (its first bit clear), random so two keys never share one.
  certificate.serialNumber = "01" + randomBytes(15).toString("hex");
  certificate.validity.notBefore = new Date(now.getTime() - 60_000);
  certificate.validity.notAfter = new Date(now);
  certificate.validity.notAfter.setUTCFullYear(now.getUTCFullYear() + VALID_YEARS);
  const name = [{ name: "commonName", value: nameValue(commonName) }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.setExtensions([{ name: "keyUsage", critical: true, digitalSignature: true, keyEncipherment: true }]);
  certificate.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return { privateKeyPem, certificatePem: forge.pki.certificateToPem(certificate) };
}
