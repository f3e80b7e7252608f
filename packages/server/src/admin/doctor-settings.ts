import { worded } from "../domain/fix-wording.ts";
import { type DoctorContext, type DoctorFinding, fail, pass, requestedScopes, settingsHere, warn } from "./doctor-types.ts";

/**
 * PKCE (RFC 7636): sign-ins started at the service's authorize endpoint send an S256 challenge.
 * Only a discovered provider says whether it supports it.
 */
export function checkPkce({ metadata }: DoctorContext): DoctorFinding[] {
  if (!metadata?.discovered) return [];
  const methods = metadata.code_challenge_methods_supported;
  if (methods?.includes("S256")) return [pass("pkce", "The provider supports PKCE with S256.")];
  if (methods === undefined)
    return [
      warn(
        "pkce",
        "The provider does not advertise PKCE (no code_challenge_methods_supported): it may ignore the S256 challenge sign-ins send, which leaves stolen codes redeemable.",
        "At the provider: enable PKCE (S256) for this client if it can, so that its discovery document lists S256 in code_challenge_methods_supported.",
      ),
    ];
  return [
    fail(
      "pkce",
      `The provider's PKCE methods are ${JSON.stringify(methods)}, without S256: it will refuse or ignore the S256 challenge sign-ins send.`,
      "At the provider: enable PKCE with S256 for this client.",
    ),
  ];
}

/**
 * An OpenID Connect sign-in needs `openid` (an ID token) and `email` (the email claim) in its
 * scope, and the provider to offer `email`. A plain OAuth 2.0 provider's email comes from its
 * user API (or an email list, which GitHub serves only with `user:email`).
 */
export function checkEmailScope({ provider, metadata }: DoctorContext): DoctorFinding[] {
  const scopes = requestedScopes(provider);
  const scopeFix = (missing: string[]) =>
    worded`${settingsHere(provider, "scope")} to include ${missing.join(" and ")}, e.g. "${[...new Set([...scopes, ...missing])].join(" ")}".`;
  if (!provider.settings.issuer) {
    if (provider.settings.emailsEndpoint && !scopes.includes("user:email"))
      return [
        warn(
          "email-scope",
          `The email list ${provider.settings.emailsEndpoint} is read with the scope "${provider.settings.scope}", without user:email: a GitHub-style API answers 404 to it.`,
          scopeFix(["user:email"]),
        ),
      ];
    return [pass("email-scope", "The email comes from the provider's user API (a plain OAuth 2.0 provider has no email scope to check).")];
  }
  const missing = ["openid", "email"].filter((scope) => !scopes.includes(scope));
  if (missing.length > 0)
    return [
      fail(
        "email-scope",
        `The requested scope "${provider.settings.scope}" lacks ${missing.join(" and ")}: the provider will not send ${missing.includes("openid") ? "an ID token" : "the email claim"}.`,
        scopeFix(missing),
      ),
    ];
  const offered = metadata?.scopes_supported;
  if (offered && !offered.includes("email"))
    return [
      fail(
        "email-scope",
        `The provider does not offer the email scope (scopes_supported: ${offered.join(" ")}): no email claim will come.`,
        "At the provider: allow the email scope (and the email claim) for this client.",
      ),
    ];
  return [
    pass(
      "email-scope",
      `The requested scope "${provider.settings.scope}" asks for openid and email${offered ? ", and the provider offers email" : ""}.`,
    ),
  ];
}

/**
 * The provider's clock, from the `Date` of its answers, against ours: ID tokens carry `iat` and
 * `exp`, and a skew beyond the tolerance makes valid tokens look issued in the future or expired.
 */
export function checkClock({ answers, clockToleranceSeconds }: DoctorContext): DoctorFinding[] {
  const dated = answers.find((answer) => answer.date !== undefined);
  if (answers.length === 0) return [];
  if (!dated)
    return [
      warn(
        "clock",
        "The provider's answers carry no Date header: its clock could not be compared with this service's.",
        "Nothing to change if sign-ins work; otherwise check the provider's clock (NTP) at the provider.",
      ),
    ];
  // `Date` has whole seconds: a second of rounding is not skew.
  const skewSeconds = Math.round((dated.date! - dated.receivedAt) / 1000);
  const ahead = skewSeconds > 0 ? "ahead of" : "behind";
  if (Math.abs(skewSeconds) <= clockToleranceSeconds + 1)
    return [
      pass("clock", `The provider's clock is within ${clockToleranceSeconds} s of this service's (${Math.abs(skewSeconds)} s ${ahead}).`),
    ];
  return [
    fail(
      "clock",
      `The provider's clock is ${Math.abs(skewSeconds)} s ${ahead} this service's, beyond the ${clockToleranceSeconds} s tolerance: its ID tokens will look ${skewSeconds > 0 ? "issued in the future" : "expired"}.`,
      "Synchronise the clocks with NTP: at the provider, or on this service's host if its own clock is the wrong one.",
    ),
  ];
}
