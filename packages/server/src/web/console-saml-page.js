// @ts-check
/* global document */
// A SAML provider's own page, at #/orgs/<id>/saml-providers/<name>: the values to register at the
// IdP (each with a copy button), the IdP's certificates with their expiry, every setting saved with
// one button (a refusal shown beside the field it names), the doctor, health and a test sign-in,
// and deleting it. A save that may move the provider's accounts to another IdP entity ID or
// subject attribute says so and asks first; the answer says how many identity links were dropped.

import { access, api, attempt, el, tableOf } from "./console-core.js";
import { refusalInForm, settingFields } from "./console-provider-form.js";
import { askFirst, pageSection } from "./console-provider-page.js";
import { runDoctor, showHealth } from "./console-provider.js";
import { navigate, pathTo, refresh, route } from "./console-router.js";
import { SAML_SETTINGS, samlBodyOf, spValues } from "./console-saml-form.js";
import { startTestSignIn } from "./console-test-signin.js";
import { act, confirmStep, labelCells, timeOf } from "./console-ui.js";

/** @typedef {import("./console-saml-form.js").SamlProviderView} SamlProviderView */
/** @typedef {import("./console-saml-form.js").SamlProviderBody} SamlProviderBody */

const PREFIX = "saml";
const DAY_MS = 86_400_000;
/** Under this many days to expiry a certificate is flagged, as the doctor and the watch do. */
const WARN_DAYS = 30;

const section = pageSection("view-saml-provider", "SAML provider");

async function showSamlProvider(/** @type {{ orgId?: string; name?: string }} */ { orgId = "", name = "" }) {
  const params = { orgId, name };
  const [{ data: provider }, { data: org }] = await Promise.all([
    api("get", "/api/v1/orgs/{orgId}/saml-providers/{name}", { params }),
    api("get", "/api/v1/orgs/{orgId}", { params: { orgId } }),
  ]);
  const title = /** @type {HTMLElement} */ (section.querySelector("h1"));
  title.textContent = `SAML provider ${name}`;
  const back = el("p");
  back.append(el("a", `← ${org.name}: providers`, { href: pathTo("orgs", orgId) }));
  const saved = el("p", undefined, { class: "muted" });
  const savedBy = provider.identitySettingsSavedBy === "operator" ? "the operator" : "an organisation admin or a setup link";
  saved.append("Last saved ", timeOf(provider.updatedAt), `; its identity settings by ${savedBy}.`);
  section.replaceChildren(
    back,
    title,
    saved,
    heading("Values to register at the IdP", "saml-sp-title"),
    spValues(provider),
    heading("IdP certificates", "saml-certs-title"),
    certificates(provider),
    checks(orgId, name),
    heading("Settings", "saml-settings-title"),
    settingsForm(orgId, provider),
    removal(orgId, name),
  );
  return section.id;
}

route("/orgs/:orgId/saml-providers/:name", showSamlProvider);

const heading = (/** @type {string} */ text, /** @type {string} */ id) => el("h2", text, { id });

/** The IdP's signing certificates: fingerprint and expiry, flagged under 30 days and when expired. */
function certificates(/** @type {SamlProviderView} */ provider) {
  if (provider.idpCertificates.length === 0) return el("p", "No certificate: sign-ins are refused until one is given.", { class: "fail" });
  const table = tableOf(["SHA-256 fingerprint", "Expires", "Status"], []);
  table.classList.add("stack");
  const body = /** @type {HTMLTableSectionElement} */ (table.querySelector("tbody"));
  for (const cert of provider.idpCertificates) {
    const days = Math.floor((Date.parse(cert.notAfter) - Date.now()) / DAY_MS);
    const row = el("tr");
    const expires = el("td");
    expires.append(timeOf(cert.notAfter));
    const status =
      days < 0
        ? el("td", "Expired: sign-ins signed with it are refused. Give the IdP's new certificate.", { class: "fail" })
        : days < WARN_DAYS
          ? el("td", `Expires in ${days} ${days === 1 ? "day" : "days"}: have the IdP publish its next certificate.`, { class: "warn" })
          : el("td", "Valid", { class: "pass" });
    row.append(el("td", undefined), expires, status);
    row.firstElementChild?.append(el("code", cert.fingerprintSha256, { class: "fingerprint" }));
    body.append(row);
  }
  labelCells(table);
  const box = el("div", undefined, { class: "table-box" });
  box.append(table);
  return box;
}

/**
 * The doctor, health and a test sign-in (as the account typed on the organisation's page, if
 * any), each showing its result in the page's own panel.
 */
function checks(/** @type {string} */ orgId, /** @type {string} */ name) {
  const block = el("section", undefined, { "aria-labelledby": "saml-checks-title" });
  block.append(heading("Checks", "saml-checks-title"));
  const panel = el("div", undefined, { "aria-live": "polite", class: "panel" });
  /** @type {import("./console-core.js").ProviderRef} */
  const ref = { orgId, name, kind: "saml" };
  const doctor = el("button", "Run the doctor", { type: "button" });
  doctor.addEventListener("click", () => act(doctor, () => runDoctor(ref, panel)));
  const health = el("button", "Health", { type: "button", class: "secondary", "aria-label": `Health of ${name}` });
  health.addEventListener("click", () => attempt(() => showHealth(ref, "24h", panel)));
  const test = el("button", "Test sign-in", { type: "button", class: "secondary", "aria-label": `Test sign-in at ${name}` });
  test.addEventListener("click", () => startTestSignIn(ref, panel));
  block.append(doctor, " ", health, " ", test, panel);
  return block;
}

/** The settings form; "Save" sends every setting shown. */
function settingsForm(/** @type {string} */ orgId, /** @type {SamlProviderView} */ provider) {
  const name = provider.providerName;
  const form = el("form", undefined, { "aria-label": `Settings of ${name}`, class: "settings" });
  const operator = access.orgId === undefined;
  const settings = SAML_SETTINGS.filter((s) => operator || !s.operatorOnly);
  const save = el("button", "Save", { type: "submit" });
  const outcome = el("p", undefined, { role: "status", class: "saved" });
  form.append(
    el("p", "The IdP's values one way: its metadata URL, or its metadata XML, or its entity ID, SSO URL and certificates.", {
      class: "muted",
    }),
    ...settingFields(PREFIX, settings, /** @type {never} */ (provider), operator),
    save,
    outcome,
  );
  /** The field a refusal names, when it names one: its words are shown there. */
  let refused = /** @type {HTMLElement | undefined} */ (undefined);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    outcome.textContent = "";
    const body = samlBodyOf(form, PREFIX, settings);
    act(
      save,
      async () => {
        refused = undefined;
        if (movesAccounts(provider, body) && !(await askFirst(save, dropWarning(name), "Save and drop identity links"))) return;
        try {
          const { data } = await api("put", "/api/v1/orgs/{orgId}/saml-providers/{name}", { params: { orgId, name }, body });
          await refresh();
          const shown = document.querySelector("#view-saml-provider .saved");
          if (shown) shown.textContent = savedWords(name, data.identityLinksDropped);
        } catch (error) {
          const refusal = refusalInForm(error, form, PREFIX, settings, `Providers › ${name}`);
          refused = refusal.field;
          throw refusal.error;
        }
      },
      () => refused ?? save,
    );
  });
  return form;
}

/**
 * Whether a save may move the provider's accounts (another IdP, or another attribute naming the
 * user), which drops its identity links: a changed metadata URL may name another entity ID.
 */
function movesAccounts(/** @type {SamlProviderView} */ provider, /** @type {SamlProviderBody} */ body) {
  if ((body.subjectAttribute ?? "") !== (provider.subjectAttribute ?? "")) return true;
  if (body.idpMetadataUrl !== undefined) return body.idpMetadataUrl !== provider.idpMetadataUrl;
  return body.idpEntityId !== undefined && body.idpEntityId !== provider.idpEntityId;
}

const dropWarning = (/** @type {string} */ name) =>
  `This may change where ${name}'s accounts come from (the IdP's entity ID, or the subject attribute): if it does, its identity links are dropped, and its users link again at their next sign-in, by their email as far as the provider may link.`;

const savedWords = (/** @type {string} */ name, /** @type {number} */ dropped) =>
  `Saved ${name}.${dropped ? ` ${dropped} identity ${dropped === 1 ? "link was" : "links were"} dropped: those users link again at their next sign-in.` : ""}`;

/** Deleting the provider, after a confirm step that says what stops. */
function removal(/** @type {string} */ orgId, /** @type {string} */ name) {
  const block = el("section", undefined, { "aria-labelledby": "saml-removal-title" });
  block.append(heading("Delete", "saml-removal-title"));
  const remove = /** @type {HTMLButtonElement} */ (el("button", "Delete provider", { type: "button", class: "danger" }));
  confirmStep(remove, {
    consequence: `Deleting ${name} stops every sign-in through it at once; its users stay, and sign in through another provider of the organisation.`,
    confirmLabel: `Delete ${name}`,
    run: async () => {
      await api("delete", "/api/v1/orgs/{orgId}/saml-providers/{name}", { params: { orgId, name } });
      navigate(pathTo("orgs", orgId));
    },
  });
  block.append(remove);
  return block;
}
