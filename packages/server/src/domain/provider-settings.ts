import { failure, type Failure, type Result, success } from "./failures.ts";
import { type ProviderNetworkAllowList, type ProviderNetworkPolicy, providerNetworkPolicy } from "./provider-network.ts";
import type { ProviderLinking } from "./provider-linking.ts";
import { isPermittedProviderUrl } from "./provider-urls.ts";
import type { SecretBinding } from "./secret-binding.ts";

/** How the service authenticates to the token endpoint (RFC 6749 §2.3.1). */
export type TokenEndpointAuthMethod = "client_secret_basic" | "client_secret_post";

/**
 * An organisation's OAuth 2.0 / OpenID Connect provider, as stored (without the secret).
 * With `issuer`, endpoints come from OpenID Connect discovery unless given explicitly and the
 * identity comes from the validated ID token; without it the provider is plain OAuth 2.0 and
 * the identity comes from `userInfoEndpoint`.
 */
export interface ProviderSettings {
  readonly providerName: string;
  readonly clientId: string;
  readonly issuer?: string;
  readonly authorizationUrl?: string;
  readonly tokenEndpoint?: string;
  readonly userInfoEndpoint?: string;
  readonly jwksUri?: string;
  readonly scope: string;
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  readonly redirectUris: readonly string[];
  readonly enableJit: boolean;
  /** Accept the provider's email claim without `email_verified: true`. */
  readonly trustEmail: boolean;
  /** Refuse exchanges that did not start at our authorization endpoint (state + PKCE). */
  readonly requirePkce: boolean;
  /**
   * The claim that identifies the user at this provider (default `sub`). It must be stable and
   * unique per issuer, never a mutable one such as an email: Entra ID's `oid`, GitHub's `id`.
   * Absent in settings stored before it existed, which means `sub`.
   */
  readonly subjectClaim?: string;
  /**
   * The claim whose `true` means the email is verified (default `email_verified`), e.g. Entra
   * ID's `xms_edov` (email domain owner verified). Absent in older settings: `email_verified`.
   */
  readonly emailVerifiedClaim?: string;
  /**
   * A GitHub-shaped list of the user's email addresses (`[{email, primary, verified}]`, GitHub's
   * `GET /user/emails`): when set, the identity's email is the verified primary address from it,
   * never the user API's (user-chosen, unverified) public `email`.
   */
  readonly emailsEndpoint?: string;
}

/** A provider as the sign-in logic needs it: settings plus the opened client secret. */
export interface ConfiguredProvider {
  readonly id: string;
  readonly orgId: string;
  readonly settings: ProviderSettings;
  readonly clientSecret: string | undefined;
  /**
   * The secret the provider will switch to (client-secret rotation): redemption falls back to it
   * when the provider refuses the current one as `invalid_client`.
   */
  readonly nextClientSecret?: string;
  /** Where the secrets may be sent (domain/secret-binding.ts); absent: where these settings say. */
  readonly secretBinding?: SecretBinding;
  /** Which existing users the provider may link (who saved its identity settings; linkExistingUsers). */
  readonly linking: ProviderLinking;
}

/** A provider as admins see it: never the secret, only whether one is set. */
export interface ProviderView extends ProviderSettings, ProviderLinking {
  readonly clientSecretSet: boolean;
  /** Whether a next secret is stored for a rotation (never the secret itself). */
  readonly nextClientSecretSet: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What an admin may write: the contract's GenericOAuthConfig plus our additions. */
export interface ProviderSettingsInput {
  providerName?: string;
  clientId: string;
  clientSecret?: string;
  nextClientSecret?: string;
  issuer?: string;
  authorizationUrl?: string;
  tokenEndpoint?: string;
  userInfoEndpoint?: string;
  jwksUri?: string;
  scope?: string;
  redirectUri?: string;
  redirectUris?: string[];
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  enableJit?: boolean;
  trustEmail?: boolean;
  requirePkce?: boolean;
  subjectClaim?: string;
  emailVerifiedClaim?: string;
  emailsEndpoint?: string;
  /** The operator's alone (see ProviderLinking); not a setting: stored beside them. */
  linkExistingUsers?: boolean;
}

/** A provider's name: it appears in URLs and in the API, so a short, plain identifier. */
export const PROVIDER_NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";

/** A claim name: a short name or a collision-resistant URI (OIDC Core §5.1.2). */
export const CLAIM_NAME_PATTERN = "^[A-Za-z0-9_][A-Za-z0-9_.:/#-]{0,127}$";

/**
 * Claims that name a user but can change or be chosen by the user: binding accounts to them
 * would let a renamed or re-addressed account take over another's (the reason for `subjectClaim`).
 */
const MUTABLE_IDENTIFIER_CLAIMS = new Set([
  "email",
  "preferred_username",
  "upn",
  "unique_name",
  "name",
  "nickname",
  "login",
  "username",
  "given_name",
  "family_name",
]);

/** Names that would read an object's prototype instead of a claim. */
const RESERVED_PROPERTY_NAMES = new Set(["__proto__", "constructor", "prototype"]);

function checkClaimName(field: string, value: string | undefined): Failure | undefined {
  if (value === undefined) return undefined;
  if (!new RegExp(CLAIM_NAME_PATTERN).test(value) || RESERVED_PROPERTY_NAMES.has(value)) {
    return invalid(`${field} must be a claim name (letters, digits, '_', '.', ':', '/', '#', '-'; at most 128)`);
  }
  return undefined;
}

function invalid(message: string): Failure {
  return failure("INVALID_PROVIDER_SETTINGS", message);
}

export function checkProviderUrl(
  field: string,
  value: string | undefined,
  allowInsecureLoopback: boolean,
  network: ProviderNetworkPolicy,
): Failure | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return invalid(`${field} must be an absolute URL`);
  }
  if (!isPermittedProviderUrl(url, allowInsecureLoopback)) return invalid(`${field} must use https`);
  // Literal addresses are judged now; host names again at every connection (oauth/outbound.ts).
  if (network.refusedHost(url.hostname))
    return invalid(
      `${field} must not point at a private, loopback or other special-purpose address (PROVIDER_NETWORK_ALLOW can allow one)`,
    );
  if (url.username || url.password) return invalid(`${field} must not contain credentials`);
  if (url.hash) return invalid(`${field} must not contain a fragment`);
  return undefined;
}

export function checkRedirectUri(value: string): Failure | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return invalid(`redirect URI "${value}" must be an absolute URL`);
  }
  const loopback = url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    return invalid(`redirect URI "${value}" must use https (http only for localhost)`);
  }
  // RFC 6749 §3.1.2 forbids fragments; a query string would be dropped by the token request.
  if (url.hash || url.search) return invalid(`redirect URI "${value}" must not contain a query or fragment`);
  return undefined;
}

/**
 * Validates and normalises provider settings on write (DESIGN: validate when saved, not at
 * sign-in). `existingSecret` tells whether a replaced provider already has a secret.
 */
export function validateProviderSettings(
  name: string,
  input: ProviderSettingsInput,
  options: { allowInsecureLoopback: boolean; existingSecret: boolean; networkAllow?: ProviderNetworkAllowList },
): Result<ProviderSettings> {
  const network = providerNetworkPolicy({
    allowInsecureLoopback: options.allowInsecureLoopback,
    ...(options.networkAllow && { allow: options.networkAllow }),
  });
  if (!new RegExp(PROVIDER_NAME_PATTERN).test(name)) return invalid("provider name must be 1-64 letters, digits, '.', '_' or '-'");
  if (input.providerName !== undefined && input.providerName !== name) {
    return invalid(`providerName "${input.providerName}" does not match the provider's name "${name}"`);
  }
  if (input.clientId.trim() === "") return invalid("clientId must not be empty");
  const urlFields = ["issuer", "authorizationUrl", "tokenEndpoint", "userInfoEndpoint", "jwksUri", "emailsEndpoint"] as const;
  for (const field of urlFields) {
    const problem = checkProviderUrl(field, input[field], options.allowInsecureLoopback, network);
    if (problem) return problem;
  }
  if (input.issuer === undefined) {
    if (!input.authorizationUrl || !input.tokenEndpoint) {
      return invalid("give either issuer (OpenID Connect discovery) or authorizationUrl and tokenEndpoint");
    }
    if (!input.userInfoEndpoint) return invalid("a provider without issuer needs userInfoEndpoint to learn who signed in");
  } else if (input.authorizationUrl !== undefined || input.tokenEndpoint !== undefined) {
    if (!input.authorizationUrl || !input.tokenEndpoint || !input.jwksUri) {
      return invalid("with issuer, give authorizationUrl, tokenEndpoint and jwksUri together, or none of them to use discovery");
    }
  }
  const redirectUris = [...new Set([...(input.redirectUris ?? []), ...(input.redirectUri ? [input.redirectUri] : [])])];
  if (redirectUris.length === 0) return invalid("at least one redirect URI is required (redirectUris)");
  for (const uri of redirectUris) {
    const problem = checkRedirectUri(uri);
    if (problem) return problem;
  }
  if (input.clientSecret === undefined && !options.existingSecret) {
    return invalid("clientSecret is required for client_secret_basic and client_secret_post");
  }
  if (input.clientSecret !== undefined && input.clientSecret === "") return invalid("clientSecret must not be empty");
  if (input.nextClientSecret === "") return invalid("nextClientSecret must not be empty");
  const claimProblem = checkClaimName("subjectClaim", input.subjectClaim) ?? checkClaimName("emailVerifiedClaim", input.emailVerifiedClaim);
  if (claimProblem) return claimProblem;
  if (input.subjectClaim !== undefined && MUTABLE_IDENTIFIER_CLAIMS.has(input.subjectClaim.toLowerCase())) {
    return invalid(
      `subjectClaim "${input.subjectClaim}" can change or be chosen by the user; name a stable identifier such as sub, oid or id`,
    );
  }
  const scope = (input.scope ?? (input.issuer ? "openid email profile" : "email")).trim();
  return success({
    providerName: name,
    clientId: input.clientId,
    ...(input.issuer !== undefined && { issuer: input.issuer }),
    ...(input.authorizationUrl !== undefined && { authorizationUrl: input.authorizationUrl }),
    ...(input.tokenEndpoint !== undefined && { tokenEndpoint: input.tokenEndpoint }),
    ...(input.userInfoEndpoint !== undefined && { userInfoEndpoint: input.userInfoEndpoint }),
    ...(input.jwksUri !== undefined && { jwksUri: input.jwksUri }),
    scope,
    tokenEndpointAuthMethod: input.tokenEndpointAuthMethod ?? "client_secret_basic",
    redirectUris,
    enableJit: input.enableJit ?? false,
    trustEmail: input.trustEmail ?? false,
    requirePkce: input.requirePkce ?? false,
    subjectClaim: input.subjectClaim ?? "sub",
    emailVerifiedClaim: input.emailVerifiedClaim ?? "email_verified",
    ...(input.emailsEndpoint !== undefined && { emailsEndpoint: input.emailsEndpoint }),
  });
}

/**
 * The namespace a provider's subjects live in (its issuer, or token endpoint, and subject claim):
 * a subject means the same account only within one namespace, so changing it invalidates links.
 */
export function subjectNamespace(settings: ProviderSettings): string {
  const base = settings.issuer ?? settings.tokenEndpoint ?? "";
  // Another subject claim means other identifiers: `oid` values never match old `sub` links.
  const claim = subjectClaimOf(settings);
  return claim === "sub" ? base : `${base}#${claim}`;
}

/** The claim identifying users at this provider (settings stored before it existed: `sub`). */
export function subjectClaimOf(settings: Pick<ProviderSettings, "subjectClaim">): string {
  return settings.subjectClaim ?? "sub";
}

/** The claim saying the email is verified (settings stored before it existed: `email_verified`). */
export function emailVerifiedClaimOf(settings: Pick<ProviderSettings, "emailVerifiedClaim">): string {
  return settings.emailVerifiedClaim ?? "email_verified";
}
