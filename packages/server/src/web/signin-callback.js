// @ts-check
/* global history, location, sessionStorage, URLSearchParams */
// Step 3 of the sign-in page, back from the provider at /callback: check the answer belongs to the
// sign-in this tab started, exchange the code, then authenticate.

import { ApiError, callApi } from "./api-client.js";
import { explain, inputById, page, PENDING, Problem, readJson, show, startOver, TOKENS } from "./signin-page.js";
import { openConsole, showSignedIn } from "./signin-session.js";
import { providerErrorSentence } from "./signin-words.js";

/** @typedef {import("./signin-page.js").Pending} Pending */

export async function handleCallback() {
  const params = new URLSearchParams(location.search);
  // The code is single-use and bound to our state; keep it out of the history and the address bar.
  history.replaceState(null, "", "/");
  /** @type {Partial<Pending> | undefined} */
  const pending = readJson(PENDING);
  sessionStorage.removeItem(PENDING);

  if (!pending || !pending.state || params.get("state") !== pending.state) {
    return startOver({
      error: "This answer from a provider does not belong to a sign-in started in this tab, so it was ignored. Sign in again.",
    });
  }
  if (pending.email) inputById("email").value = pending.email;
  // A sign-in started for the console goes on being one if it has to start again.
  page.next = pending.next === "admin" ? "admin" : undefined;
  const error = params.get("error");
  if (error) return startOver({ error: providerErrorSentence(error) });
  const code = params.get("code");
  if (!code) return startOver({ error: "Your provider came back without an authorization code. Sign in again." });

  show("view-working");
  // This tab wrote it, with every field, when it sent the browser to the provider.
  const signing = /** @type {Pending} */ (pending);
  try {
    await signIn(signing, code, params.get("iss"));
  } catch (failure) {
    // The provider signed in an account without this email: offer to sign in with another one.
    const mismatch = failure instanceof ApiError && failure.error === "EMAIL_MISMATCH";
    return startOver({ error: explain(failure), retry: mismatch ? { email: signing.email, provider: signing.provider } : undefined });
  }
  if (showSignedIn() && page.next === "admin") await openConsole();
}

/** Exchanges the provider's code for its tokens, and those for the service's: kept in this tab. */
async function signIn(/** @type {Pending} */ pending, /** @type {string} */ code, /** @type {string | null} */ iss) {
  const { data: tokens } = await callApi("post", "/userAccount/oauth/exchange", {
    sessionToken: pending.sessionToken,
    body: {
      code,
      email: pending.email,
      provider: pending.provider,
      redirectUri: pending.redirectUri,
      state: pending.state,
      ...(iss && { iss }),
    },
  });
  const { data: result } = await callApi("post", "/userAccount/authenticate", {
    sessionToken: pending.sessionToken,
    body: {
      method: pending.method ?? "oauth",
      credentials: { accessToken: tokens.access_token, ...(tokens.id_token && { idToken: tokens.id_token }) },
      email: pending.email,
      provider: pending.provider,
    },
  });
  if (!("accessToken" in result) || !result.accessToken) {
    throw new Problem("Your organisation asks for another sign-in step, which this page does not offer yet.");
  }
  /** @type {import("./signin-page.js").Tokens} */
  const kept = { accessToken: result.accessToken, refreshToken: result.refreshToken, ...(pending.orgName && { orgName: pending.orgName }) };
  sessionStorage.setItem(TOKENS, JSON.stringify(kept));
}
