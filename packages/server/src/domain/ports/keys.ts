/**
 * The key ports: encryption of secrets at rest and the service's own token signing keys,
 * implemented in `keys/`.
 */

/**
 * Seals secrets at rest (AES-256-GCM in `keys/secret-box.ts`). `context` is bound as additional
 * authenticated data (e.g. the provider's id), so a sealed value copied onto another row does not open.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** Opens under the current key or any previous one; throws when none opens it. */
  open(sealed: string, context: string): string;
  /** True when `sealed` opens under the current (first) key: nothing to re-encrypt. */
  sealedWithCurrentKey(sealed: string, context: string): boolean;
}

/** Every value sealed at rest, as a whole (key rotation). */
export interface SealedSecrets {
  /** Re-seals under the current key every value sealed under a previous one; how many it re-sealed. */
  reencrypt(): Promise<{ reencrypted: number }>;
}

/** A published verification key (RFC 7517): public parts only. */
export interface PublicSigningJwk {
  readonly kty: "EC";
  readonly crv: "P-256";
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: "ES256";
  readonly use: "sig";
}

/** What the operator is shown of a signing key: never key material. */
export interface SigningKeyFacts {
  readonly kid: string;
  readonly alg: "ES256";
  readonly createdAt: string;
  /** When a rotation retired it; it stays published (and accepted) until its tokens have expired. */
  readonly retiredAt: string | null;
  /** The key new tokens are signed with. */
  readonly current: boolean;
}

/**
 * The service's own ES256 signing keys, shared by every instance. The active key is the newest
 * un-retired one; a retired key stays published (and accepted for verification) until every
 * token it can have signed has expired.
 */
export interface SigningKeys {
  /** The key new tokens are signed with; one is created when there is none. */
  signingKey(): Promise<{ kid: string; key: CryptoKey }>;
  /**
   * The public key for `kid` while it is published; undefined otherwise. An unknown kid re-reads
   * the stored keys once (another instance may have rotated), at most once a second.
   */
  verificationKey(kid: string): Promise<CryptoKey | undefined>;
  /** The published keys, newest first (the active one is created first when there is none). */
  jwks(): Promise<{ keys: PublicSigningJwk[] }>;
  /** The published keys as read now, newest first: public facts only (the active one is created first when there is none). */
  list(): Promise<SigningKeyFacts[]>;
  /** Creates a new key, makes it active and retires every other un-retired key. */
  rotate(): Promise<{ kid: string }>;
  /** Re-reads the stored keys now. */
  reload(): Promise<void>;
}
