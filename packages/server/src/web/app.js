/* global document, history, location, sessionStorage, TextDecoder, URLSearchParams, atob */
// The sign-in page: initAuth → the organisation's providers → the provider → /callback →
// oauth/exchange → authenticate → signed in. Opened as /?next=admin, it then hands the access
// token to the admin console (POST /admin/session) and goes there: how an organisation admin
// signs in to the console. Plain browser JavaScript, no dependencies.

const PENDING = "pipeshub-auth.pending";
const TOKENS = "pipeshub-auth.tokens";

const publicUrl = document.querySelector('meta[name="public-url"]')?.getAttribute("content") || location.origin;
const redirectUri = `${publicUrl}/callback`;

/** Where to go once signed in: "admin" (the console) when the page was opened as /?next=admin. */
let next = new URLSearchParams(location.search).get("next") === "admin" ? "admin" : undefined;

const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const views = ["view-email", "view-providers", "view-working", "view-signed-in"];

/** Shows one view and moves focus to its heading, so keyboard and screen-reader users follow. */
function show(view, { focus = true } = {}) {
  for (const id of views) byId(id).hidden = id !== view;
  if (focus) byId(view).querySelector("h1")?.focus();
}

function setError(text) {
  byId("error").textContent = text ?? "";
  if (text) byId("status").textContent = "";
}

function setStatus(text) {
  byId("status").textContent = text ?? "";
}

/** A failure to show as it is: the service's AuthError message, or our own sentence. */
class Problem extends Error {
  /** @param {string} message @param {string} [error] the AuthError's `error` id, when the service sent one */
  constructor(message, error) {
    super(message);
    this.error = error;
  }
}

/** Calls the service; answers {data, response} or throws a Problem carrying words, never JSON. */
async function call(method, path, { body, headers = {} } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: { accept: "application/json", ...(body !== undefined && { "content-type": "application/json" }), ...headers },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      cache: "no-store",
    });
  } catch {
    throw new Problem("The sign-in service could not be reached. Check your connection and try again.");
  }
  const text = await response.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    const message =
      data && typeof data.message === "string" && data.message.trim()
        ? data.message
        : `The sign-in service answered with status ${response.status}. Try again.`;
    throw new Problem(message, data && typeof data.error === "string" ? data.error : undefined);
  }
  return { data, response };
}

function explain(error) {
  return error instanceof Problem ? error.message : "Something went wrong in this page. Reload it and try again.";
}

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

function providerErrorSentence(code) {
  if (Object.hasOwn(PROVIDER_ERRORS, code)) return PROVIDER_ERRORS[code];
  const shown = /^[\w.-]{1,64}$/.test(code) ? ` (it answered "${code}")` : "";
  return `Your provider did not sign you in${shown}. Start again, or tell your administrator if it keeps happening.`;
}

function readJson(key) {
  try {
    const value = sessionStorage.getItem(key);
    return value ? JSON.parse(value) : undefined;
  } catch {
    return undefined;
  }
}

/** The payload of a JWT, decoded for display only (the service verifies tokens, not this page). */
function claimsOf(token) {
  const part = String(token).split(".")[1] ?? "";
  const base64 = part
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** Says which of the organisation's providers cannot be used now (initAuth's `unavailableProviders`). */
function unavailableSentence(unavailable) {
  const names = unavailable.map((p) => `“${p.providerName}”`);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  const unreachable = unavailable.every((p) => p.error === "PROVIDER_UNAVAILABLE" || p.error === "PROVIDER_TIMEOUT");
  return `The sign-in provider${names.length === 1 ? "" : "s"} ${list} cannot be ${unreachable ? "reached" : "used"} right now. Try again in a moment; if it keeps happening, tell your administrator.`;
}

// --- step 1: email → initAuth → the organisation's providers ---------------------------------

/** After an email mismatch: the email and provider to sign in again with, as another account. */
let anotherAccount;

function startOver({ error, status, retry } = {}) {
  sessionStorage.removeItem(PENDING);
  setError(error);
  setStatus(status);
  anotherAccount = retry;
  byId("another-account").hidden = !retry;
  show("view-email", { focus: false });
  byId("email").focus();
}

byId("email-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = /** @type {HTMLInputElement} */ (byId("email")).value.trim();
  const button = /** @type {HTMLButtonElement} */ (byId("continue"));
  button.disabled = true;
  setError("");
  setStatus("");
  anotherAccount = undefined;
  byId("another-account").hidden = true;
  try {
    const { data, response } = await call("POST", "/userAccount/initAuth", { body: { email } });
    const sessionToken = response.headers.get("x-session-token");
    const providers = Array.isArray(data?.oauthProviders) ? data.oauthProviders : [];
    // Set up, but their endpoints could not be learnt just now (the provider is down, say).
    const unavailable = Array.isArray(data?.unavailableProviders)
      ? data.unavailableProviders.filter((p) => typeof p?.providerName === "string")
      : [];
    if (!sessionToken || !data?.allowedMethods?.includes("oauth") || providers.length === 0) {
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
    button.addEventListener("click", () => goToProvider(button, { email, sessionToken, provider: provider.providerName, orgName }));
    item.append(button);
    list.append(item);
  }
  show("view-providers");
}

byId("change-email").addEventListener("click", () => startOver());

// --- step 2: the service's authorization URL (state, PKCE, nonce kept server-side) ----------

/** Asks the service for the provider's authorization URL (it adds the email as login_hint) and goes there. */
async function authorizeAndGo({ email, sessionToken, provider, orgName, prompt }) {
  const query = new URLSearchParams({ provider, email, redirectUri, ...(prompt && { prompt }) });
  const { data } = await call("GET", `/userAccount/oauth/authorize?${query}`, { headers: { "x-session-token": sessionToken } });
  sessionStorage.setItem(
    PENDING,
    JSON.stringify({ state: data.state, sessionToken, email, provider, redirectUri, orgName, ...(next && { next }) }),
  );
  location.assign(data.authorizationUrl);
}

async function goToProvider(button, pending) {
  button.disabled = true;
  setError("");
  try {
    await authorizeAndGo(pending);
  } catch (error) {
    setError(explain(error));
    button.disabled = false;
    button.focus();
  }
}

// The provider signed in another account than the email's: sign in again, and have the provider
// ask who is signing in (prompt=login) instead of reusing the account it remembers.
byId("another-account").addEventListener("click", async () => {
  const button = /** @type {HTMLButtonElement} */ (byId("another-account"));
  const retry = anotherAccount;
  if (!retry) return;
  button.disabled = true;
  setError("");
  try {
    const { data, response } = await call("POST", "/userAccount/initAuth", { body: { email: retry.email } });
    const sessionToken = response.headers.get("x-session-token");
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

// --- step 3: back from the provider: exchange the code, then authenticate --------------------

async function handleCallback() {
  const params = new URLSearchParams(location.search);
  // The code is single-use and bound to our state; keep it out of the history and the address bar.
  history.replaceState(null, "", "/");
  const pending = readJson(PENDING);
  sessionStorage.removeItem(PENDING);

  if (!pending || !pending.state || params.get("state") !== pending.state) {
    return startOver({
      error: "This answer from a provider does not belong to a sign-in started in this tab, so it was ignored. Sign in again.",
    });
  }
  if (pending.email) /** @type {HTMLInputElement} */ (byId("email")).value = pending.email;
  // A sign-in started for the console goes on being one if it has to start again.
  next = pending.next === "admin" ? "admin" : undefined;
  const error = params.get("error");
  if (error) return startOver({ error: providerErrorSentence(error) });
  const code = params.get("code");
  if (!code) return startOver({ error: "Your provider came back without an authorization code. Sign in again." });

  show("view-working");
  try {
    const iss = params.get("iss");
    const { data: tokens } = await call("POST", "/userAccount/oauth/exchange", {
      headers: { "x-session-token": pending.sessionToken },
      body: {
        code,
        email: pending.email,
        provider: pending.provider,
        redirectUri: pending.redirectUri,
        state: pending.state,
        ...(iss && { iss }),
      },
    });
    const { data: result } = await call("POST", "/userAccount/authenticate", {
      headers: { "x-session-token": pending.sessionToken },
      body: {
        method: "oauth",
        credentials: { accessToken: tokens.access_token, ...(tokens.id_token && { idToken: tokens.id_token }) },
        email: pending.email,
        provider: pending.provider,
      },
    });
    if (!result?.accessToken) {
      throw new Problem("Your organisation asks for another sign-in step, which this page does not offer yet.");
    }
    sessionStorage.setItem(
      TOKENS,
      JSON.stringify({ accessToken: result.accessToken, refreshToken: result.refreshToken, orgName: pending.orgName }),
    );
  } catch (failure) {
    // The provider signed in an account without this email: offer to sign in with another one.
    const mismatch = failure instanceof Problem && failure.error === "EMAIL_MISMATCH";
    return startOver({ error: explain(failure), retry: mismatch ? { email: pending.email, provider: pending.provider } : undefined });
  }
  if (showSignedIn() && next === "admin") await openConsole();
}

// --- the hand-off to the admin console -----------------------------------------------------

/**
 * Exchanges the access token for the console's session (an HttpOnly cookie this page never
 * sees) and goes to the console. Refused (not an admin of the organisation, say): the service's
 * words in the error area, and the person stays signed in here.
 */
async function openConsole() {
  const accessToken = readJson(TOKENS)?.accessToken;
  if (!accessToken) return;
  setStatus("Opening the admin console…");
  try {
    await call("POST", "/admin/session", { body: { accessToken } });
    location.assign("/admin");
  } catch (error) {
    setError(explain(error));
  }
}

// --- signed in, and signing out -------------------------------------------------------------

/** Shows who is signed in; answers false (and starts over) when the stored tokens are unusable. */
function showSignedIn() {
  const tokens = readJson(TOKENS);
  let claims;
  try {
    claims = claimsOf(tokens.accessToken);
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
  const orgName = typeof tokens.orgName === "string" && tokens.orgName ? tokens.orgName : undefined;
  org.textContent = orgName ?? claims.orgId ?? "";
  org.title = orgName && claims.orgId ? `id ${claims.orgId}` : "";
  org.classList.toggle("id", !orgName);
  byId("claim-sub").textContent = claims.sub ?? "";
  byId("claim-exp").textContent = typeof claims.exp === "number" ? new Date(claims.exp * 1000).toLocaleString() : "";
  setError("");
  show("view-signed-in");
  return true;
}

byId("sign-out").addEventListener("click", async () => {
  const button = /** @type {HTMLButtonElement} */ (byId("sign-out"));
  const tokens = readJson(TOKENS);
  // Gone from this tab first: leaving the page while the service is being told keeps nothing.
  sessionStorage.removeItem(TOKENS);
  button.disabled = true;
  let problem;
  try {
    if (tokens?.accessToken)
      await call("POST", "/userAccount/logout/manual", { headers: { authorization: `Bearer ${tokens.accessToken}` } });
  } catch (error) {
    problem = error;
  } finally {
    button.disabled = false;
  }
  // The tokens are gone from this tab either way; say so, and whether the service heard it.
  const unreachable = problem instanceof Problem && /could not be reached/.test(problem.message);
  startOver({
    status: unreachable
      ? "You are signed out in this tab, but the service could not be told; your session ends when it expires."
      : "You are signed out.",
  });
});

// --- start ----------------------------------------------------------------------------------

if (location.origin !== new URL(publicUrl).origin) {
  // Storage is per origin: sign in on the public URL, where the provider sends you back.
  location.replace(`${publicUrl}/${next ? "?next=admin" : ""}`);
} else if (location.pathname === "/callback") {
  handleCallback();
} else if (readJson(TOKENS)?.accessToken) {
  // Already signed in in this tab: /?next=admin hands the session over at once.
  if (showSignedIn() && next === "admin") openConsole();
} else {
  show("view-email", { focus: false });
}
