/* global document, history, location */
// The admin console: organisations, their providers, the provider doctor, health over time and
// change events, on the admin API. An operator signs in with the admin token once (the service
// answers an HttpOnly cookie); a setup link's holder arrives at /admin/setup#<token>, which is
// redeemed once for a session held in memory only. Plain browser JavaScript, no dependencies.

const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const views = ["view-sign-in", "view-orgs", "view-org"];

/** How this page talks to the admin API: the operator's cookie (with the console header), or a setup session's bearer token. */
const access = { setupSession: /** @type {string | undefined} */ (undefined), orgId: /** @type {string | undefined} */ (undefined) };

function show(view) {
  for (const id of views) byId(id).hidden = id !== view;
  byId(view).querySelector("h1")?.focus();
}

const setError = (text) => (byId("error").textContent = text ?? "");
const setStatus = (text) => (byId("status").textContent = text ?? "");

/** An element with text and attributes; never HTML from data. */
function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

class Unauthorized extends Error {}

async function api(method, path, body) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (access.setupSession) headers.authorization = `Bearer ${access.setupSession}`;
  else headers["x-pipeshub-console"] = "1";
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : undefined;
  if (response.status === 401) throw new Unauthorized(data?.message ?? "Not signed in.");
  if (!response.ok) throw new Error(data?.message ?? `The service answered ${response.status}.`);
  return data;
}

/** Runs a step of the page; its failure is shown in words, and a lost session leads back to sign-in. */
async function attempt(step) {
  setError("");
  try {
    await step();
  } catch (error) {
    if (error instanceof Unauthorized && !access.setupSession) {
      show("view-sign-in");
      byId("sign-out").hidden = true;
      return;
    }
    setError(error instanceof Error ? error.message : String(error));
  } finally {
    setStatus("");
  }
}

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
  const org = await api("GET", `/api/v1/orgs/${encodeURIComponent(orgId)}`);
  byId("org-title").textContent = org.name;
  byId("org-domains").textContent = org.domains.length ? `Domains: ${org.domains.join(", ")}` : "No domains";
  byId("back").hidden = Boolean(access.setupSession);
  byId("panel").replaceChildren();
  const providers = await api("GET", `/api/v1/orgs/${encodeURIComponent(orgId)}/oauth-providers`);
  byId("providers")
    .querySelector("tbody")
    .replaceChildren(...providers.map((provider) => providerRow(orgId, provider)));
  const { events } = await api("GET", `/api/v1/orgs/${encodeURIComponent(orgId)}/events?limit=20`);
  byId("events").replaceChildren(
    ...(events.length
      ? events.map((e) => el("li", `${e.at}  ${e.provider}: ${e.changes.map(describeChange).join("; ")}`))
      : [el("li", "No changes seen.")]),
  );
  await prepareWizard(orgId);
  byId("failures-block").hidden = Boolean(access.setupSession);
  if (!access.setupSession) {
    const { records: failures } = await api("GET", `/api/v1/orgs/${encodeURIComponent(orgId)}/audit?limit=10&outcome=failure`);
    byId("failures").replaceChildren(
      ...(failures.length
        ? failures.map((r) => {
            const item = el("li", `${r.createdAt}  ${r.email ?? "-"} via ${r.provider ?? "-"}: ${r.reason ?? r.error}`);
            if (r.fix) item.append(el("div", r.fix, { class: "fix" }));
            return item;
          })
        : [el("li", "None recently.")]),
    );
  }
  show("view-org");
}

const describeChange = (c) =>
  c.added || c.removed ? `${c.field} +${c.added.length} −${c.removed.length}` : `${c.field}: ${c.before ?? "none"} → ${c.after ?? "none"}`;

function providerRow(orgId, provider) {
  const row = el("tr");
  const base = `/api/v1/orgs/${encodeURIComponent(orgId)}/oauth-providers/${encodeURIComponent(provider.providerName)}`;
  const actions = el("td");
  const doctor = el("button", "Doctor", { type: "button", "aria-label": `Doctor ${provider.providerName}` });
  doctor.addEventListener("click", () => attempt(() => runDoctor(base, provider.providerName)));
  const health = el("button", "Health", { type: "button", class: "secondary", "aria-label": `Health of ${provider.providerName}` });
  health.addEventListener("click", () => attempt(() => showHealth(base, provider.providerName)));
  actions.append(doctor, " ", health);
  row.append(
    el("td", provider.providerName),
    el("td", provider.issuer ?? provider.tokenEndpoint ?? "-"),
    el("td", provider.redirectUris.join("\n")),
    actions,
  );
  return row;
}

async function runDoctor(base, name) {
  setStatus(`Examining ${name}…`);
  const { findings } = await api("POST", `${base}/doctor`);
  const table = el("table");
  table.append(el("thead"));
  table.querySelector("thead").append(rowOf("th", ["Check", "Status", "Finding", "What to change"]));
  const body = el("tbody");
  for (const f of findings) {
    const row = rowOf("td", [f.check, f.status, f.message, f.fix ?? ""]);
    row.children[1].className = f.status;
    body.append(row);
  }
  table.append(body);
  byId("panel").replaceChildren(el("h2", `Doctor: ${name}`), table);
}

function rowOf(cell, texts) {
  const row = el("tr");
  row.append(...texts.map((text) => el(cell, text)));
  return row;
}

async function showHealth(base, name) {
  const h = await api("GET", `${base}/health?window=7d`);
  const panel = [
    el("h2", `Health: ${name}, last 7 days`),
    el("p", `${h.attempts} attempts, ${h.successes} succeeded; last success ${h.lastSuccessAt ?? "never"}.`),
  ];
  const reasons = Object.entries(h.failures).sort(([, a], [, b]) => b - a);
  if (reasons.length) panel.push(failureChart(reasons));
  if (h.lastFailure) {
    panel.push(el("p", `Last failure: ${h.lastFailure.reason} at ${h.lastFailure.at}.`));
    if (h.lastFailure.fix) panel.push(el("p", `What to change: ${h.lastFailure.fix}`, { class: "fix" }));
  }
  byId("panel").replaceChildren(...panel);
}

/** The sign-in page's callback: the redirect URI a provider added here must know. */
const redirectUri = `${location.origin}/callback`;
let presets = [];

/** The provider wizard: a preset, its options, the client's id and secret, and the redirect URI to register. */
async function prepareWizard(orgId) {
  presets = await api("GET", "/api/v1/provider-presets");
  const select = /** @type {HTMLSelectElement} */ (byId("wizard-preset"));
  select.replaceChildren(...presets.map((p) => el("option", p.title, { value: p.name })));
  byId("wizard-redirect").textContent = redirectUri;
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

async function saveFromWizard() {
  const form = byId("wizard-form");
  const value = (id) => /** @type {HTMLInputElement} */ (byId(id)).value.trim();
  const presetOptions = {};
  for (const input of form.querySelectorAll("input[data-option]")) {
    if (input.value.trim()) presetOptions[input.dataset.option] = input.value.trim();
  }
  const name = value("wizard-name");
  const orgId = form.dataset.orgId;
  setStatus(`Saving ${name}…`);
  await api("PUT", `/api/v1/orgs/${encodeURIComponent(orgId)}/oauth-providers/${encodeURIComponent(name)}`, {
    preset: value("wizard-preset"),
    presetOptions,
    clientId: value("wizard-client-id"),
    ...(value("wizard-client-secret") && { clientSecret: value("wizard-client-secret") }),
    redirectUris: [redirectUri],
  });
  /** @type {HTMLInputElement} */ (byId("wizard-client-secret")).value = "";
  await showOrg(orgId);
  await runDoctor(`/api/v1/orgs/${encodeURIComponent(orgId)}/oauth-providers/${encodeURIComponent(name)}`, name);
}

/** Failures by reason as horizontal bars: SVG drawn here, nothing loaded from elsewhere. */
function failureChart(reasons) {
  const ns = "http://www.w3.org/2000/svg";
  const max = Math.max(...reasons.map(([, n]) => n));
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", "520");
  svg.setAttribute("height", String(reasons.length * 24));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", reasons.map(([reason, n]) => `${reason}: ${n}`).join(", "));
  reasons.forEach(([reason, n], i) => {
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", "0");
    label.setAttribute("y", String(i * 24 + 15));
    label.textContent = `${reason} (${n})`;
    const bar = document.createElementNS(ns, "rect");
    bar.setAttribute("class", "bar");
    bar.setAttribute("x", "230");
    bar.setAttribute("y", String(i * 24 + 4));
    bar.setAttribute("height", "14");
    bar.setAttribute("width", String(Math.max(2, (280 * n) / max)));
    svg.append(label, bar);
  });
  return svg;
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
    await showOrgs();
  });
});

byId("sign-out").addEventListener("click", () =>
  attempt(async () => {
    await fetch("/admin/session", { method: "DELETE", credentials: "same-origin" });
    byId("sign-out").hidden = true;
    show("view-sign-in");
  }),
);

byId("back").addEventListener("click", () => attempt(showOrgs));
byId("wizard-preset").addEventListener("change", presetChosen);
byId("wizard-form").addEventListener("submit", (event) => {
  event.preventDefault();
  attempt(saveFromWizard);
});

attempt(async () => {
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
  await showOrgs();
});
