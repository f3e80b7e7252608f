import { failure, type Result, success } from "../domain/failures.ts";
import type { ProviderIdentity } from "../domain/identity.ts";
import { emailDomain, type Organisation } from "../domain/organisation.ts";
import type { SamlAssertion } from "../domain/ports/saml-sign-in.ts";
import type { ConfiguredSamlProvider } from "../domain/saml-provider.ts";

export const NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
export const NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

/** Attributes an IdP commonly sends the display name in; only for a provisioned user's name. */
const NAME_ATTRIBUTES = ["displayName", "name", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "cn"];

/** An identity a SAML assertion proves: always with an email, which counts as verified. */
export interface SamlIdentity extends ProviderIdentity {
  readonly email: string;
}

/** The attribute's first value, never from the object's prototype. */
function firstValue(attributes: Record<string, string[]>, name: string): string | undefined {
  const values = Object.hasOwn(attributes, name) ? attributes[name] : undefined;
  const value = Array.isArray(values) ? values[0] : undefined;
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

const received = (attributes: Record<string, string[]>) => {
  const names = Object.keys(attributes);
  return names.length === 0 ? "none" : names.map((n) => `"${n}"`).join(", ");
};

/** A subject that can name an account: not empty, not absurdly long. */
const usableSubject = (value: string | undefined): value is string => value !== undefined && value.length <= 255;

/** A plausible address: one @, something either side, nothing that is not printable ASCII. */
const plausibleEmail = (value: string | undefined): value is string =>
  value !== undefined && value.length <= 320 && /^[\x21-\x7e]+@[\x21-\x3f\x41-\x7e]+$/.test(value);

/**
 * Who a validated assertion says signed in. The subject is `subjectAttribute`'s value, or the
 * NameID when its format is persistent: a transient or unspecified NameID changes between
 * sign-ins (or may be reassigned), so binding an account to it would lose or hand over the
 * account. The email is `emailAttribute`'s value, or an emailAddress NameID. SAML asserts no
 * `email_verified`, so the email counts as verified only inside the organisation's own domains
 * (which the IdP is trusted for by being the organisation's); `trustEmail` does not apply.
 */
export function samlIdentity(provider: ConfiguredSamlProvider, org: Organisation, assertion: SamlAssertion): Result<SamlIdentity> {
  const { subjectAttribute, emailAttribute } = provider.settings;
  const attributes = assertion.attributes;
  let subject: string | undefined;
  if (subjectAttribute !== undefined) {
    subject = firstValue(attributes, subjectAttribute);
    if (!usableSubject(subject)) {
      return failure(
        "SAML_SUBJECT_UNUSABLE",
        `The IdP did not send the subject attribute "${subjectAttribute}" (attributes received: ${received(attributes)}).`,
      );
    }
  } else {
    if (assertion.nameIdFormat !== NAMEID_PERSISTENT) {
      return failure(
        "SAML_SUBJECT_UNUSABLE",
        `The IdP sent a NameID of format "${assertion.nameIdFormat ?? "unspecified"}", which is not stable; it must be persistent, or the provider must name a subjectAttribute.`,
      );
    }
    subject = assertion.nameId.trim();
    if (subject === "" || !usableSubject(subject)) return failure("SAML_SUBJECT_UNUSABLE", "The IdP sent an empty or overlong NameID.");
  }

  const email = emailAttribute !== undefined ? firstValue(attributes, emailAttribute) : emailNameId(assertion);
  if (!plausibleEmail(email)) {
    return failure(
      "SAML_EMAIL_MISSING",
      emailAttribute !== undefined
        ? `The IdP did not send an email in the attribute "${emailAttribute}" (attributes received: ${received(attributes)}).`
        : `The IdP sent no emailAddress NameID and the provider names no emailAttribute (attributes received: ${received(attributes)}).`,
    );
  }
  if (!org.domains.includes(emailDomain(email))) {
    return failure(
      "SAML_EMAIL_NOT_IN_DOMAINS",
      org.domains.length === 0
        ? "Your organisation claims no email domains, so an email from a SAML provider cannot be trusted. Contact your administrator."
        : `The email's domain "${emailDomain(email)}" is not one of your organisation's domains. Contact your administrator.`,
    );
  }
  const name = NAME_ATTRIBUTES.map((n) => firstValue(attributes, n)).find((v) => v !== undefined);
  return success({ subject, email, emailVerified: true, name, source: "saml" });
}

function emailNameId(assertion: SamlAssertion): string | undefined {
  return assertion.nameIdFormat === NAMEID_EMAIL ? assertion.nameId.trim() : undefined;
}
