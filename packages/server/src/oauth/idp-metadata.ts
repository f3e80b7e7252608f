import { failure, type Result, success } from "../domain/failures.ts";
import type { OutboundFetch } from "./outbound.ts";
import { providerFailure } from "./provider-failure.ts";

/**
 * Fetches a SAML IdP's metadata document through the outbound guard (deadline, size cap, no
 * redirects, no private addresses): its text, or why it could not be read. Reading the XML is
 * saml/metadata.ts's.
 */
export async function fetchIdpMetadata(outbound: OutboundFetch, providerName: string, url: string): Promise<Result<string>> {
  let response: Response;
  try {
    response = await outbound(url, { headers: { accept: "application/samlmetadata+xml, application/xml, text/xml" } });
  } catch (error) {
    return providerFailure(providerName, error, "reading its metadata (idpMetadataUrl)");
  }
  if (!response.ok)
    return failure(
      "INVALID_PROVIDER_SETTINGS",
      `idpMetadataUrl answered HTTP ${response.status}: check the URL the IdP publishes its metadata at (it must be public to this service).`,
    );
  return success(await response.text());
}
