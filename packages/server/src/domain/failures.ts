/**
 * The expected failures of the service, by stable identifier. Each maps to one HTTP
 * status; the identifier is what a program switches on (`AuthError.error`). The statuses
 * live here, beside the ids, so a new failure cannot be added without deciding its status.
 */
export const FAILURE_STATUS = {
  VALIDATION_ERROR: 400,
  INVALID_JSON: 400,
  /** The HTTP request itself could not be parsed (request line, headers, URL encoding). */
  MALFORMED_REQUEST: 400,
  PROVIDER_NOT_FOUND: 400,
  REDIRECT_URI_MISMATCH: 400,
  INVALID_GRANT: 400,
  INVALID_STATE: 400,
  STATE_REQUIRED: 400,
  INVALID_PROVIDER_SETTINGS: 400,
  METHOD_NOT_ALLOWED: 400,
  METHOD_NOT_SUPPORTED: 400,
  /** The contract answers a blocked account with 400. */
  ACCOUNT_BLOCKED: 400,
  INVALID_TOKEN: 401,
  UNAUTHORIZED: 401,
  EMAIL_MISMATCH: 401,
  EMAIL_NOT_VERIFIED: 401,
  IDENTITY_CONFLICT: 401,
  /** The provider may not link this existing user (see signin/account-linking.ts): who saved it is not trusted to. */
  LINK_NOT_ALLOWED: 401,
  INVALID_ID_TOKEN: 401,
  USERINFO_FAILED: 401,
  /** A SAMLResponse the service refused (saml/response.ts): one id per rule; 400 when it is not a SAML response at all. */
  SAML_MALFORMED: 400,
  SAML_TOO_LARGE: 400,
  SAML_DOCTYPE_NOT_ALLOWED: 400,
  SAML_SIGNATURE_INVALID: 401,
  SAML_WEAK_ALGORITHM: 401,
  SAML_ISSUER_MISMATCH: 401,
  SAML_AUDIENCE_MISMATCH: 401,
  SAML_DESTINATION_MISMATCH: 401,
  SAML_RECIPIENT_MISMATCH: 401,
  SAML_NOT_YET_VALID: 401,
  SAML_EXPIRED: 401,
  SAML_UNSOLICITED: 401,
  SAML_IN_RESPONSE_TO_MISMATCH: 401,
  SAML_STATUS_NOT_SUCCESS: 401,
  SAML_ENCRYPTED_NOT_SUPPORTED: 401,
  /** SAML sign-in (signin/saml-*.ts): the assertion was already used once, on any instance. */
  SAML_REPLAYED: 401,
  /** No stable subject: a transient or unspecified NameID without `subjectAttribute`, or that attribute missing. */
  SAML_SUBJECT_UNUSABLE: 401,
  /** No email in the assertion: no `emailAttribute` value and no emailAddress NameID. */
  SAML_EMAIL_MISSING: 401,
  /** The asserted email is not in the organisation's domains, so it cannot count as verified. */
  SAML_EMAIL_NOT_IN_DOMAINS: 401,
  USER_DISABLED: 403,
  /** The credential is valid but may not do this (a setup session or organisation admin outside its scope, a member's access token). */
  FORBIDDEN: 403,
  ORG_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  NOT_FOUND: 404,
  SESSION_EXPIRED: 404,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  /** A SCIM write's If-Match names a version the resource no longer has (RFC 7644 §3.14). */
  PRECONDITION_FAILED: 412,
  /** An OAuth provider saved over a SAML provider's name, or the reverse: names are unique across both kinds. */
  PROVIDER_NAME_TAKEN: 409,
  /** A domain claim's DNS TXT record is not there (yet): the answer says what the lookup found. */
  DOMAIN_NOT_VERIFIED: 409,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
  PROVIDER_ERROR: 502,
  PROVIDER_UNAVAILABLE: 502,
  /** The provider's key set (JWKS) could not be fetched or is not a usable key set. */
  JWKS_UNAVAILABLE: 502,
  SERVICE_UNAVAILABLE: 503,
  PROVIDER_TIMEOUT: 504,
} as const;

/** The stable identifier of an expected failure (`AuthError.error`). */
export type FailureId = keyof typeof FAILURE_STATUS;

/** An expected failure: a public message for the user, a private detail for the log. */
export interface Failure {
  readonly ok: false;
  readonly error: FailureId;
  readonly message: string;
  /** Logged, never sent: what went wrong in terms an operator needs. Never a secret or token. */
  readonly detail?: string;
  /** Extra public fields, e.g. the provider's OAuth error code. */
  readonly extra?: Readonly<Record<string, string>>;
}

/** Builds an expected failure; `detail` is for the log, `extra` adds public fields. */
export function failure(error: FailureId, message: string, options: { detail?: string; extra?: Record<string, string> } = {}): Failure {
  return { ok: false, error, message, ...options };
}

/** What a step that can fail answers: its value, or the failure. Thrown errors are for the unexpected. */
export type Result<T> = { readonly ok: true; readonly value: T } | Failure;

/** The successful `Result`. */
export function success<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** Thrown where a typed result cannot travel (e.g. deep in a plugin); mapped by the error handler. */
export class FailureError extends Error {
  readonly failure: Failure;
  constructor(f: Failure) {
    super(f.message);
    this.name = "FailureError";
    this.failure = f;
  }
}
