// @ts-check
/* global BroadcastChannel, document, history, HTMLInputElement, location, setTimeout, window, URLSearchParams */
// Test sign-ins from the console. The console asks the admin API for an authorization URL and
// opens it in a small window; the provider sends that window back to /admin/test-signin (a
// redirect URI the provider wizard registers). That page hands the code to the console over a
// same-origin BroadcastChannel — the console completes it with its own session — or, when no
// console answers, completes it itself with the console's cookie. Nothing in a test sign-in creates a user, link or session.

import { ApiError } from "./api-client.js";
import { api, attempt, byId, el, inputById, setStatus, tableOf } from "./console-core.js";

/** @typedef {import("./console-core.js").ProviderRef} ProviderRef */
/** @typedef {import("./api-client.js").AnswerTo<"/api/v1/test-signins/complete", "post">} TestSignInResult */
/**
 * What the page at /admin/test-signin tells the console: the provider's answer to a test sign-in.
 * @typedef {{ state: string | null; code?: string; error?: string; description?: string }} ProviderAnswer
 */

export const TEST_SIGNIN_PATH = "/admin/test-signin";
export const testSignInRedirectUri = `${location.origin}${TEST_SIGNIN_PATH}`;

const channel = new BroadcastChannel("pipeshub-test-signin");
/** The test sign-ins this console started: state → provider name, and where its result is shown. */
const started = /** @type {Map<string | null, { name: string; panel: HTMLElement }>} */ (new Map());

/**
 * Starts a test sign-in at a provider. Call it straight from a click: the window is opened before
 * anything is awaited, so a popup blocker lets it through.
 */
export function startTestSignIn(/** @type {ProviderRef} */ provider, panel = byId("panel")) {
  const { name } = provider;
  const popup = window.open("about:blank", "pipeshub-test-signin", "popup,width=560,height=720");
  // The account to test with fills the provider's sign-in form (login_hint).
  const email = document.querySelector("#test-signin-email") instanceof HTMLInputElement ? inputById("test-signin-email").value.trim() : "";
  attempt(async () => {
    setStatus(`Starting a test sign-in at ${name}…`);
    try {
      const params = { orgId: provider.orgId, name };
      const body = { redirectUri: testSignInRedirectUri, ...(email && { email }) };
      const { data } =
        provider.kind === "saml"
          ? await api("post", "/api/v1/orgs/{orgId}/saml-providers/{name}/test-signin", { params, body })
          : await api("post", "/api/v1/orgs/{orgId}/oauth-providers/{name}/test-signin", { params, body });
      const { authorizationUrl, state } = data;
      started.set(state, { name, panel });
      if (popup) popup.location.href = authorizationUrl;
      else location.assign(authorizationUrl);
      // In the panel, not the page's status line (which each step clears): it stays until the result replaces it.
      panel.replaceChildren(el("p", `Sign in at ${name} in the window that opened; the result appears here.`, { role: "status" }));
    } catch (error) {
      popup?.close();
      if (error instanceof ApiError && error.error === "REDIRECT_URI_MISMATCH") {
        throw new Error(`To test sign-ins from the console, register ${testSignInRedirectUri} for ${name}, here and at the provider.`, {
          cause: error,
        });
      }
      throw error;
    }
  });
}

channel.addEventListener("message", (event) => {
  const { state, code, error, description } = /** @type {ProviderAnswer} */ (event.data ?? {});
  if (!started.has(state)) return;
  channel.postMessage({ ack: state });
  const { name, panel } = started.get(state) ?? { name: "", panel: byId("panel") };
  started.delete(state);
  attempt(async () => {
    if (error) throw new Error(`${name} answered ${error}${description ? `: ${description}` : ""}.`);
    setStatus(`Completing the test sign-in at ${name}…`);
    panel.replaceChildren(...describeResult(await complete(state, code)));
  });
});

/** Claims that are times in seconds since the epoch: shown with the time they say, to spot a skewed clock. */
const TIME_CLAIMS = new Set(["iat", "exp", "nbf", "auth_time", "updated_at"]);
const shown = (/** @type {string} */ name, /** @type {unknown} */ value) =>
  TIME_CLAIMS.has(name) && typeof value === "number"
    ? `${value} (${new Date(value * 1000).toISOString()})`
    : typeof value === "string"
      ? value
      : JSON.stringify(value);
const claimsTable = (/** @type {Record<string, unknown>} */ claims) =>
  tableOf(
    ["Claim", "Value"],
    Object.entries(claims).map(([name, value]) => [name, shown(name, value)]),
  );

/** A test sign-in's result in words: the decision, what to change when refused, the claims and userinfo. */
function describeResult(/** @type {TestSignInResult} */ result) {
  const { decision } = result;
  const parts = [el("h2", `Test sign-in: ${result.provider}`)];
  const verdict =
    decision.outcome === "would-sign-in"
      ? `A real sign-in would succeed, as user ${decision.userId}.`
      : decision.outcome === "would-create"
        ? "A real sign-in would succeed and create a new user (just-in-time provisioning)."
        : `A real sign-in would be refused: ${decision.reason}.`;
  parts.push(el("p", verdict, { class: `decision ${decision.outcome === "refused" ? "fail" : "pass"}` }));
  if (decision.fix) parts.push(el("p", `What to change: ${decision.fix}`, { class: "fix" }));
  parts.push(el("p", "Nothing was created: no user, link, session or lockout count.", { class: "muted" }));
  if (result.claims && "nameId" in result.claims) return [...parts, ...assertionOf(result.claims)];
  parts.push(el("h3", "ID token claims"));
  parts.push(result.claims ? claimsTable(result.claims) : el("p", "No ID token: a plain OAuth 2.0 provider.", { class: "muted" }));
  parts.push(el("h3", "Userinfo"));
  parts.push(result.userinfo ? claimsTable(result.userinfo) : el("p", "No userinfo endpoint, or it did not answer.", { class: "muted" }));
  return parts;
}

/** A SAML assertion as shown: its issuer and NameID, then each attribute on its own row. */
function assertionOf(/** @type {Record<string, unknown>} */ claims) {
  const { attributes, ...about } = claims;
  const rows = Object.entries(/** @type {Record<string, unknown>} */ (attributes ?? {})).map(([name, value]) => [
    name,
    Array.isArray(value) ? value.join(", ") : shown(name, value),
  ]);
  return [
    el("h3", "SAML assertion"),
    claimsTable(about),
    el("h3", "Attributes"),
    rows.length ? tableOf(["Attribute", "Value"], rows) : el("p", "The assertion carries no attributes.", { class: "muted" }),
  ];
}

const ACK_WAIT_MS = 1500;

/** Completes a test sign-in with the provider's code: what a real sign-in would decide. */
async function complete(/** @type {string | null} */ state, /** @type {string | undefined} */ code) {
  const { data } = await api("post", "/api/v1/test-signins/complete", { body: { state: state ?? "", code: code ?? "" } });
  return data;
}

/** The page at /admin/test-signin: hand the provider's answer to the console that started it, or complete it here. */
export async function finishTestSignInHere(/** @type {(view: string) => void} */ show) {
  const params = new URLSearchParams(location.search);
  // The code leaves the address bar and the history at once.
  history.replaceState(null, "", TEST_SIGNIN_PATH);
  /** @type {ProviderAnswer} */
  const message = {
    state: params.get("state"),
    code: params.get("code") ?? undefined,
    error: params.get("error") ?? (params.get("code") ? undefined : "no_code"),
    description: params.get("error_description") ?? undefined,
  };
  show("view-test-signin");
  const acknowledged = new Promise((/** @type {(acknowledged: boolean) => void} */ resolve) => {
    channel.addEventListener("message", (event) => event.data?.ack === message.state && resolve(true));
    setTimeout(() => resolve(false), ACK_WAIT_MS);
  });
  channel.postMessage(message);
  const target = byId("test-signin-result");
  if (await acknowledged) {
    target.replaceChildren(el("p", "Done: the result is in the console. You can close this window."));
    window.close();
    return;
  }
  if (message.error) throw new Error(`The provider answered ${message.error}${message.description ? `: ${message.description}` : ""}.`);
  setStatus("Completing the test sign-in…");
  const result = await complete(message.state, message.code);
  const back = el("p");
  back.append(el("a", "Back to the console", { href: "/admin" }));
  target.replaceChildren(...describeResult(result), back);
}
