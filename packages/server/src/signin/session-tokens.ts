import { randomUUID } from "node:crypto";
import type { AuditEvent } from "../domain/audit.ts";
import { failure, type Failure, type Result, success } from "../domain/failures.ts";
import { newId } from "../domain/ids.ts";
import type { PublicSigningJwk, SigningKeys } from "../domain/ports/keys.ts";
import type { RefreshTokenRecord, RefreshTokenRepository, RevocationReason } from "../domain/ports/repositories.ts";
import type { Introspection } from "../domain/introspection.ts";
import type { User } from "../domain/user.ts";
import { signServiceJwt, verifyServiceJwt } from "../keys/service-jwt.ts";

/**
 * The service's own tokens: ES256 JWTs verifiable through the published JWKS.
 *
 * - Access token: JWT header `typ: "at+jwt"` (RFC 9068), claim `token_use: "access"`.
 * - Refresh token: JWT header `typ: "rt+jwt"`, claim `token_use: "refresh"`. Single use: each
 *   refresh answers a new one in the same family (`sid`); presenting a used one again revokes
 *   the family (theft is assumed: both the thief's and the user's copies stop working).
 *
 * Each kind is checked by both markers, so one is never accepted as the other.
 */

/** What the tokens say and how long they last (from the service's Config). */
export interface SessionTokenSettings {
  /** `iss`: the service's public URL. */
  readonly publicUrl: string;
  /** `aud`. */
  readonly tokenAudience: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
}

export interface SessionTokensDeps {
  readonly keys: SigningKeys;
  /** Where refresh-token families live. */
  readonly sessions: RefreshTokenRepository;
  readonly users: { get(id: string): Promise<User | undefined> };
  /** Where logouts and refresh-token reuse are recorded; optional. */
  readonly audit?: { record(event: AuditEvent): Promise<void> };
  readonly config: SessionTokenSettings;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

/** The claims of a verified access token. */
export interface AccessTokenClaims {
  readonly iss: string;
  /** The user's id. */
  readonly sub: string;
  readonly aud: string | string[];
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  /** The refresh-token family (the sign-in session) the token belongs to. */
  readonly sid: string;
  readonly orgId: string;
  readonly email: string;
}

export interface SessionTokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
}

export interface RefreshedSession extends SessionTokenPair {
  /** The user as stored now. */
  readonly user: User;
}

/** Who asked, for the audit trail. */
export interface RequestContext {
  readonly ip?: string;
}

export interface SessionTokens {
  /** Starts a session for a user who has just signed in (the caller has checked the user is active). */
  issue(user: User): Promise<SessionTokenPair>;
  /** Redeems a refresh token once for a new access token and the next refresh token. */
  refresh(refreshToken: string, context?: RequestContext): Promise<Result<RefreshedSession>>;
  /** Ends the session (the refresh-token family) of an access token. */
  logout(accessToken: string, context?: RequestContext): Promise<Result<void>>;
  /** Verifies an access token: signature, claims, kind, and that its session has not ended. */
  verifyAccessToken(token: string): Promise<Result<AccessTokenClaims>>;
  /** The published verification keys. */
  jwks(): Promise<{ keys: PublicSigningJwk[] }>;
  /**
   * RFC 7662: whether an access or refresh token is live now — signed here, unexpired, its session
   * not ended, a refresh token unused, its user still there and active — and what it says.
   */
  introspect(token: string): Promise<Introspection>;
}

const ACCESS = { typ: "at+jwt", use: "access" } as const;
const REFRESH = { typ: "rt+jwt", use: "refresh" } as const;
type Kind = typeof ACCESS | typeof REFRESH;

/** Longer than any token this service mints; anything bigger is refused unparsed. */
const MAX_TOKEN_LENGTH = 4096;
/** Allowed clock difference between instances, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 5;

interface VerifiedClaims extends AccessTokenClaims {
  readonly token_use: string;
}

export function createSessionTokens(deps: SessionTokensDeps): SessionTokens {
  const { keys, sessions, users, config } = deps;
  const now = deps.now ?? Date.now;
  const iso = (ms: number) => new Date(ms).toISOString();

  const invalid = (kind: Kind, detail: string): Failure =>
    failure(
      "INVALID_TOKEN",
      kind === REFRESH
        ? "The refresh token is invalid, expired or already used. Sign in again."
        : "The access token is invalid or expired.",
      { detail: `${kind.use} token refused: ${detail}` },
    );

  async function sign(
    kind: Kind,
    claims: Record<string, unknown>,
    subject: string,
    jti: string,
    issuedAt: number,
    ttlSeconds: number,
  ): Promise<string> {
    return signServiceJwt(await keys.signingKey(), {
      typ: kind.typ,
      claims: { ...claims, token_use: kind.use },
      issuer: config.publicUrl,
      subject,
      audience: config.tokenAudience,
      jti,
      issuedAt,
      expiresAt: issuedAt + ttlSeconds,
    });
  }

  /** Signs an access and a refresh token for the user in `familyId`; the refresh record is for the caller to store. */
  async function mint(user: User, familyId: string): Promise<SessionTokenPair & { record: RefreshTokenRecord }> {
    const nowMs = now();
    const issuedAt = Math.floor(nowMs / 1000);
    const refreshJti = randomUUID();
    const accessToken = await sign(
      ACCESS,
      { orgId: user.orgId, email: user.email, userId: user.id, sid: familyId },
      user.id,
      randomUUID(),
      issuedAt,
      config.accessTokenTtlSeconds,
    );
    const refreshToken = await sign(
      REFRESH,
      { orgId: user.orgId, sid: familyId },
      user.id,
      refreshJti,
      issuedAt,
      config.refreshTokenTtlSeconds,
    );
    const record: RefreshTokenRecord = {
      jti: refreshJti,
      familyId,
      userId: user.id,
      expiresAt: iso((issuedAt + config.refreshTokenTtlSeconds) * 1000),
      createdAt: iso(nowMs),
    };
    return { accessToken, refreshToken, record };
  }

  async function verify(token: string, kind: Kind): Promise<Result<VerifiedClaims>> {
    if (token.length > MAX_TOKEN_LENGTH) return invalid(kind, "too long");
    const verdict = await verifyServiceJwt(token, (kid) => keys.verificationKey(kid), {
      typ: kind.typ,
      issuer: config.publicUrl,
      audience: config.tokenAudience,
      clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS,
      now: now(),
    });
    if (!verdict.ok) return invalid(kind, verdict.detail);
    const payload = verdict.payload;
    const { sid, orgId, token_use } = payload as Record<string, unknown>;
    if (token_use !== kind.use) return invalid(kind, "wrong token_use");
    if (typeof sid !== "string" || typeof orgId !== "string" || typeof payload.sub !== "string" || typeof payload.jti !== "string")
      return invalid(kind, "claims missing");
    if (kind === ACCESS && typeof payload.email !== "string") return invalid(kind, "claims missing");
    return success(payload as unknown as VerifiedClaims);
  }

  async function revoke(
    familyId: string,
    reason: Exclude<RevocationReason, "disabled" | "ended">,
    who: { userId: string; orgId: string; email: string | null },
    context: RequestContext | undefined,
  ): Promise<void> {
    await sessions.revokeFamily(familyId, reason, iso(now()));
    await deps.audit?.record({
      orgId: who.orgId,
      userId: who.userId,
      email: who.email,
      provider: null,
      event: reason === "logout" ? "session.logout" : "session.refresh_token_reuse",
      outcome: reason === "logout" ? "success" : "failure",
      error: reason === "logout" ? null : "INVALID_TOKEN",
      ip: context?.ip ?? null,
    });
  }

  async function verifyAccessToken(token: string): Promise<Result<AccessTokenClaims>> {
    const verified = await verify(token, ACCESS);
    if (!verified.ok) return verified;
    if (!(await sessions.isFamilyActive(verified.value.sid))) return invalid(ACCESS, "session ended");
    const { iss, sub, aud, iat, exp, jti, sid, orgId, email } = verified.value;
    return success({ iss, sub, aud, iat, exp, jti, sid, orgId, email });
  }

  return {
    async issue(user) {
      const familyId = newId(now());
      const { accessToken, refreshToken, record } = await mint(user, familyId);
      await sessions.createFamily({ id: familyId, userId: user.id, orgId: user.orgId, createdAt: record.createdAt }, record);
      return { accessToken, refreshToken };
    },

    async refresh(refreshToken, context) {
      const verified = await verify(refreshToken, REFRESH);
      if (!verified.ok) return verified;
      const claims = verified.value;
      const stored = await sessions.find(claims.jti);
      if (!stored || stored.familyId !== claims.sid || stored.userId !== claims.sub) return invalid(REFRESH, "not on record");
      if (stored.familyRevokedAt !== null) return invalid(REFRESH, "session ended");
      const who = { userId: claims.sub, orgId: claims.orgId, email: null };
      if (stored.usedAt !== null) {
        await revoke(stored.familyId, "reuse", who, context);
        return invalid(REFRESH, "reused; session revoked");
      }
      const user = await users.get(claims.sub);
      if (!user || user.orgId !== claims.orgId)
        return failure("USER_NOT_FOUND", "This account no longer exists.", { detail: "refresh for a user who is gone" });
      if (user.status !== "active") return failure("USER_DISABLED", "This account is disabled. Contact your administrator.");
      const next = await mint(user, stored.familyId);
      if (!(await sessions.rotate(stored.jti, iso(now()), next.record))) {
        // Another request redeemed it between our read and our write: the same reuse.
        await revoke(stored.familyId, "reuse", who, context);
        return invalid(REFRESH, "reused concurrently; session revoked");
      }
      return success({ user, accessToken: next.accessToken, refreshToken: next.refreshToken });
    },

    async logout(accessToken, context) {
      const verified = await verifyAccessToken(accessToken);
      if (!verified.ok) return verified;
      const { sid, sub, orgId, email } = verified.value;
      await revoke(sid, "logout", { userId: sub, orgId, email }, context);
      return success(undefined);
    },

    verifyAccessToken,
    jwks: () => keys.jwks(),

    async introspect(token) {
      const inactive = { active: false } as const;
      for (const kind of [ACCESS, REFRESH]) {
        const verified = await verify(token, kind);
        if (!verified.ok) continue;
        const c = verified.value;
        const stored = kind === REFRESH ? await sessions.find(c.jti) : undefined;
        const live =
          kind === ACCESS
            ? await sessions.isFamilyActive(c.sid)
            : stored?.familyId === c.sid && stored.userId === c.sub && stored.usedAt === null && stored.familyRevokedAt === null;
        if (!live) return inactive;
        const user = await users.get(c.sub);
        if (!user || user.orgId !== c.orgId || user.status !== "active") return inactive;
        return {
          active: true,
          sub: c.sub,
          org: c.orgId,
          exp: c.exp,
          iat: c.iat,
          iss: c.iss,
          jti: c.jti,
          token_type: kind === ACCESS ? "access_token" : "refresh_token",
          ...(kind === ACCESS && { email: c.email }),
        };
      }
      return inactive;
    },
  };
}
