// @ts-check
/* global document */
// A provider's own page, at #/orgs/<id>/providers/<name>: every setting, saved with one button;
// the next client secret promoted; the provider deleted. A save that would drop the provider's
// identity links (another issuer, token endpoint or subject claim) says so and asks first; a
// refusal is shown beside the field it names.

import { access, api, el } from "./console-core.js";
import { bodyOf, OAUTH_SETTINGS, refusalInForm, settingFields, subjectNamespace } from "./console-provider-form.js";
import { navigate, pathTo, refresh, route } from "./console-router.js";
import { act, confirmStep, timeOf } from "./console-ui.js";

/** @typedef {import("./console-provider-form.js").ProviderView} ProviderView */

const PREFIX = "provider";

/** A page of the console: a section of <main>, hidden until its address is shown. */
export function pageSection(/** @type {string} */ id, /** @type {string} */ title) {
  const section = el("section", undefined, { id, "aria-labelledby": `${id}-title`, hidden: "" });
  section.append(el("h1", title, { id: `${id}-title`, tabindex: "-1" }));
  document.querySelector("main")?.append(section);
  return section;
}

const section = pageSection("view-provider", "Provider");

/**
 * Asks beside `anchor` before going on: what will happen, a button that goes on, one that does
 * not. Answers whether to go on.
 * @param {HTMLElement} anchor @param {string} consequence @param {string} goOn
 * @returns {Promise<boolean>}
 */
export function askFirst(anchor, consequence, goOn) {
  return new Promise((answer) => {
    const box = el("div", undefined, { class: "confirm", role: "group", "aria-label": goOn });
    const yes = el("button", goOn, { type: "button", class: "danger" });
    const no = el("button", "Cancel", { type: "button", class: "secondary" });
    box.append(el("p", consequence), yes, " ", no);
    const done = (/** @type {boolean} */ go) => {
      box.remove();
      if (!go) anchor.focus();
      answer(go);
    };
    yes.addEventListener("click", () => done(true));
    no.addEventListener("click", () => done(false));
    anchor.after(box);
    yes.focus();
  });
}

/** The provider's page: its settings form, its secret rotation, and deleting it. */
async function showProvider(/** @type {{ orgId?: string; name?: string }} */ { orgId = "", name = "" }) {
  const params = { orgId, name };
  const [{ data: provider }, { data: org }] = await Promise.all([
    api("get", "/api/v1/orgs/{orgId}/oauth-providers/{name}", { params }),
    api("get", "/api/v1/orgs/{orgId}", { params: { orgId } }),
  ]);
  const title = /** @type {HTMLElement} */ (section.querySelector("h1"));
  title.textContent = `Provider ${name}`;
  const back = el("p");
  back.append(el("a", `← ${org.name}: providers`, { href: pathTo("orgs", orgId) }));
  const saved = el("p", undefined, { class: "muted" });
  const savedBy = provider.identitySettingsSavedBy === "operator" ? "the operator" : "an organisation admin or a setup link";
  saved.append("Last saved ", timeOf(provider.updatedAt), `; its identity settings by ${savedBy}.`);
  section.replaceChildren(back, title, saved, settingsForm(orgId, provider), rotation(orgId, provider), removal(orgId, name));
  return section.id;
}

/** The settings form; "Save" sends every setting shown. */
function settingsForm(/** @type {string} */ orgId, /** @type {ProviderView} */ provider) {
  const name = provider.providerName;
  const form = el("form", undefined, { "aria-label": `Settings of ${name}`, class: "settings" });
  const settings = OAUTH_SETTINGS.filter((s) => access.orgId === undefined || !s.operatorOnly);
  const save = el("button", "Save", { type: "submit" });
  const outcome = el("p", undefined, { role: "status", class: "saved" });
  form.append(...settingFields(PREFIX, settings, provider, access.orgId === undefined), save, outcome);
  /** The field a refusal names, when it names one: its words are shown there. */
  let refused = /** @type {HTMLElement | undefined} */ (undefined);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    outcome.textContent = "";
    const body = bodyOf(form, PREFIX, settings);
    act(
      save,
      async () => {
        refused = undefined;
        if (
          subjectNamespace(body) !== subjectNamespace(provider) &&
          !(await askFirst(save, dropWarning(name), "Save and drop identity links"))
        )
          return;
        try {
          const { data } = await api("put", "/api/v1/orgs/{orgId}/oauth-providers/{name}", { params: { orgId, name }, body });
          await refresh();
          const shown = document.querySelector("#view-provider .saved");
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

const dropWarning = (/** @type {string} */ name) =>
  `This changes where ${name}'s accounts come from (its issuer, token endpoint or subject claim): its identity links are dropped, and its users link again at their next sign-in, by their verified email as far as the provider may link.`;

const savedWords = (/** @type {string} */ name, /** @type {number} */ dropped) =>
  `Saved ${name}.${dropped ? ` ${dropped} identity ${dropped === 1 ? "link was" : "links were"} dropped: those users link again at their next sign-in.` : ""}`;

/** A client-secret rotation: whether a next secret is stored, and promoting it. */
function rotation(/** @type {string} */ orgId, /** @type {ProviderView} */ provider) {
  const name = provider.providerName;
  const block = el("section", undefined, { "aria-labelledby": "rotation-title" });
  block.append(el("h2", "Client secret rotation", { id: "rotation-title" }));
  if (!provider.nextClientSecretSet) {
    block.append(
      el("p", "No next secret is stored: set one in Next client secret above, and Save, to start a rotation.", { class: "muted" }),
    );
    return block;
  }
  block.append(el("p", "A next secret is stored: sign-ins fall back to it when the provider refuses the current one."));
  const promote = el("button", "Promote next secret", { type: "button" });
  confirmStep(promote, {
    consequence: `The next secret becomes ${name}'s client secret and the current one is forgotten. Do it once the provider has switched to the next one.`,
    confirmLabel: "Make the next secret current",
    run: async () => {
      await api("post", "/api/v1/orgs/{orgId}/oauth-providers/{name}/promote-secret", { params: { orgId, name } });
      await refresh();
    },
  });
  block.append(promote);
  return block;
}

/** Deleting the provider, after a confirm step that says what stops. */
function removal(/** @type {string} */ orgId, /** @type {string} */ name) {
  const block = el("section", undefined, { "aria-labelledby": "removal-title" });
  block.append(el("h2", "Delete", { id: "removal-title" }));
  const remove = /** @type {HTMLButtonElement} */ (el("button", "Delete provider", { type: "button", class: "danger" }));
  confirmStep(remove, {
    consequence: `Deleting ${name} stops every sign-in through it at once; its users stay, and sign in through another provider of the organisation.`,
    confirmLabel: `Delete ${name}`,
    run: async () => {
      await api("delete", "/api/v1/orgs/{orgId}/oauth-providers/{name}", { params: { orgId, name } });
      navigate(pathTo("orgs", orgId));
    },
  });
  block.append(remove);
  return block;
}

route("/orgs/:orgId/providers/:name", showProvider);
