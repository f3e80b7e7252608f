import { SAML } from "@node-saml/node-saml";
import { failure, type Result, success } from "../domain/failures.ts";
import type { ConfiguredSamlProvider } from "../domain/saml-provider.ts";
import { checkAssertion, type SamlAssertion } from "./assertion-rules.ts";
import {
  checkAlgorithms,
  checkDestination,
  checkInResponseTo,
  checkOneAssertion,
  checkResponseIssuer,
  checkStatus,
  decryptAssertion,
  readResponse,
  type ReadResponse,
  type ResponseExpectation,
} from "./response-envelope.ts";
import { certificatesExplained } from "./signature-evidence.ts";
import { SAML_ASSERTION_NS, XMLDSIG_NS, childElements, decodeSamlMessage } from "./xml.ts";

export type { SamlAssertion, ResponseExpectation };

/**
 * Validates the SAMLResponse an IdP posted to a provider's ACS (HTTP-POST binding, the form's
 * base64 value) and answers what its assertion says, or the one rule it broke:
 *
 * 1. before parsing: size (SAML_TOO_LARGE), base64 and UTF-8 (SAML_MALFORMED), no DOCTYPE or
 *    entities (SAML_DOCTYPE_NOT_ALLOWED); then well-formed XML, a protocol Response;
 * 2. on the Response: status Success (SAML_STATUS_NOT_SUCCESS), exactly one assertion (an
 *    encrypted one only with the provider's SP key: SAML_ENCRYPTED_NOT_SUPPORTED), no SHA-1
 *    unless allowSha1 (SAML_WEAK_ALGORITHM), Destination (SAML_DESTINATION_MISMATCH), Issuer,
 *    InResponseTo (SAML_IN_RESPONSE_TO_MISMATCH, SAML_UNSOLICITED);
 * 3. the assertion's signature, by node-saml, against the configured certificates only: the
 *    signature must be the assertion's own and cover it; node-saml hands back the signed bytes
 *    (SAML_SIGNATURE_INVALID naming the certificate seen and those configured);
 * 4. on those signed bytes only: Issuer, Conditions' window and Audience, a bearer subject
 *    confirmation with Recipient, window and InResponseTo (assertion-rules.ts).
 *
 * node-saml's own time, audience and InResponseTo checks are off: the service checks each itself
 * against `expect.now`, with its own failure id and message. Remembering the assertion ID (replay)
 * and mapping the identity are the caller's.
 */
export async function validateSamlResponse(
  provider: ConfiguredSamlProvider,
  samlResponse: string,
  expect: ResponseExpectation,
): Promise<Result<SamlAssertion>> {
  const decoded = decodeSamlMessage(samlResponse);
  if (!decoded.ok) return decoded;
  let read = readResponse(decoded.value);
  if (!read.ok) return read;
  const status = checkStatus(read.value.response);
  if (!status.ok) return status;
  const kind = checkOneAssertion(read.value.response, provider);
  if (!kind.ok) return kind;
  if (kind.value === "encrypted") {
    read = await decryptAssertion(read.value, provider.spKey!.privateKeyPem);
    if (!read.ok) return read;
  }
  for (const rule of [
    checkAlgorithms(read.value.document, provider),
    checkDestination(read.value.response, provider),
    checkResponseIssuer(read.value.response, provider),
    checkInResponseTo(read.value.response, provider, expect),
  ]) {
    if (!rule.ok) return rule;
  }
  const signed = await signedAssertion(read.value, provider);
  if (!signed.ok) return signed;
  return checkAssertion(signed.value, provider, expect);
}

/** The assertion's signed bytes, verified by node-saml with the configured certificates (any one of them: a rollover). */
async function signedAssertion(read: ReadResponse, provider: ConfiguredSamlProvider): Promise<Result<string>> {
  const saml = new SAML({
    idpCert: [...provider.settings.idpCertificates],
    issuer: provider.sp.spEntityId,
    callbackUrl: provider.sp.acsUrl,
    wantAssertionsSigned: true,
    // Most IdPs sign only the assertion; a signed Response alone does not do (the assertion must be).
    wantAuthnResponseSigned: false,
    // Checked by the service itself (assertion-rules.ts), against the caller's clock and with its own ids.
    audience: false,
    acceptedClockSkewMs: -1,
  });
  const refused = (why: string) =>
    failure(
      "SAML_SIGNATURE_INVALID",
      `The assertion's signature ${why}: ${certificatesExplained(read.document, provider.settings.idpCertificates)}.`,
      {
        detail: why,
      },
    );
  const assertion = childElements(read.response, SAML_ASSERTION_NS, "Assertion")[0]!;
  if (childElements(assertion, XMLDSIG_NS, "Signature").length === 0) {
    return refused("is missing: the IdP must sign the assertion itself (signing only the response is not enough)");
  }
  try {
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: Buffer.from(read.xml, "utf8").toString("base64") });
    const assertionXml = profile?.getAssertionXml?.();
    if (assertionXml === undefined) return refused("does not cover an assertion");
    return success(assertionXml);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // node-saml reads the signed assertion's times even with its own time checks off.
    if (reason.startsWith("Error parsing "))
      return failure("SAML_MALFORMED", `The assertion has a missing or invalid time (${reason.slice(14, 120)}).`);
    return refused(/^Invalid signature$/.test(reason) ? "does not verify with a certificate configured here" : `was refused (${reason})`);
  }
}
