// @ts-check
// The sign-in page's sentences for what a provider answered: its error codes (RFC 6749 and OpenID
// Connect) and the providers initAuth says cannot be used now.

/** @type {Record<string, string>} */
const PROVIDER_ERRORS = {
  access_denied: "You did not allow the sign-in at your provider, so you are not signed in.",
  login_required: "Your provider needs you to sign in there first.",
  consent_required: "Your provider needs your consent before it can sign you in.",
  interaction_required: "Your provider needs you to do something there before it can sign you in.",
  account_selection_required: "Your provider needs you to choose an account first.",
  temporarily_unavailable: "Your provider is temporarily unavailable. Try again in a moment.",
  server_error: "Your provider ran into a problem. Try again in a moment.",
  invalid_request: "Your provider refused the sign-in request. Its settings here may be wrong: tell your administrator.",
  unauthorized_client: "Your provider does not allow this application to sign you in. Tell your administrator.",
  invalid_scope: "Your provider refused the permissions asked for. Tell your administrator.",
  unsupported_response_type: "Your provider refused the sign-in request. Tell your administrator.",
};

/** The provider's `error` in words; an unknown code is quoted only when it looks like one. */
export function providerErrorSentence(/** @type {string} */ code) {
  if (Object.hasOwn(PROVIDER_ERRORS, code)) return PROVIDER_ERRORS[code];
  const shown = /^[\w.-]{1,64}$/.test(code) ? ` (it answered "${code}")` : "";
  return `Your provider did not sign you in${shown}. Start again, or tell your administrator if it keeps happening.`;
}

/**
 * Says which of the organisation's providers cannot be used now (initAuth's `unavailableProviders`).
 * @param {{ providerName: string; error: string }[]} unavailable
 */
export function unavailableSentence(unavailable) {
  const names = unavailable.map((p) => `“${p.providerName}”`);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  const unreachable = unavailable.every((p) => p.error === "PROVIDER_UNAVAILABLE" || p.error === "PROVIDER_TIMEOUT");
  return `The sign-in provider${names.length === 1 ? "" : "s"} ${list} cannot be ${unreachable ? "reached" : "used"} right now. Try again in a moment; if it keeps happening, tell your administrator.`;
}
