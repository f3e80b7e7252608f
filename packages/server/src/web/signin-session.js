// @ts-check
/* global atob, location, sessionStorage, TextDecoder */
// Signed in on the sign-in page: who it is (from the access token's claims), the hand-off to the
// admin console, and signing out.

import { ApiError, callApi } from "./api-client.js";
import { byId, buttonById, explain, readJson, setError, setStatus, show, startOver, TOKENS } from "./signin-page.js";

/** @typedef {{ email?: string; orgId?: string; sub?: string; exp?: number }} Claims */

/** The payload of a JWT, decoded for display only (the service verifies tokens, not this page). */
function claimsOf(/** @type {unknown} */ token) {
  const part = String(token).split(".")[1] ?? "";
  const base64 = part
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return /** @type {Claims} */ (JSON.parse(new TextDecoder().decode(bytes)));
}

/** @returns {Partial<import("./signin-page.js").Tokens> | undefined} */
export const storedTokens = () => readJson(TOKENS);

/** Shows who is signed in; answers false (and starts over) when the stored tokens are unusable. */
export function showSignedIn() {
  const tokens = storedTokens();
  let claims;
  try {
    claims = claimsOf(tokens?.accessToken);
  } catch {
    sessionStorage.removeItem(TOKENS);
    startOver();
    return false;
  }
  if (typeof claims.exp === "number" && claims.exp * 1000 <= Date.now()) {
    sessionStorage.removeItem(TOKENS);
    startOver({ status: "Your session has expired. Sign in again." });
    return false;
  }
  byId("claim-email").textContent = claims.email ?? "";
  // The organisation's name, as initAuth named it for this sign-in; its id when there is none.
  const org = byId("claim-org");
  const orgName = typeof tokens?.orgName === "string" && tokens.orgName ? tokens.orgName : undefined;
  org.textContent = orgName ?? claims.orgId ?? "";
  org.title = orgName && claims.orgId ? `id ${claims.orgId}` : "";
  org.classList.toggle("id", !orgName);
  byId("claim-sub").textContent = claims.sub ?? "";
  byId("claim-exp").textContent = typeof claims.exp === "number" ? new Date(claims.exp * 1000).toLocaleString() : "";
  setError("");
  show("view-signed-in");
  return true;
}

/**
 * Exchanges the access token for the console's session (an HttpOnly cookie this page never
 * sees) and goes to the console. Refused (not an admin of the organisation, say): the service's
 * words in the error area, and the person stays signed in here.
 */
export async function openConsole() {
  const accessToken = storedTokens()?.accessToken;
  if (!accessToken) return;
  setStatus("Opening the admin console…");
  try {
    await callApi("post", "/admin/session", { body: { accessToken } });
    location.assign("/admin");
  } catch (error) {
    setError(explain(error));
  }
}

export function wireSignOut() {
  byId("sign-out").addEventListener("click", async () => {
    const button = buttonById("sign-out");
    const tokens = storedTokens();
    // Gone from this tab first: leaving the page while the service is being told keeps nothing.
    sessionStorage.removeItem(TOKENS);
    button.disabled = true;
    let unreachable = false;
    try {
      if (tokens?.accessToken) await callApi("post", "/userAccount/logout/manual", { bearer: tokens.accessToken });
    } catch (error) {
      unreachable = error instanceof ApiError && error.status === 0;
    } finally {
      button.disabled = false;
    }
    // The tokens are gone from this tab either way; say so, and whether the service heard it.
    startOver({
      status: unreachable
        ? "You are signed out in this tab, but the service could not be told; your session ends when it expires."
        : "You are signed out.",
    });
  });
}
