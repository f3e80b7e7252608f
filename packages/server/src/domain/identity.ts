/**
 * Who the provider says signed in, established from a verified ID token or from userinfo. The
 * account is bound to `subject` (per provider), never to the email, which can change.
 */
export interface ProviderIdentity {
  readonly subject: string;
  readonly email: string | undefined;
  readonly emailVerified: boolean;
  readonly name: string | undefined;
  /**
   * Where the identity came from: userinfo alone proves less (an access token names no client);
   * `saml`: a SAML assertion this service validated (its id_token carries it to authenticate).
   */
  readonly source: "id_token" | "userinfo" | "saml";
}

/** A user's link to an identity at one of the organisation's providers, as the operator sees it. */
export interface LinkedIdentity {
  /** The provider's name. */
  readonly provider: string;
  readonly subject: string;
  /** When the link was made (ISO time). */
  readonly linkedAt: string;
}
