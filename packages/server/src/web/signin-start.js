// @ts-check
/* global document, location, sessionStorage */
// Steps 1 and 2 of the sign-in page: the email → initAuth → the organisation's providers → the
// service's authorization URL (state, PKCE and nonce kept server-side) → the provider.

import { callApi } from "./api-client.js";
import {
  byId,
  buttonById,
  explain,
  inputById,
  page,
  PENDING,
  Problem,
  redirectUri,
  setError,
  setStatus,
  show,
  startOver,
} from "./signin-page.js";
import { unavailableSentence } from "./signin-words.js";

/**
 * @typedef {{ email: string; sessionToken: string; provider: string; orgName: string | undefined; prompt?: "login"; method?: "oauth" | "samlSso" }} Authorization
 * @typedef {{ providerName: string; type?: string }} Provider
 */

/** Starts a sign-in for `email`: the session token initAuth answers in its header, and its answer. */
async function initAuth(/** @type {string} */ email) {
  const { data, headers } = await callApi("post", "/userAccount/initAuth", { body: { email } });
  return { data, sessionToken: headers.get("x-session-token") };
}

/** The email form, the provider buttons and the offer to sign in as another account. */
export function wireStartSteps() {
  byId("email-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = inputById("email").value.trim();
    const button = buttonById("continue");
    button.disabled = true;
    setError("");
    setStatus("");
    page.anotherAccount = undefined;
    byId("another-account").hidden = true;
    try {
      const { data, sessionToken } = await initAuth(email);
      const providers = Array.isArray(data?.oauthProviders) ? data.oauthProviders : [];
      // Set up, but their endpoints could not be learnt just now (the provider is down, say).
      const unavailable = Array.isArray(data?.unavailableProviders)
        ? data.unavailableProviders.filter((p) => typeof p?.providerName === "string")
        : [];
      const methods = data?.allowedMethods ?? [];
      if (!sessionToken || !(methods.includes("oauth") || methods.includes("samlSso")) || providers.length === 0) {
        throw new Problem(
          unavailable.length > 0
            ? unavailableSentence(unavailable)
            : "Your organisation has no sign-in provider set up yet. Ask your administrator.",
        );
      }
      showProviders(email, sessionToken, providers, { unavailable, orgName: typeof data.orgName === "string" ? data.orgName : undefined });
    } catch (error) {
      setError(explain(error));
      byId("email").focus();
    } finally {
      button.disabled = false;
    }
  });

  byId("change-email").addEventListener("click", () => startOver());

  // The provider signed in another account than the email's: sign in again, and have the provider
  // ask who is signing in (prompt=login) instead of reusing the account it remembers.
  byId("another-account").addEventListener("click", async () => {
    const button = buttonById("another-account");
    const retry = page.anotherAccount;
    if (!retry) return;
    button.disabled = true;
    setError("");
    try {
      const { data, sessionToken } = await initAuth(retry.email);
      if (!sessionToken) throw new Problem("The sign-in service did not start a sign-in. Try again.");
      await authorizeAndGo({
        ...retry,
        sessionToken,
        orgName: typeof data?.orgName === "string" ? data.orgName : undefined,
        prompt: "login",
      });
    } catch (error) {
      setError(explain(error));
      button.disabled = false;
      button.focus();
    }
  });
}

/**
 * @param {string} email @param {string} sessionToken @param {Provider[]} providers
 * @param {{ unavailable: { providerName: string; error: string }[]; orgName: string | undefined }} context
 */
function showProviders(email, sessionToken, providers, { unavailable, orgName }) {
  byId("providers-email").textContent = email;
  byId("providers-org").textContent = orgName ? ` to ${orgName}` : "";
  const note = byId("providers-unavailable");
  note.textContent = unavailable.length > 0 ? unavailableSentence(unavailable) : "";
  note.hidden = unavailable.length === 0;
  const list = byId("provider-list");
  list.replaceChildren();
  for (const provider of providers) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = `Continue with ${provider.providerName}`;
    // A SAML provider's tokens go to authenticate as `samlSso` (an organisation's steps may allow only that).
    const method = provider.type === "saml" ? "samlSso" : "oauth";
    button.addEventListener("click", () => goToProvider(button, { email, sessionToken, provider: provider.providerName, orgName, method }));
    item.append(button);
    list.append(item);
  }
  show("view-providers");
}

/** Asks the service for the provider's authorization URL (it adds the email as login_hint) and goes there. */
async function authorizeAndGo(/** @type {Authorization} */ { email, sessionToken, provider, orgName, prompt, method }) {
  const { data } = await callApi("get", "/userAccount/oauth/authorize", {
    query: { provider, email, redirectUri, ...(prompt && { prompt }) },
    sessionToken,
  });
  /** @type {import("./signin-page.js").Pending} */
  const pending = {
    state: data.state,
    sessionToken,
    email,
    provider,
    redirectUri,
    ...(orgName && { orgName }),
    ...(page.next && { next: page.next }),
    ...(method && { method }),
  };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  location.assign(data.authorizationUrl);
}

/** @param {HTMLButtonElement} button @param {Authorization} authorization */
async function goToProvider(button, authorization) {
  button.disabled = true;
  setError("");
  try {
    await authorizeAndGo(authorization);
  } catch (error) {
    setError(explain(error));
    button.disabled = false;
    button.focus();
  }
}
