import { X509Certificate } from "node:crypto";
import { certificatePem } from "./saml-certificates.ts";
import { failure, type Failure, type Result, success } from "./failures.ts";
import { type ProviderNetworkAllowList, providerNetworkPolicy } from "./provider-network.ts";
import { checkProviderUrl, checkRedirectUri, PROVIDER_NAME_PATTERN } from "./provider-settings.ts";
import type { SamlProviderSettings } from "./saml-provider.ts";

/** What an admin may write for a SAML provider: the IdP's values from one source, and ours. */
export interface SamlProviderInput {
  providerName?: string;
  /** The IdP's metadata, fetched (through the outbound guard) when saved and re-read by the watch. */
  idpMetadataUrl?: string;
  /** The IdP's metadata, pasted. */
  idpMetadataXml?: string;
  idpEntityId?: string;
  idpSsoUrl?: string;
  /** PEM (or bare base64 DER) certificates; several during a rollover. */
  idpCertificates?: string[];
  redirectUri?: string;
  redirectUris?: string[];
  enableJit?: boolean;
  emailAttribute?: string;
  subjectAttribute?: string;
  clockSkewSeconds?: number;
  allowIdpInitiated?: boolean;
  allowSha1?: boolean;
  signAuthnRequests?: boolean;
  /** The operator's alone (see ProviderLinking); stored beside the settings. */
  linkExistingUsers?: boolean;
}

/** Where the IdP's entity ID, SSO URL and certificates come from: exactly one of the three. */
export type IdpSource =
  | { readonly kind: "metadata-url"; readonly url: string }
  | { readonly kind: "metadata-xml"; readonly xml: string }
  | { readonly kind: "values"; readonly entityId: string; readonly ssoUrl: string; readonly certificates: readonly string[] };

/** The IdP's values, however they were given. */
export interface IdpValues {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly certificates: readonly string[];
}

export const DEFAULT_CLOCK_SKEW_SECONDS = 60;
export const MAX_CLOCK_SKEW_SECONDS = 600;
/** Certificates an IdP may sign with at once: a rollover needs two, a few more is generous. */
export const MAX_IDP_CERTIFICATES = 5;
/** An attribute name: a short name or a URI (Entra ID's claim URIs, urn:oid:…). */
export const SAML_ATTRIBUTE_PATTERN = "^[A-Za-z0-9_][A-Za-z0-9_.:/#-]{0,255}$";

const invalid = (message: string): Failure => failure("INVALID_PROVIDER_SETTINGS", message);

/** Which of the three ways the admin gave the IdP's values; refuses none, or a mix. */
export function idpSourceOf(input: SamlProviderInput): Result<IdpSource> {
  const direct = input.idpEntityId !== undefined || input.idpSsoUrl !== undefined || input.idpCertificates !== undefined;
  const given = [input.idpMetadataUrl !== undefined, input.idpMetadataXml !== undefined, direct].filter(Boolean).length;
  if (given !== 1)
    return invalid(
      given === 0
        ? "give the IdP's values: idpMetadataUrl, or idpMetadataXml, or idpEntityId with idpSsoUrl and idpCertificates"
        : "give the IdP's values one way only: idpMetadataUrl, idpMetadataXml, or idpEntityId with idpSsoUrl and idpCertificates",
    );
  if (input.idpMetadataUrl !== undefined) return success({ kind: "metadata-url", url: input.idpMetadataUrl });
  if (input.idpMetadataXml !== undefined) return success({ kind: "metadata-xml", xml: input.idpMetadataXml });
  const missing = (["idpEntityId", "idpSsoUrl", "idpCertificates"] as const).filter((field) => input[field] === undefined);
  if (missing.length > 0)
    return invalid(`without metadata, give idpEntityId, idpSsoUrl and idpCertificates together (missing: ${missing.join(", ")})`);
  return success({ kind: "values", entityId: input.idpEntityId!, ssoUrl: input.idpSsoUrl!, certificates: input.idpCertificates! });
}

/** The certificates as PEM, each one readable, without repeats (by fingerprint). */
export function normaliseCertificates(given: readonly string[]): Result<string[]> {
  if (given.length === 0) return invalid("idpCertificates must hold at least one certificate (the IdP's signing certificate, PEM)");
  if (given.length > MAX_IDP_CERTIFICATES) return invalid(`idpCertificates may hold at most ${MAX_IDP_CERTIFICATES} certificates`);
  const seen = new Map<string, string>();
  for (const [index, text] of given.entries()) {
    const pem = certificatePem(text);
    let certificate: X509Certificate | undefined;
    try {
      certificate = pem === undefined ? undefined : new X509Certificate(pem);
    } catch {
      certificate = undefined;
    }
    if (!certificate || !pem) return invalid(`idpCertificates[${index}] is not an X.509 certificate (give it as PEM)`);
    if (!seen.has(certificate.fingerprint256)) seen.set(certificate.fingerprint256, pem);
  }
  return success([...seen.values()]);
}

/** Whether the metadata URL may be fetched: the rules of OAuth providers' URLs; undefined when it may. */
export function checkIdpMetadataUrl(
  url: string,
  options: { allowInsecureLoopback: boolean; networkAllow?: ProviderNetworkAllowList },
): Failure | undefined {
  const network = providerNetworkPolicy({
    allowInsecureLoopback: options.allowInsecureLoopback,
    ...(options.networkAllow && { allow: options.networkAllow }),
  });
  return checkProviderUrl("idpMetadataUrl", url, options.allowInsecureLoopback, network);
}

function checkAttribute(field: string, value: string | undefined): Failure | undefined {
  if (value === undefined) return undefined;
  if (!new RegExp(SAML_ATTRIBUTE_PATTERN).test(value) || ["__proto__", "constructor", "prototype"].includes(value))
    return invalid(`${field} must be an attribute name (letters, digits, '_', '.', ':', '/', '#', '-'; at most 256)`);
  return undefined;
}

/**
 * Validates a SAML provider's settings on write, with the IdP's values already resolved (from the
 * metadata or as given): the SSO URL under the same rules as an OAuth provider's URLs (https, no
 * private address unless PROVIDER_NETWORK_ALLOW says), readable certificates, redirect URIs as for
 * OAuth providers, and the defaults (clock skew 60 s, no IdP-initiated sign-in, no SHA-1, unsigned requests).
 */
export function validateSamlProviderSettings(
  name: string,
  input: SamlProviderInput,
  idp: IdpValues,
  options: { allowInsecureLoopback: boolean; networkAllow?: ProviderNetworkAllowList },
): Result<SamlProviderSettings> {
  const network = providerNetworkPolicy({
    allowInsecureLoopback: options.allowInsecureLoopback,
    ...(options.networkAllow && { allow: options.networkAllow }),
  });
  if (!new RegExp(PROVIDER_NAME_PATTERN).test(name)) return invalid("provider name must be 1-64 letters, digits, '.', '_' or '-'");
  if (input.providerName !== undefined && input.providerName !== name)
    return invalid(`providerName "${input.providerName}" does not match the provider's name "${name}"`);
  const urlProblem =
    checkProviderUrl("idpMetadataUrl", input.idpMetadataUrl, options.allowInsecureLoopback, network) ??
    checkProviderUrl("idpSsoUrl", idp.ssoUrl, options.allowInsecureLoopback, network);
  if (urlProblem) return urlProblem;
  const entityId = idp.entityId.trim();
  if (entityId === "" || entityId.length > 1024) return invalid("idpEntityId must be 1-1024 characters (the IdP's entityID)");
  const certificates = normaliseCertificates(idp.certificates);
  if (!certificates.ok) return certificates;
  const redirectUris = [...new Set([...(input.redirectUris ?? []), ...(input.redirectUri ? [input.redirectUri] : [])])];
  if (redirectUris.length === 0) return invalid("at least one redirect URI is required (redirectUris)");
  for (const uri of redirectUris) {
    const problem = checkRedirectUri(uri);
    if (problem) return problem;
  }
  const attributeProblem =
    checkAttribute("emailAttribute", input.emailAttribute) ?? checkAttribute("subjectAttribute", input.subjectAttribute);
  if (attributeProblem) return attributeProblem;
  const skew = input.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  if (!Number.isInteger(skew) || skew < 0 || skew > MAX_CLOCK_SKEW_SECONDS)
    return invalid(`clockSkewSeconds must be a whole number of seconds from 0 to ${MAX_CLOCK_SKEW_SECONDS}`);
  return success({
    providerName: name,
    ...(input.idpMetadataUrl !== undefined && { idpMetadataUrl: input.idpMetadataUrl }),
    idpEntityId: entityId,
    idpSsoUrl: idp.ssoUrl,
    idpCertificates: certificates.value,
    redirectUris,
    enableJit: input.enableJit ?? false,
    ...(input.emailAttribute !== undefined && { emailAttribute: input.emailAttribute }),
    ...(input.subjectAttribute !== undefined && { subjectAttribute: input.subjectAttribute }),
    clockSkewSeconds: skew,
    allowIdpInitiated: input.allowIdpInitiated ?? false,
    allowSha1: input.allowSha1 ?? false,
    signAuthnRequests: input.signAuthnRequests ?? false,
  });
}

/** The settings whose change means the provider's subjects may name other accounts: another IdP. */
export function samlSubjectNamespace(settings: Pick<SamlProviderSettings, "idpEntityId" | "subjectAttribute">): string {
  return settings.subjectAttribute === undefined ? settings.idpEntityId : `${settings.idpEntityId}#${settings.subjectAttribute}`;
}
