import { failure, type Result, success } from "../domain/failures.ts";
import { CANNOT_CONNECT, isConnectionFailure } from "../domain/provider-connection.ts";
import type { SamlProviderRepository } from "../domain/ports/saml-providers.ts";
import { isPermittedProviderUrl } from "../domain/provider-urls.ts";
import { daysToExpiry, fingerprintOf } from "../domain/saml-certificates.ts";
import type { ConfiguredSamlProvider } from "../domain/saml-provider.ts";
import { fetchIdpMetadata } from "../oauth/idp-metadata.ts";
import type { OutboundFetch } from "../oauth/outbound.ts";
import { type IdpMetadata, NAMEID_PERSISTENT, readIdpMetadata } from "../saml/metadata.ts";
import { inConsole, type ProviderField, type WordedFix, worded } from "../domain/fix-wording.ts";
import { type DoctorFinding, fail, pass, warn } from "./doctor-types.ts";
import { X509Certificate } from "node:crypto";

/** Days before expiry from which a certificate is a warning (and the watch starts recording). */
export const CERTIFICATE_WARNING_DAYS = 30;

/** What the SAML doctor needs: the stored provider, the outbound guard for the metadata, and the time. */
export interface SamlDoctorDeps {
  readonly samlProviders: Pick<SamlProviderRepository, "configured">;
  readonly outbound: OutboundFetch;
  readonly now?: () => Date;
}

/** Where an admin changes the provider's setting: its API path for the API's callers, the console's field for the console. */
const here = (provider: ConfiguredSamlProvider, field: ProviderField): WordedFix => ({
  api: `here: set \`${field}\` (PUT /api/v1/orgs/${provider.orgId}/saml-providers/${provider.settings.providerName})`,
  console: `here: set ${inConsole(provider.settings.providerName, field)}`,
});

/** The metadata as the IdP publishes it now, against what is stored. */
async function checkMetadata(
  deps: SamlDoctorDeps,
  provider: ConfiguredSamlProvider,
): Promise<{ findings: DoctorFinding[]; metadata?: IdpMetadata }> {
  const url = provider.settings.idpMetadataUrl;
  if (url === undefined) return { findings: [] };
  const fetched = await fetchIdpMetadata(deps.outbound, provider.settings.providerName, url);
  if (!fetched.ok) {
    const finding = fail("metadata", fetched.message, {
      api: "check idpMetadataUrl here and that the IdP publishes its metadata there, reachable from this service",
      console: `check ${inConsole(provider.settings.providerName, "idpMetadataUrl")} and that the IdP publishes its metadata there, reachable from this service`,
    });
    // A delegated admin reads a failure to connect without its cause (domain/provider-connection.ts).
    return {
      findings: [isConnectionFailure(fetched.error) ? { ...finding, withoutCause: `Reading the metadata: ${CANNOT_CONNECT}` } : finding],
    };
  }
  const read = readIdpMetadata(fetched.value);
  if (!read.ok)
    return {
      findings: [
        fail("metadata", read.message, {
          api: "give the URL of the IdP's SAML 2.0 metadata (idpMetadataUrl), or paste it as idpMetadataXml",
          console: `give the URL of the IdP's SAML 2.0 metadata (${inConsole(provider.settings.providerName, "idpMetadataUrl")}), or paste it into ${inConsole(provider.settings.providerName, "idpMetadataXml")}`,
        }),
      ],
    };
  const metadata = read.value;
  const stored = provider.settings;
  const published = new Set(metadata.certificates.map(fingerprintOf));
  const differences = [
    ...(metadata.entityId !== stored.idpEntityId ? [`entity ID ${metadata.entityId} (stored: ${stored.idpEntityId})`] : []),
    ...(metadata.ssoUrl !== stored.idpSsoUrl ? [`SSO URL ${metadata.ssoUrl} (stored: ${stored.idpSsoUrl})`] : []),
    ...(stored.idpCertificates.some((pem) => !published.has(fingerprintOf(pem))) || published.size !== stored.idpCertificates.length
      ? ["other certificates"]
      : []),
  ];
  if (differences.length > 0)
    return {
      metadata,
      findings: [
        warn(
          "metadata",
          `The metadata at idpMetadataUrl now says: ${differences.join("; ")}.`,
          "the watch takes a new certificate beside the stored ones; save the provider again to take everything the metadata says now",
        ),
      ],
    };
  return { metadata, findings: [pass("metadata", `The metadata at idpMetadataUrl is readable and matches the stored values.`)] };
}

function checkCertificates(provider: ConfiguredSamlProvider, now: Date): DoctorFinding[] {
  return provider.settings.idpCertificates.map((pem) => {
    const certificate = new X509Certificate(pem);
    const named = `The certificate ${certificate.fingerprint256}`;
    const days = daysToExpiry(pem, now);
    const until = new Date(certificate.validTo).toISOString();
    const replace = "get the IdP's current signing certificate (or its metadata) and save it here beside the old one, then remove the old";
    if (new Date(certificate.validFrom) > now)
      return warn(
        "certificate",
        `${named} is valid only from ${new Date(certificate.validFrom).toISOString()}.`,
        "check the clocks of the IdP and this service",
      );
    if (days < 0) return fail("certificate", `${named} expired ${until} (${-days} days ago).`, replace);
    if (days < CERTIFICATE_WARNING_DAYS) return warn("certificate", `${named} expires ${until}, in ${days} days.`, replace);
    return pass("certificate", `${named} is valid until ${until} (${days} days).`);
  });
}

const SHA1 = /sha1$/i;

function checkAlgorithms(provider: ConfiguredSamlProvider, metadata: IdpMetadata | undefined): DoctorFinding[] {
  const advertised = metadata?.signingAlgorithms ?? [];
  if (advertised.length === 0) return [];
  if (advertised.every((a) => SHA1.test(a)) && !provider.settings.allowSha1)
    return [
      fail("signature-algorithm", `The IdP advertises only SHA-1 signatures (${advertised.join(", ")}), which are refused.`, {
        api: "switch the IdP to RSA-SHA256; or, knowingly, set `allowSha1` here",
        console: `switch the IdP to RSA-SHA256; or, knowingly, turn on ${inConsole(provider.settings.providerName, "allowSha1")}`,
      }),
    ];
  return [pass("signature-algorithm", `The IdP advertises ${advertised.join(", ")}.`)];
}

function checkSsoUrl(provider: ConfiguredSamlProvider): DoctorFinding {
  const url = new URL(provider.settings.idpSsoUrl);
  if (url.protocol === "https:") return pass("sso-url", `Sign-in goes to ${provider.settings.idpSsoUrl} (HTTP-Redirect binding).`);
  return isPermittedProviderUrl(url, true)
    ? warn(
        "sso-url",
        `The SSO URL ${provider.settings.idpSsoUrl} is plain http on loopback (allowed for tests and the demo only).`,
        here(provider, "idpSsoUrl"),
      )
    : fail("sso-url", `The SSO URL ${provider.settings.idpSsoUrl} is not https.`, here(provider, "idpSsoUrl"));
}

/** What the IdP must be told: the SP values, the NameID format, the attributes read. */
function serviceProviderValues(provider: ConfiguredSamlProvider, metadata: IdpMetadata | undefined): DoctorFinding[] {
  const { settings, sp } = provider;
  const email = settings.emailAttribute
    ? `an attribute named ${settings.emailAttribute} holding the email`
    : "the email as an emailAddress NameID";
  const subject = settings.subjectAttribute ? `the subject in ${settings.subjectAttribute}` : `a persistent NameID (${NAMEID_PERSISTENT})`;
  const findings = [
    pass(
      "service-provider",
      `Register at the IdP: entity ID (audience) ${sp.spEntityId}, ACS URL ${sp.acsUrl} (HTTP-POST), ${subject}, ${email}; or import ${sp.spMetadataUrl}.`,
    ),
  ];
  if (metadata?.wantAuthnRequestsSigned && !settings.signAuthnRequests)
    findings.push(
      fail(
        "request-signing",
        "The IdP wants signed AuthnRequests (WantAuthnRequestsSigned) and this provider does not sign them.",
        worded`${here(provider, "signAuthnRequests")} to true and give the IdP the SP metadata's certificate`,
      ),
    );
  return findings;
}

/**
 * Examines a SAML provider as a sign-in would meet it: the metadata (reachable, valid, still what
 * is stored), the entity ID, the SSO URL over https, each certificate's validity and days to
 * expiry (warn under 30 days, fail once expired), the signature algorithms the IdP advertises,
 * and the SP values the IdP needs.
 */
export async function doctorSamlProvider(
  deps: SamlDoctorDeps,
  orgId: string,
  name: string,
): Promise<Result<{ findings: DoctorFinding[] }>> {
  const provider = await deps.samlProviders.configured(orgId, name);
  if (!provider) return failure("NOT_FOUND", `No SAML provider "${name}" in this organisation.`);
  const now = deps.now?.() ?? new Date();
  const read = await checkMetadata(deps, provider);
  return success({
    findings: [
      ...read.findings,
      pass("entity-id", `Responses must come from the entity ID ${provider.settings.idpEntityId}.`),
      checkSsoUrl(provider),
      ...checkCertificates(provider, now),
      ...checkAlgorithms(provider, read.metadata),
      ...serviceProviderValues(provider, read.metadata),
    ],
  });
}
