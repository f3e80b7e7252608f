import { X509Certificate } from "node:crypto";
import type { IdpCertificateView } from "./saml-provider.ts";

/** A certificate as PEM, from PEM or bare base64 (metadata's X509Certificate); undefined when it is neither. */
export function certificatePem(text: string): string | undefined {
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  const base64 = (pem ? pem[1]! : text).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

/** The SHA-256 fingerprint as SAML tools show it: upper-case hex pairs joined by colons. */
export const fingerprintOf = (pem: string): string => new X509Certificate(pem).fingerprint256;

/** A stored certificate as admins see it: its SHA-256 fingerprint and when it expires. */
export function certificateView(pem: string): IdpCertificateView {
  const certificate = new X509Certificate(pem);
  return { fingerprintSha256: certificate.fingerprint256, notAfter: new Date(certificate.validTo).toISOString() };
}

/** Whole days from `now` until the certificate expires (negative once it has). */
export function daysToExpiry(pem: string, now: Date): number {
  return Math.floor((new Date(new X509Certificate(pem).validTo).getTime() - now.getTime()) / 86_400_000);
}
