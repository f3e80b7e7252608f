// @ts-check
// The console's actions on one provider of an organisation: its row in the providers table, the
// provider doctor, its sign-in health over time, and a test sign-in.

import { failureChart, timelineChart } from "./console-charts.js";
import { api, attempt, byId, el, setStatus, tableOf } from "./console-core.js";
import { pathTo } from "./console-router.js";
import { startTestSignIn } from "./console-test-signin.js";

/** @typedef {import("./console-core.js").ProviderRef} ProviderRef */
/** @typedef {import("./api-client.js").AnswerTo<"/api/v1/orgs/{orgId}/oauth-providers", "get">[number]} Provider */
/** @typedef {NonNullable<NonNullable<import("./api-client.js").QueryTo<"/api/v1/orgs/{orgId}/oauth-providers/{name}/health", "get">>["window"]>} HealthWindow */

/** @typedef {import("./api-client.js").AnswerTo<"/api/v1/orgs/{orgId}/saml-providers", "get">[number]} SamlProvider */

/**
 * A provider's row: its name (a SAML provider's marked "SAML"), issuer (or token endpoint, or
 * the IdP's entity ID), redirect URIs and the actions on it.
 */
export function providerRow(/** @type {string} */ orgId, /** @type {Provider | SamlProvider} */ provider) {
  const row = el("tr");
  const name = provider.providerName;
  const saml = "type" in provider && provider.type === "saml";
  /** @type {ProviderRef} */
  const ref = saml ? { orgId, name, kind: "saml" } : { orgId, name };
  const actions = el("td", undefined, { class: "actions" });
  /** @param {string} text @param {string} label @param {boolean} [secondary] */
  const button = (text, label, secondary) =>
    el("button", text, { type: "button", "aria-label": label, ...(secondary && { class: "secondary" }) });
  const doctor = button("Doctor", `Doctor ${name}`);
  doctor.addEventListener("click", () => attempt(() => runDoctor(ref)));
  const test = button("Test sign-in", `Test sign-in at ${name}`, true);
  test.addEventListener("click", () => startTestSignIn(ref));
  const health = button("Health", `Health of ${name}`, true);
  health.addEventListener("click", () => attempt(() => showHealth(ref, "24h")));
  actions.append(doctor, " ", test, " ", health);
  // The provider's own page: every setting, its secrets, deleting it.
  const page = el("td");
  page.append(el("a", name, { href: pathTo("orgs", orgId, saml ? "saml-providers" : "providers", name) }));
  if (saml) page.append(" ", el("span", "SAML", { class: "badge", title: "A SAML 2.0 provider" }));
  const source = "idpEntityId" in provider ? provider.idpEntityId : (provider.issuer ?? provider.tokenEndpoint ?? "-");
  row.append(page, el("td", source), el("td", provider.redirectUris.join("\n")), actions);
  return row;
}

/** Runs the provider doctor and shows its findings, each status cell styled by its status. */
export async function runDoctor(/** @type {ProviderRef} */ ref, panel = byId("panel")) {
  setStatus(`Examining ${ref.name}…`);
  const params = { orgId: ref.orgId, name: ref.name };
  const { data } =
    ref.kind === "saml"
      ? await api("post", "/api/v1/orgs/{orgId}/saml-providers/{name}/doctor", { params })
      : await api("post", "/api/v1/orgs/{orgId}/oauth-providers/{name}/doctor", { params });
  const { findings } = data;
  const table = tableOf(
    ["Check", "Status", "Finding", "What to change"],
    findings.map((f) => [f.check, f.status, f.message, f.fix ?? ""]),
  );
  const rows = table.querySelectorAll("tbody tr");
  findings.forEach((f, i) => {
    const cell = rows[i]?.children[1];
    if (cell) cell.className = f.status;
  });
  panel.replaceChildren(el("h2", `Doctor: ${ref.name}`), table);
}

/** @type {Record<HealthWindow, string>} */
const WINDOWS = { "1h": "last hour", "24h": "last 24 hours", "7d": "last 7 days" };

/** How sign-ins through the provider went over `window`: counts, a timeline, failures by reason. */
export async function showHealth(/** @type {ProviderRef} */ ref, /** @type {HealthWindow} */ window, panel = byId("panel")) {
  const params = { orgId: ref.orgId, name: ref.name };
  const { data: h } =
    ref.kind === "saml"
      ? await api("get", "/api/v1/orgs/{orgId}/saml-providers/{name}/health", { params, query: { window } })
      : await api("get", "/api/v1/orgs/{orgId}/oauth-providers/{name}/health", { params, query: { window } });
  const choices = el("p", undefined, { class: "windows" });
  for (const [w, words] of /** @type {[HealthWindow, string][]} */ (Object.entries(WINDOWS))) {
    const choice = el("button", words, { type: "button", class: w === window ? "" : "secondary", "aria-pressed": String(w === window) });
    choice.addEventListener("click", () => attempt(() => showHealth(ref, w, panel)));
    choices.append(choice, " ");
  }
  /** @type {Element[]} */
  const parts = [
    el("h2", `Health: ${ref.name}, ${WINDOWS[window]}`),
    choices,
    el(
      "p",
      `${h.attempts} ${h.attempts === 1 ? "attempt" : "attempts"}, ${h.successes} succeeded; last success ${h.lastSuccessAt ?? "never"}.`,
    ),
  ];
  parts.push(timelineChart(h.series, h.bucketSeconds));
  const reasons = Object.entries(h.failures).sort(([, a], [, b]) => b - a);
  if (reasons.length) parts.push(el("h3", "Failures by reason"), failureChart(reasons));
  if (h.lastFailure) {
    parts.push(el("p", `Last failure: ${h.lastFailure.reason} at ${h.lastFailure.at}.`));
    if (h.lastFailure.fix) parts.push(el("p", `What to change: ${h.lastFailure.fix}`, { class: "fix" }));
  }
  panel.replaceChildren(...parts);
}
