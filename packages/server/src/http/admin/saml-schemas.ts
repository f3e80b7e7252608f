import { Type } from "typebox";
import { PROVIDER_NAME_PATTERN } from "../../domain/provider-settings.ts";
import { MAX_CLOCK_SKEW_SECONDS, MAX_IDP_CERTIFICATES, SAML_ATTRIBUTE_PATTERN } from "../../domain/saml-provider-input.ts";

const url = (description: string) => Type.String({ format: "uri", maxLength: 2048, description });
const attribute = (description: string) => Type.String({ pattern: SAML_ATTRIBUTE_PATTERN, description });
const pem = Type.String({ minLength: 1, maxLength: 16384, description: "An X.509 certificate, PEM (or its base64 body)" });

/** A SAML provider as an admin writes it: the IdP's values one way (metadata URL, metadata XML, or the values), and ours. */
export const SamlProviderInputSchema = Type.Object(
  {
    providerName: Type.Optional(Type.String({ pattern: PROVIDER_NAME_PATTERN, description: "Must equal the name in the path" })),
    idpMetadataUrl: Type.Optional(url("Where the IdP publishes its metadata: read now through the outbound guard, re-read by the watch")),
    idpMetadataXml: Type.Optional(Type.String({ minLength: 1, maxLength: 524288, description: "The IdP's metadata XML, pasted" })),
    idpEntityId: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: "The IdP's entity ID (without metadata)" })),
    idpSsoUrl: Type.Optional(url("The IdP's SingleSignOnService URL, HTTP-Redirect binding (without metadata)")),
    idpCertificates: Type.Optional(
      Type.Array(pem, {
        minItems: 1,
        maxItems: MAX_IDP_CERTIFICATES,
        description: "The IdP's signing certificates; several during a rollover",
      }),
    ),
    redirectUri: Type.Optional(url("The application's redirect URI (single-URI form)")),
    redirectUris: Type.Optional(Type.Array(url("Registered redirect URI"), { maxItems: 20 })),
    enableJit: Type.Optional(Type.Boolean({ description: "Create unknown users on first sign-in" })),
    emailAttribute: Type.Optional(attribute("The attribute holding the email (default: an emailAddress-format NameID)")),
    subjectAttribute: Type.Optional(attribute("The attribute identifying the user, stable at the IdP (default: a persistent NameID)")),
    clockSkewSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_CLOCK_SKEW_SECONDS, description: "Allowed clock difference (default 60)" }),
    ),
    allowIdpInitiated: Type.Optional(Type.Boolean({ description: "Accept responses that answer no request of ours (default false)" })),
    allowSha1: Type.Optional(Type.Boolean({ description: "Accept SHA-1 signatures and digests (default false)" })),
    signAuthnRequests: Type.Optional(
      Type.Boolean({
        description: "Sign AuthnRequests with an SP key the service makes and keeps sealed; its certificate is in the SP metadata",
      }),
    ),
    linkExistingUsers: Type.Optional(
      Type.Boolean({
        description:
          "The operator's alone (403 for an organisation admin or a setup session): the provider may link existing users who already have an identity elsewhere; never an admin who has one",
      }),
    ),
  },
  { additionalProperties: false },
);

/** A SAML provider as admins see it. */
export const SamlProviderViewSchema = Type.Object({
  type: Type.Literal("saml"),
  providerName: Type.String(),
  idpMetadataUrl: Type.Optional(Type.String()),
  idpEntityId: Type.String(),
  idpSsoUrl: Type.String(),
  idpCertificates: Type.Array(
    Type.Object({
      fingerprintSha256: Type.String({ description: "SHA-256 fingerprint, colon-separated hex" }),
      notAfter: Type.String({ description: "When the certificate expires (ISO time)" }),
    }),
  ),
  redirectUris: Type.Array(Type.String()),
  enableJit: Type.Boolean(),
  emailAttribute: Type.Optional(Type.String()),
  subjectAttribute: Type.Optional(Type.String()),
  clockSkewSeconds: Type.Integer(),
  allowIdpInitiated: Type.Boolean(),
  allowSha1: Type.Boolean(),
  signAuthnRequests: Type.Boolean(),
  spEntityId: Type.String({ description: "Register at the IdP as the SP entity ID (audience)" }),
  acsUrl: Type.String({ description: "Register at the IdP as the Assertion Consumer Service URL (HTTP-POST)" }),
  spMetadataUrl: Type.String({ description: "The SP metadata, as XML, for IdPs that import it" }),
  identitySettingsSavedBy: Type.Union([Type.Literal("operator"), Type.Literal("delegated")], {
    description:
      "Who last saved the identity settings (IdP entity ID, SSO URL, metadata URL, certificates, subject and email attributes): delegated links only existing users with no identity who are not admins, unless linkExistingUsers",
  }),
  linkExistingUsers: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

/** What a SAML provider write answers. */
export const SavedSamlProviderSchema = Type.Object({
  ...SamlProviderViewSchema.properties,
  identityLinksDropped: Type.Integer({
    minimum: 0,
    description:
      "Identity links this save dropped (another IdP entity ID or subject attribute): those users link again at their next sign-in",
  }),
});

/** A SAML preset: where to find each value at that IdP. */
export const SamlPresetSchema = Type.Object({
  name: Type.String(),
  title: Type.String(),
  description: Type.String(),
  fieldsToCopy: Type.Array(Type.Object({ from: Type.String(), to: Type.String() })),
  defaults: Type.Object({ emailAttribute: Type.Optional(Type.String()), subjectAttribute: Type.Optional(Type.String()) }),
});
