/**
 * A SAML IdP's side of the administration tests: signing certificates with the validity a test
 * needs (made with node-forge, not the service's key maker) and metadata XML, served on loopback.
 */
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestContext } from "node:test";
import forge from "node-forge";

const DAY = 86_400_000;

/** A self-signed certificate valid from `notBefore` to `notAfter` (default: a year from now), PEM. */
export function idpCertificate(options: { commonName?: string; notBefore?: Date; notAfter?: Date } = {}): string {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString());
  certificate.serialNumber = "01" + forge.util.bytesToHex(forge.random.getBytesSync(8));
  certificate.validity.notBefore = options.notBefore ?? new Date(Date.now() - DAY);
  certificate.validity.notAfter = options.notAfter ?? new Date(Date.now() + 365 * DAY);
  const name = [{ name: "commonName", value: options.commonName ?? "Test IdP" }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: "pkcs1", format: "pem" }).toString()), forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate);
}

export const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;
export const daysFromNow = (days: number): Date => new Date(Date.now() + days * DAY);
const base64Body = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, "");

/** An IdP's metadata: one EntityDescriptor with an IDPSSODescriptor. */
export function idpMetadataXml(options: {
  entityId: string;
  ssoUrl: string;
  certificates: readonly string[];
  /** Another binding instead of HTTP-Redirect for the SSO service. */
  ssoBinding?: string;
  signingMethods?: readonly string[];
}): string {
  const keys = options.certificates
    .map(
      (pem) =>
        `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Body(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    )
    .join("\n    ");
  const methods = (options.signingMethods ?? []).map((m) => `<alg:SigningMethod Algorithm="${m}"/>`).join("");
  return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:alg="urn:oasis:names:tc:SAML:metadata:algsupport" entityID="${options.entityId}">
  ${methods ? `<md:Extensions>${methods}</md:Extensions>` : ""}
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${keys}
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>bm90IGEgc2lnbmluZyBrZXk=</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="${options.ssoBinding ?? "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"}" Location="${options.ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;
}

/** Serves whatever `document()` gives at /metadata on loopback (404 when it gives undefined); closed when the test ends. */
export async function serveMetadata(t: TestContext, document: () => string | undefined): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    const body = request.url === "/metadata" ? document() : undefined;
    if (body === undefined) return void response.writeHead(404).end("not found");
    response.writeHead(200, { "content-type": "application/samlmetadata+xml" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metadata`, requests: () => requests };
}
