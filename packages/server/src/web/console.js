/* global confirm, history, location */
// The admin console: organisations, their providers, the provider doctor, test sign-ins, health
// over time, change events and the audit trail, on the admin API. An operator signs in with the
// admin token once (the service answers an HttpOnly cookie); an organisation admin arrives from
// the sign-in page with the same kind of cookie, for their organisation only; a setup link's
// holder arrives at /admin/setup#<token>, redeemed once for a session held in memory only.
// Plain browser JavaScript modules, no dependencies.

import { showAudit } from "./console-audit.js";
import { failureChart, timelineChart } from "./console-charts.js";
import { access, api, attempt, byId, el, onSignedOut, orgPath, setStatus, tableOf } from "./console-core.js";
import { finishTestSignInHere, startTestSignIn, TEST_SIGNIN_PATH, testSignInRedirectUri } from "./console-test-signin.js";

const views = ["view-sign-in", "view-orgs", "view-org", "view-test-signin"];

function show(view) {
  for (const id of views) byId(id).hidden = id !== view;
  byId(view).querySelector("h1")?.focus();
}

onSignedOut.run = () => {
  show("view-sign-in");
  byId("sign-out").hidden = true;
};

async function showOrgs() {
  const orgs = await api("GET", "/api/v1/orgs");
  const list = byId("org-list");
  list.replaceChildren(
    ...orgs.map((org) => {
      const item = el("li");
      const open = el("button", org.name, { type: "button", class: "link" });
      open.addEventListener("click", () => attempt(() => showOrg(org.id)));
      item.append(open, el("span", `  ${org.domains.join(", ")}`, { class: "muted" }));
      return item;
    }),
  );
  if (orgs.length === 0) list.append(el("li", "No organisations yet: create one with the CLI or the admin API."));
  byId("sign-out").hidden = false;
  show("view-orgs");
}

async function showOrg(orgId) {
  const [org, providers, { events }] = await Promise.all([
    api("GET", orgPath(orgId)),
    api("GET", `${orgPath(orgId)}/oauth-providers`),
    api("GET", `${orgPath(orgId)}/events?limit=20`),
  ]);
  byId("org-title").textContent = org.name;
  byId("org-domains").textContent = org.domains.length ? `Domains: ${org.domains.join(", ")}` : "No domains";
  byId("back").hidden = access.orgId !== undefined;
  byId("panel").replaceChildren();
  byId("providers")
    .querySelector("tbody")
    .replaceChildren(...providers.map((provider) => providerRow(orgId, provider)));
  byId("events").replaceChildren(
    ...(events.length
      ? events.map((e) => el("li", `${e.at}  ${e.provider}: ${e.changes.map(describeChange).join("; ")}`))
      : [el("li", "No changes seen.")]),
  );
  await prepareWizard(orgId);
  await showAudit(
    orgId,
    providers.map((p) => p.providerName),
  );
  show("view-org");
}

const describeChange = (c) =>
  c.added || c.removed ? `${c.field} +${c.added.length} −${c.removed.length}` : `${c.field}: ${c.before ?? "none"} → ${c.after ?? "none"}`;

function providerRow(orgId, provider) {
  const row = el("tr");
  const name = provider.providerName;
  const base = `${orgPath(orgId)}/oauth-providers/${encodeURIComponent(name)}`;
  const actions = el("td", undefined, { class: "actions" });
  const button = (text, label, secondary) =>
    el("button", text, { type: "button", "aria-label": label, ...(secondary && { class: "secondary" }) });
  const doctor = button("Doctor", `Doctor ${name}`);
  doctor.addEventListener("click", () => attempt(() => runDoctor(base, name)));
  const test = button("Test sign-in", `Test sign-in at ${name}`, true);
  test.addEventListener("click", () => startTestSignIn(base, name));
  const health = button("Health", `Health of ${name}`, true);
  health.addEventListener("click", () => attempt(() => showHealth(base, name, "24h")));
  actions.append(doctor, " ", test, " ", health);
  row.append(
    el("td", name),
    el("td", provider.issuer ?? provider.tokenEndpoint ?? "-"),
    el("td", provider.redirectUris.join("\n")),
    actions,
  );
  return row;
}

async function runDoctor(base, name) {
  setStatus(`Examining ${name}…`);
  const { findings } = await api("POST", `${base}/doctor`);
  const table = tableOf(
    ["Check", "Status", "Finding", "What to change"],
    findings.map((f) => [f.check, f.status, f.message, f.fix ?? ""]),
  );
  findings.forEach((f, i) => (table.querySelectorAll("tbody tr")[i].children[1].className = f.status));
  byId("panel").replaceChildren(el("h2", `Doctor: ${name}`), table);
}

const WINDOWS = { "1h": "last hour", "24h": "last 24 hours", "7d": "last 7 days" };

async function showHealth(base, name, window) {
  const h = await api("GET", `${base}/health?window=${window}`);
  const choices = el("p", undefined, { class: "windows" });
  for (const [w, words] of Object.entries(WINDOWS)) {
    const choice = el("button", words, { type: "button", class: w === window ? "" : "secondary", "aria-pressed": String(w === window) });
    choice.addEventListener("click", () => attempt(() => showHealth(base, name, w)));
    choices.append(choice, " ");
  }
  const panel = [
    el("h2", `Health: ${name}, ${WINDOWS[window]}`),
    choices,
    el(
      "p",
      `${h.attempts} ${h.attempts === 1 ? "attempt" : "attempts"}, ${h.successes} succeeded; last success ${h.lastSuccessAt ?? "never"}.`,
    ),
  ];
  panel.push(timelineChart(h.series, h.bucketSeconds));
  const reasons = Object.entries(h.failures).sort(([, a], [, b]) => b - a);
  if (reasons.length) panel.push(el("h3", "Failures by reason"), failureChart(reasons));
  if (h.lastFailure) {
    panel.push(el("p", `Last failure: ${h.lastFailure.reason} at ${h.lastFailure.at}.`));
    if (h.lastFailure.fix) panel.push(el("p", `What to change: ${h.lastFailure.fix}`, { class: "fix" }));
  }
  byId("panel").replaceChildren(...panel);
}

/** The redirect URIs a provider added here must know: the sign-in page's callback, and the console's for test sign-ins. */
const redirectUris = [`${location.origin}/callback`, testSignInRedirectUri];
let presets = [];

/** The provider wizard: a preset, its options, the client's id and secret, and the redirect URIs to register. */
async function prepareWizard(orgId) {
  // The presets are the service's code: read once.
  if (presets.length === 0) presets = await api("GET", "/api/v1/provider-presets");
  const select = /** @type {HTMLSelectElement} */ (byId("wizard-preset"));
  select.replaceChildren(...presets.map((p) => el("option", p.title, { value: p.name })));
  byId("wizard-redirect").replaceChildren(...redirectUris.map((uri) => el("li", uri)));
  byId("wizard-form").dataset.orgId = orgId;
  presetChosen();
}

function presetChosen() {
  const preset = presets.find((p) => p.name === /** @type {HTMLSelectElement} */ (byId("wizard-preset")).value);
  byId("wizard-preset-help").textContent = preset?.description ?? "";
  byId("wizard-options").replaceChildren(
    ...(preset?.options ?? []).flatMap((option) => {
      const id = `wizard-option-${option.name}`;
      const input = el("input", undefined, { id, "data-option": option.name, placeholder: option.example });
      if (option.required) input.setAttribute("required", "");
      return [el("label", `${option.description}${option.required ? "" : " (optional)"}`, { for: id }), input];
    }),
  );
}

/**
 * Whether to go on saving over the provider `name`: a provider of that name is replaced, and if
 * the replacement changes its issuer, token endpoint or subject claim, its users' identity links
 * are dropped (the preset decides those, so the console cannot tell beforehand): ask first.
 */
async function replacementConfirmed(orgId, name) {
  // The list, not the provider itself: a new name would be a 404 the page logs as an error.
  const providers = await api("GET", `${orgPath(orgId)}/oauth-providers`);
  return (
    !providers.some((p) => p.providerName === name) ||
    confirm(
      `A provider named "${name}" exists and will be replaced. If its issuer, token endpoint or subject claim change, its identity links are dropped: its users link again at their next sign-in. Replace it?`,
    )
  );
}

async function saveFromWizard() {
  const form = byId("wizard-form");
  const value = (id) => /** @type {HTMLInputElement} */ (byId(id)).value.trim();
  const presetOptions = {};
  for (const input of form.querySelectorAll("input[data-option]")) {
    if (input.value.trim()) presetOptions[input.dataset.option] = input.value.trim();
  }
  const name = value("wizard-name");
  const orgId = form.dataset.orgId;
  const path = `${orgPath(orgId)}/oauth-providers/${encodeURIComponent(name)}`;
  if (!(await replacementConfirmed(orgId, name))) return;
  setStatus(`Saving ${name}…`);
  await api("PUT", path, {
    preset: value("wizard-preset"),
    presetOptions,
    clientId: value("wizard-client-id"),
    ...(value("wizard-client-secret") && { clientSecret: value("wizard-client-secret") }),
    redirectUris,
  });
  /** @type {HTMLFormElement} */ (form).reset();
  /** @type {HTMLDetailsElement} */ (byId("wizard")).open = false;
  await showOrg(orgId);
  await runDoctor(`${orgPath(orgId)}/oauth-providers/${encodeURIComponent(name)}`, name);
}

byId("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  attempt(async () => {
    const input = /** @type {HTMLInputElement} */ (byId("admin-token"));
    const response = await fetch("/admin/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ token: input.value }),
    });
    input.value = "";
    if (!response.ok) throw new Error((await response.json()).message);
    await enter();
  });
});

byId("sign-out").addEventListener("click", () =>
  attempt(async () => {
    await fetch("/admin/session", { method: "DELETE", credentials: "same-origin" });
    access.orgId = undefined;
    onSignedOut.run();
  }),
);

byId("back").addEventListener("click", () => attempt(showOrgs));
byId("wizard-preset").addEventListener("change", presetChosen);
byId("wizard-form").addEventListener("submit", (event) => {
  event.preventDefault();
  attempt(saveFromWizard);
});

/** After the console's cookie is set: an operator sees every organisation, an organisation admin their own. */
async function enter() {
  const session = await fetch("/admin/session", { headers: { accept: "application/json" }, credentials: "same-origin" });
  if (session.status === 401) return onSignedOut.run();
  const kind = session.ok ? await session.json() : { kind: "operator" };
  byId("sign-out").hidden = false;
  if (kind.kind === "org-admin") {
    access.orgId = kind.orgId;
    await showOrg(kind.orgId);
    return;
  }
  await showOrgs();
}

attempt(async () => {
  if (location.pathname === TEST_SIGNIN_PATH) return finishTestSignInHere(show);
  if (location.pathname === "/admin/setup") {
    const token = location.hash.slice(1);
    // The link's secret leaves the address bar at once; it works once anyway.
    history.replaceState(null, "", location.pathname);
    const response = await fetch("/api/v1/setup-sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.message);
    access.setupSession = data.sessionToken;
    access.orgId = data.orgId;
    await showOrg(data.orgId);
    return;
  }
  await enter();
});
