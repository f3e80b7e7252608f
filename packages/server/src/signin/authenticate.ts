import { type AuthMethodType, effectiveAuthSteps } from "../domain/auth-steps.ts";
import { failure, type FailureId, type Result, success } from "../domain/failures.ts";
import type { Organisation } from "../domain/organisation.ts";
import type { ProviderIdentity } from "../domain/identity.ts";
import type { AuditTrail, AuthStepRepository } from "../domain/ports/repositories.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";
import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import type { User } from "../domain/user.ts";
import type { Discovery } from "../oauth/discovery.ts";
import { unverifiedIssuer } from "../oauth/unverified-token.ts";
import { type AccountLinking, checkIdentityEmail, type LinkableProvider, linkOrProvisionAccount } from "./account-linking.ts";
import { type AuditSubject, audited } from "./audited.ts";
import { type AuthSession, type AuthSessions, redeemedAccessTokens } from "./flow.ts";
import { signInOptions, type SignInOptions, type StepOptionsDeps } from "./sign-in-options.ts";
import { identify, type IdentityDeps, verifyIdToken } from "./identity.ts";
import type { AccountLockout } from "./lockout.ts";
import { type OrganisationLookup, resolveOrganisation } from "./organisation.ts";
import { redeemSamlTokens, type SamlTokenDeps } from "./saml-tokens.ts";

/** Issues the service's own tokens once every step is done. */
export interface SessionTokenIssuer {
  issue(user: User): Promise<{ accessToken: string; refreshToken: string }>;
}

export interface AuthenticateRequest {
  readonly sessionToken: string;
  readonly method: AuthMethodType;
  readonly credentials: unknown;
  readonly email?: string;
  /** Which of the organisation's providers issued the tokens (an addition to the contract). */
  readonly provider?: string;
  readonly ip: string | null;
}

export type AuthenticateAnswer =
  | {
      readonly kind: "nextStep";
      readonly body: { status: "success"; nextStep: number } & Pick<SignInOptions, "allowedMethods" | "authProviders" | "oauthProviders">;
    }
  | { readonly kind: "final"; readonly body: { message: "Fully authenticated"; accessToken: string; refreshToken: string } };

export interface AuthenticateDeps extends Omit<OrganisationLookup, "users">, Omit<AccountLinking, "users">, IdentityDeps, StepOptionsDeps {
  readonly users: OrganisationLookup["users"] & AccountLinking["users"];
  readonly authSteps: Pick<AuthStepRepository, "get">;
  readonly audit: Pick<AuditTrail, "record">;
  readonly sessions: AuthSessions;
  /** The exchange's redeemed-token marks (flow.ts redeemedAccessTokens). */
  readonly redeemedMarks: ShortLivedState;
  readonly discovery: Discovery;
  readonly lockout: AccountLockout;
  readonly tokens: SessionTokenIssuer;
  /** Verifying the id_token and consuming the handle a SAML provider's exchange answered. */
  readonly samlTokens: SamlTokenDeps;
}

/**
 * Failures that say the credentials were wrong (and count towards a lockout); not provider
 * outages (PROVIDER_*: 502/504, a key set the provider fails to serve), and not malformed
 * requests, which anyone could send to lock an account for free.
 */
const CREDENTIAL_FAILURES: ReadonlySet<FailureId> = new Set<FailureId>([
  "INVALID_ID_TOKEN",
  "USERINFO_FAILED",
  "EMAIL_MISMATCH",
  "EMAIL_NOT_VERIFIED",
  "IDENTITY_CONFLICT",
  "LINK_NOT_ALLOWED",
  "USER_NOT_FOUND",
  "INVALID_GRANT",
  "INVALID_TOKEN",
]);

function oauthCredentials(credentials: unknown): Result<{ accessToken: string; idToken?: string }> {
  const c = credentials as { accessToken?: unknown; idToken?: unknown } | null;
  if (
    typeof c !== "object" ||
    c === null ||
    typeof c.accessToken !== "string" ||
    c.accessToken === "" ||
    (c.idToken !== undefined && typeof c.idToken !== "string")
  ) {
    return failure("VALIDATION_ERROR", "credentials must be { accessToken, idToken? }: what /userAccount/oauth/exchange answered");
  }
  return success({ accessToken: c.accessToken, ...(typeof c.idToken === "string" && { idToken: c.idToken }) });
}

/**
 * Which provider issued the presented tokens: the one named, the one the session's
 * authorization request used, the organisation's only one, or the one whose issuer the
 * (not yet verified) ID token names. The choice only selects the keys to verify with.
 */
async function chooseProvider(
  deps: AuthenticateDeps,
  org: Organisation,
  session: AuthSession,
  named: string | undefined,
  idToken: string | undefined,
): Promise<ConfiguredProvider | undefined> {
  const name = named ?? session.provider ?? undefined;
  if (name !== undefined) return deps.providers.configured(org.id, name);
  const all = await deps.providers.list(org.id);
  if (all.length === 1) return deps.providers.configured(org.id, all[0]!.providerName);
  if (idToken === undefined) return undefined;
  const iss = unverifiedIssuer(idToken);
  const match = all.find((p) => p.issuer !== undefined && p.issuer === iss);
  return match ? deps.providers.configured(org.id, match.providerName) : undefined;
}

/**
 * One step of a sign-in (PipesHub's /userAccount/authenticate) with the `oauth` method: the
 * tokens from the exchange are verified (an ID token the exchange verified in this session is not
 * checked twice), the identity must be the session's email and
 * its (provider, subject) link. The organisation's steps decide whether more are needed.
 */
export async function authenticate(deps: AuthenticateDeps, request: AuthenticateRequest): Promise<Result<AuthenticateAnswer>> {
  const session = await deps.sessions.load(request.sessionToken);
  if (!session) return failure("SESSION_EXPIRED", "Your sign-in session has expired or does not exist. Start again.");
  const email = request.email ?? session.email ?? undefined;
  if (email === undefined) return failure("VALIDATION_ERROR", "email is required: send it here or to /userAccount/initAuth");
  if (session.email !== null && session.email.toLowerCase() !== email.toLowerCase()) {
    return failure("EMAIL_MISMATCH", "This sign-in session was started for another email address.");
  }
  let org: Organisation;
  if (session.orgId !== null) {
    const found = await deps.organisations.get(session.orgId);
    if (!found) return failure("SESSION_EXPIRED", "Your sign-in session has expired. Start again.");
    org = found;
  } else {
    const resolved = await resolveOrganisation(deps, email);
    if (!resolved.ok) return resolved;
    org = resolved.value;
  }

  return audited(
    deps.audit,
    {
      event: "authenticate",
      email,
      orgId: org.id,
      provider: request.provider ?? null,
      ip: request.ip,
      signInSession: request.sessionToken,
    },
    async (subject) => {
      const attempt = await deps.lockout.admit(org.id, email);
      if (!attempt)
        return failure("ACCOUNT_BLOCKED", "Too many failed sign-in attempts. The account is blocked for a while; try again later.");
      let outcome: Result<AuthenticateAnswer>;
      try {
        outcome = await completeStep(deps, request, { session, org, email }, subject);
      } catch (error) {
        await deps.lockout.withdrawn(org.id, email);
        throw error;
      }
      // The attempt that reaches the threshold reports its own reason; the block applies from the next.
      if (outcome.ok) await deps.lockout.reset(org.id, email);
      else if (CREDENTIAL_FAILURES.has(outcome.error)) await deps.lockout.failed(org.id, email, attempt);
      else await deps.lockout.withdrawn(org.id, email);
      return outcome;
    },
  );
}

/** The sign-in this authenticate call continues: its session, organisation and email. */
interface SignInInProgress {
  readonly session: AuthSession;
  readonly org: Organisation;
  readonly email: string;
}

/** The current step with the `oauth` method: the tokens verified, the identity linked, then the next step or the service's tokens. */
async function completeStep(
  deps: AuthenticateDeps,
  request: AuthenticateRequest,
  { session, org, email }: SignInInProgress,
  subject: AuditSubject,
): Promise<Result<AuthenticateAnswer>> {
  const steps = effectiveAuthSteps(await deps.authSteps.get(org.id));
  const step = steps[session.currentStep];
  if (!step) return failure("SESSION_EXPIRED", "Your sign-in session is out of date. Start again.");
  if (!step.allowedMethods.some((m) => m.type === request.method)) {
    return failure(
      "METHOD_NOT_ALLOWED",
      `"${request.method}" is not allowed at this step; use ${step.allowedMethods.map((m) => m.type).join(" or ")}.`,
    );
  }
  if (request.method !== "oauth" && request.method !== "samlSso")
    return failure("METHOD_NOT_SUPPORTED", `The "${request.method}" method is not supported by this service yet.`);
  const credentials = oauthCredentials(request.credentials);
  if (!credentials.ok) return credentials;
  // `samlSso`, or `oauth` with what a SAML provider's exchange answered (the seed passes it on as is).
  const named = request.provider ?? session.provider ?? undefined;
  const samlProvider = named !== undefined ? await deps.samlProviders.configured(org.id, named) : undefined;
  if (request.method === "samlSso" && !samlProvider) {
    return failure("PROVIDER_NOT_FOUND", "Name the SAML provider whose exchange answered these tokens in `provider`.");
  }
  const oauthProvider = samlProvider ? undefined : await chooseProvider(deps, org, session, request.provider, credentials.value.idToken);
  const provider: LinkableProvider | undefined = samlProvider ?? oauthProvider;
  if (!provider)
    return failure(
      "PROVIDER_NOT_FOUND",
      "Could not tell which of your organisation's providers issued these tokens; name it in `provider`.",
    );
  subject.provider(provider.settings.providerName);

  const identity = oauthProvider
    ? await presentedIdentity(deps, oauthProvider, { token: request.sessionToken, session }, credentials.value)
    : await redeemSamlTokens(deps.samlTokens, { orgId: org.id, provider: provider.settings.providerName }, credentials.value);
  if (!identity.ok) return identity;
  const checked = checkIdentityEmail(identity.value, email, provider);
  if (!checked.ok) return checked;
  const user = await linkOrProvisionAccount(deps, org, provider, identity.value, email, { ip: request.ip });
  if (!user.ok) return user;
  if (user.value.email.toLowerCase() !== email.toLowerCase() || (session.userId !== null && session.userId !== user.value.id)) {
    return failure("IDENTITY_CONFLICT", "This identity belongs to another account.");
  }
  subject.user(user.value.id);

  const next = session.currentStep + 1;
  if (next < steps.length) {
    await deps.sessions.stepCompleted(request.sessionToken, session, { email, orgId: org.id, userId: user.value.id });
    const options = await signInOptions(deps, org, steps[next]!);
    return success({
      kind: "nextStep",
      body: {
        status: "success",
        nextStep: next,
        allowedMethods: options.allowedMethods,
        authProviders: options.authProviders,
        oauthProviders: options.oauthProviders,
      },
    });
  }
  await deps.sessions.end(request.sessionToken);
  const tokens = await deps.tokens.issue(user.value);
  return success({ kind: "final", body: { message: "Fully authenticated", ...tokens } });
}

/**
 * Who the presented tokens say signed in: the ID token verified (with the nonce of the
 * session's authorization request, when it was for this provider) — or, when the exchange
 * verified this very token in this session against the same provider and nonce, its claims
 * taken from that verification — then the identity read.
 */
async function presentedIdentity(
  deps: AuthenticateDeps,
  provider: ConfiguredProvider,
  { token, session }: { token: string; session: AuthSession },
  tokens: { accessToken: string; idToken?: string },
): Promise<Result<ProviderIdentity>> {
  const connection = await deps.discovery.connect(provider);
  if (!connection.ok) return connection;
  const nonce = (session.provider === provider.settings.providerName ? session.nonce : null) ?? undefined;
  const alreadyVerified =
    tokens.idToken !== undefined && provider.settings.issuer
      ? await deps.sessions.verifiedIdToken(token, tokens.idToken, { provider, nonce })
      : undefined;
  const idTokenClaims = alreadyVerified ? success(alreadyVerified) : await verifyIdToken(deps, connection.value, tokens.idToken, nonce);
  if (!idTokenClaims.ok) return idTokenClaims;
  const identity = await identify(connection.value, tokens.accessToken, idTokenClaims.value);
  if (!identity.ok) return identity;
  // An ID token names its audience; an access token does not: any application the user signed
  // in to at the provider holds one that userinfo answers for (RFC 6749 §10.16).
  if (
    identity.value.source === "userinfo" &&
    !(await redeemedAccessTokens(deps.redeemedMarks).wereRedeemedHere(provider, tokens.accessToken))
  ) {
    return failure("INVALID_TOKEN", "These tokens did not come from this service's /userAccount/oauth/exchange. Sign in again.");
  }
  return identity;
}
