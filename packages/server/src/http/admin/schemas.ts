import { Type } from "typebox";
import { CLAIM_NAME_PATTERN, PROVIDER_NAME_PATTERN } from "../../domain/provider-settings.ts";
import { AuthMethodSchema } from "../auth-method-schema.ts";

/** Every admin route is called with the admin token (OpenAPI security requirement). */
export const ADMIN_SECURITY = [{ bearerAuth: [] }];

/** An organisation as the admin API answers it. */
export const OrgSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  domains: Type.Array(Type.String()),
  createdAt: Type.String(),
});
/** A user's role in their organisation (the contract's `role` of a user: `admin` or `member`). */
export const UserRoleSchema = Type.Union([Type.Literal("member"), Type.Literal("admin")], {
  description: "member, or admin: administers the organisation (its providers and audit trail) with their own sign-in",
});
/** Whether a user may sign in. */
export const UserStatusSchema = Type.Union([Type.Literal("active"), Type.Literal("disabled")], {
  description: "active, or disabled: cannot sign in, and has no sign-in session",
});
/** A user as the admin API answers it. */
export const UserSchema = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  email: Type.String(),
  fullName: Type.Union([Type.String(), Type.Null()]),
  status: UserStatusSchema,
  role: UserRoleSchema,
  createdAt: Type.String(),
  externalId: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: "The directory's id of a user SCIM provisioned" })),
  provisioned: Type.Optional(Type.Boolean({ description: "Whether the organisation's directory (SCIM) provisioned the user" })),
});
/** `:orgId` in a path. */
export const OrgParams = Type.Object({ orgId: Type.String({ maxLength: 64 }) });
/** `:orgId` and the provider's `:name` in a path. */
export const ProviderParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), name: Type.String({ maxLength: 64 }) });

/** One of an organisation's sign-in steps (PipesHub's orgAuthConfig). */
export const AuthStepSchema = Type.Object(
  {
    order: Type.Integer({ minimum: 1, maximum: 3 }),
    allowedMethods: Type.Array(Type.Object({ type: AuthMethodSchema }, { additionalProperties: false }), { minItems: 1 }),
  },
  { additionalProperties: false },
);

const url = (description: string) => Type.String({ format: "uri", maxLength: 2048, description });

/** PipesHub's GenericOAuthConfig plus this service's additions; all additions optional. */
export const ProviderSettingsInputSchema = Type.Object(
  {
    providerName: Type.Optional(
      Type.String({ pattern: PROVIDER_NAME_PATTERN, description: "The provider's name; must equal the name in the path" }),
    ),
    clientId: Type.String({ minLength: 1, maxLength: 512, description: "OAuth client ID" }),
    clientSecret: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description: "OAuth client secret (write-only; omitted on replace keeps the stored one)",
      }),
    ),
    nextClientSecret: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description:
          "The secret the provider will switch to (write-only; omitted keeps the stored one): redemption falls back to it when the provider refuses the current one as invalid_client; promote it with POST …/promote-secret",
      }),
    ),
    issuer: Type.Optional(url("OpenID Connect issuer; endpoints then come from discovery")),
    authorizationUrl: Type.Optional(url("Authorization endpoint URL")),
    tokenEndpoint: Type.Optional(url("Token endpoint URL")),
    userInfoEndpoint: Type.Optional(url("User info endpoint URL")),
    jwksUri: Type.Optional(url("JWKS URL (with issuer and explicit endpoints)")),
    scope: Type.Optional(Type.String({ maxLength: 1024, description: "OAuth scopes to request", examples: ["openid profile email"] })),
    redirectUri: Type.Optional(url("OAuth redirect URI (PipesHub's single-URI form)")),
    redirectUris: Type.Optional(Type.Array(url("Registered redirect URI"), { maxItems: 20 })),
    tokenEndpointAuthMethod: Type.Optional(Type.Union([Type.Literal("client_secret_basic"), Type.Literal("client_secret_post")])),
    enableJit: Type.Optional(Type.Boolean({ description: "Create unknown users on first sign-in" })),
    trustEmail: Type.Optional(Type.Boolean({ description: "Accept the provider's email without email_verified" })),
    requirePkce: Type.Optional(Type.Boolean({ description: "Require sign-in to start at /userAccount/oauth/authorize (state + PKCE)" })),
    subjectClaim: Type.Optional(
      Type.String({
        pattern: CLAIM_NAME_PATTERN,
        description: "Claim identifying the user, stable per issuer (default sub; Entra ID: oid; GitHub: id)",
      }),
    ),
    emailVerifiedClaim: Type.Optional(
      Type.String({
        pattern: CLAIM_NAME_PATTERN,
        description: "Claim whose true means the email is verified (default email_verified; Entra ID: xms_edov)",
      }),
    ),
    emailsEndpoint: Type.Optional(url("GitHub-shaped email list (GET /user/emails): the verified primary address becomes the email")),
    linkExistingUsers: Type.Optional(
      Type.Boolean({
        description:
          "The operator's alone (an organisation admin or a setup session sending it is 403): let this provider link existing users who already have an identity elsewhere, e.g. to move an organisation to it; never an admin who has one. Omitted keeps the stored value; a delegated admin's change of the identity settings turns it off.",
      }),
    ),
    preset: Type.Optional(
      Type.String({
        maxLength: 64,
        description: "A provider preset (GET /api/v1/provider-presets) whose settings the other fields override",
        examples: ["okta"],
      }),
    ),
    presetOptions: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 2048 }), {
        maxProperties: 16,
        description: 'The preset\'s options, e.g. {"domain": "acme.okta.com"}',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A provider preset and the options it needs (GET /api/v1/provider-presets). */
export const ProviderPresetSchema = Type.Object({
  name: Type.String(),
  title: Type.String(),
  description: Type.String(),
  options: Type.Array(Type.Object({ name: Type.String(), required: Type.Boolean(), description: Type.String(), example: Type.String() })),
});

/** A provider as admins see it: its settings and whether a secret is set, never the secret. */
export const ProviderViewSchema = Type.Object({
  providerName: Type.String(),
  clientId: Type.String(),
  clientSecretSet: Type.Boolean(),
  nextClientSecretSet: Type.Boolean({ description: "Whether a next client secret is stored for a rotation" }),
  issuer: Type.Optional(Type.String()),
  authorizationUrl: Type.Optional(Type.String()),
  tokenEndpoint: Type.Optional(Type.String()),
  userInfoEndpoint: Type.Optional(Type.String()),
  jwksUri: Type.Optional(Type.String()),
  scope: Type.String(),
  tokenEndpointAuthMethod: Type.String(),
  redirectUris: Type.Array(Type.String()),
  enableJit: Type.Boolean(),
  trustEmail: Type.Boolean(),
  requirePkce: Type.Boolean(),
  subjectClaim: Type.Optional(Type.String()),
  emailVerifiedClaim: Type.Optional(Type.String()),
  emailsEndpoint: Type.Optional(Type.String()),
  identitySettingsSavedBy: Type.Union([Type.Literal("operator"), Type.Literal("delegated")], {
    description:
      "Who last saved the identity settings (issuer, endpoints, clientId, subjectClaim, emailVerifiedClaim, trustEmail): delegated (an organisation admin or a setup link; also every provider saved before this was recorded) links only existing users with no identity who are not admins, unless linkExistingUsers",
  }),
  linkExistingUsers: Type.Boolean({
    description: "Set by the operator: the provider may link existing users who have an identity elsewhere (never an admin who has one)",
  }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

/** What a provider write answers: the provider, and how many identity links the write dropped. */
export const SavedProviderSchema = Type.Object({
  ...ProviderViewSchema.properties,
  identityLinksDropped: Type.Integer({
    minimum: 0,
    description:
      "Identity links this save dropped (a changed issuer, token endpoint or subject claim): those users link again at their next sign-in",
  }),
});

/** The provider doctor's answer: one finding per check that applies. */
export const DoctorReportSchema = Type.Object({
  findings: Type.Array(
    Type.Object({
      check: Type.String({
        description: "The check: discovery, issuer, jwks, signing-algorithms, pkce, client-credentials, email-scope, userinfo, clock",
      }),
      status: Type.Union([Type.Literal("pass"), Type.Literal("warn"), Type.Literal("fail")]),
      message: Type.String({ description: "What was found" }),
      fix: Type.Optional(Type.String({ description: "On warn and fail: what to change, and where (at the provider or here)" })),
    }),
  ),
});
