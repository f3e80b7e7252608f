/**
 * Token introspection (RFC 7662) for resource servers: whether one of the service's tokens is
 * live now, asked with a bearer token the operator made for that resource server.
 */

/** A resource server's introspection token as kept: never the token, only its hash (in storage). */
export interface IntrospectionToken {
  readonly id: string;
  /** What the operator called it (which resource server holds it). */
  readonly name: string | null;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface IntrospectionTokenRepository {
  create(name: string | null, tokenHash: string): Promise<IntrospectionToken>;
  /** Every token, newest first. */
  list(): Promise<IntrospectionToken[]>;
  /** False when there is no such token not revoked yet. */
  revoke(id: string): Promise<boolean>;
  /** The unrevoked token with this hash. */
  active(tokenHash: string): Promise<IntrospectionToken | undefined>;
}

/** RFC 7662's answer: `{active: false}` for anything not live now, else what the token says. */
export type Introspection =
  | { readonly active: false }
  | {
      readonly active: true;
      readonly sub: string;
      /** The user's organisation. */
      readonly org: string;
      readonly exp: number;
      readonly iat: number;
      readonly iss: string;
      readonly jti: string;
      readonly token_type: "access_token" | "refresh_token";
      readonly email?: string;
    };
