import { X509Certificate, generateKeyPairSync, randomBytes, sign } from "node:crypto";

/** A SAML party's signing key and its self-signed certificate, both PEM. */
export interface SamlKeyPair {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

export interface CertificateValidity {
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/*
 * A minimal DER writer: a self-signed X.509 v3 certificate needs only sequences, integers, OIDs,
 * one string, two times and a bit string. Node signs and parses certificates but cannot make one.
 */
function der(tag: number, content: Buffer): Buffer {
  const length = content.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), content]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), content]);
}
const sequence = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts));
const integer = (value: Buffer) => der(0x02, value[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split(".").map(Number);
  const bytes = [first! * 40 + second!];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(iso.slice(2))) : der(0x18, Buffer.from(iso));
}
const name = (commonName: string) => sequence(der(0x31, sequence(oid("2.5.4.3"), der(0x0c, Buffer.from(commonName)))));
const SHA256_WITH_RSA = sequence(oid("1.2.840.113549.1.1.11"), Buffer.from([0x05, 0x00]));

/** A fresh RSA-2048 key and a self-signed certificate for it (SHA-256 with RSA), valid a year unless told. */
export function makeSamlKeyPair(commonName: string, validity: CertificateValidity = {}): SamlKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const notBefore = validity.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = validity.notAfter ?? new Date(notBefore.getTime() + 365 * 24 * 3600_000);
  const serial = randomBytes(16);
  // Positive and minimally encoded (DER refuses a leading zero byte): first byte 0x40–0x7f.
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  const tbs = sequence(
    der(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    SHA256_WITH_RSA,
    name(commonName),
    sequence(time(notBefore), time(notAfter)),
    name(commonName),
    publicKey.export({ type: "spki", format: "der" }),
  );
  const signature = sign("sha256", tbs, privateKey);
  const certificate = sequence(tbs, SHA256_WITH_RSA, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const certificatePem = new X509Certificate(certificate).toString();
  return { privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), certificatePem };
}
