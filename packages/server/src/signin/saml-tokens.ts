import { randomUUID } from "node:crypto";
import { failure, type Result, success } from "../domain/failures.ts";
import { newOpaqueToken } from "../domain/ids.ts";
import type { SamlIdentity } from "./saml-identity.ts";
import type { Clock } from "../domain/ports/clock.ts";
import type { SigningKeys } from "../domain/ports/keys.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import { signServiceJwt, verifyServiceJwt } from "../keys/service-jwt.ts";
import { SAML_HANDLE_TTL_MS, type SamlHandle, samlHandles, type SamlSignedIn } from "./saml-flow.ts";

/**
 * What the exchange answers for a SAML sign-in, in the seed's OAuthTokenResponse shape:
 * `access_token`, an opaque one-time handle for authenticate, and `id_token`, a JWT this service
 * signs with its own keys (its JWKS) carrying the SAML identity. Its `typ` and audience are its
 * own, and it has no `token_use`, so it is never accepted as the service's access token
 * (session-tokens.ts checks `typ: at+jwt`, the token audience and `token_use: access`).
 */
export const SAML_ID_TOKEN_TYP = "saml-identity+jwt";
const CLOCK_TOLERANCE_SECONDS = 5;
/** Longer than any id_token this service mints; anything bigger is refused unparsed. */
const MAX_TOKEN_LENGTH = 4096;

export interface SamlTokenDeps {
  readonly keys: Pick<SigningKeys, "signingKey" | "verificationKey">;
  /** `iss`; the audience is `{publicUrl}/saml`. */
  readonly publicUrl: string;
  readonly state: ShortLivedState;
  readonly clock: Pick<Clock, "now">;
}

export const samlIdTokenAudience = (publicUrl: string) => `${publicUrl}/saml`;

/** Mints the exchange's answer for a redeemed code: the handle is kept until authenticate consumes it. */
export async function mintSamlTokens(
  deps: SamlTokenDeps,
  signedIn: SamlSignedIn,
): Promise<{ access_token: string; id_token: string; token_type: "Bearer"; expires_in: number }> {
  const jti = randomUUID();
  const issuedAt = Math.floor(deps.clock.now() / 1000);
  const expiresIn = Math.floor(SAML_HANDLE_TTL_MS / 1000);
  const idToken = await signServiceJwt(await deps.keys.signingKey(), {
    typ: SAML_ID_TOKEN_TYP,
    claims: { email: signedIn.email, idp: signedIn.idp, auth_time: signedIn.authTime, ...(signedIn.name && { name: signedIn.name }) },
    issuer: deps.publicUrl,
    subject: signedIn.subject,
    audience: samlIdTokenAudience(deps.publicUrl),
    jti,
    issuedAt,
    expiresAt: issuedAt + expiresIn,
  });
  const handle = newOpaqueToken();
  await samlHandles(deps.state).put(handle, { ...signedIn, jti, binding: jti });
  return { access_token: handle, id_token: idToken, token_type: "Bearer", expires_in: expiresIn };
}

const refused = (detail: string) =>
  failure(
    "INVALID_TOKEN",
    "These tokens did not come from this service's /userAccount/oauth/exchange for this SAML provider. Sign in again.",
    {
      detail,
    },
  );

/**
 * The identity the exchange's tokens carry, for authenticate: the id_token verified against the
 * service's keys (signature, typ, iss, aud, exp), then the handle consumed once, and only with
 * that id_token (its `jti`), for this organisation and provider.
 */
export async function redeemSamlTokens(
  deps: SamlTokenDeps,
  expected: { orgId: string; provider: string },
  tokens: { accessToken: string; idToken?: string },
): Promise<Result<SamlIdentity & { readonly userId: string }>> {
  if (tokens.idToken === undefined) return refused("no id_token");
  if (tokens.idToken.length > MAX_TOKEN_LENGTH) return refused("id_token too long");
  const verdict = await verifyServiceJwt(tokens.idToken, (kid) => deps.keys.verificationKey(kid), {
    typ: SAML_ID_TOKEN_TYP,
    issuer: deps.publicUrl,
    audience: samlIdTokenAudience(deps.publicUrl),
    clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS,
    now: deps.clock.now(),
  });
  if (!verdict.ok) return refused(`id_token: ${verdict.detail}`);
  const { jti, sub } = verdict.payload;
  const taken = await samlHandles(deps.state).takeIfBound(tokens.accessToken, [String(jti)]);
  if (taken.kind !== "taken") return refused(taken.kind === "absent" ? "handle unknown or used" : "handle of another id_token");
  const handle: SamlHandle = taken.value;
  if (handle.orgId !== expected.orgId || handle.provider !== expected.provider || handle.subject !== sub) {
    return refused("handle of another organisation, provider or subject");
  }
  return success({
    subject: handle.subject,
    email: handle.email,
    emailVerified: true,
    name: handle.name ?? undefined,
    source: "saml",
    userId: handle.userId,
  });
}
