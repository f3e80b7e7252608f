// @ts-check
/* global navigator */
// An organisation's setup links (#/orgs/<id>/setup-links, the operator's): create one with an
// expiry, its URL shown once with a copy button; the list with each link's state; revoking one,
// after saying that a session it opened ends at once.

import { api, byId, el, inputById } from "./console-core.js";
import { route } from "./console-router.js";
import { act, confirmStep, labelCells, timeOf } from "./console-ui.js";

/** @typedef {import("./api-client.js").AnswerTo<"/api/v1/orgs/{orgId}/setup-links", "get">[number]} SetupLink */

/** The organisation whose links are shown. */
let shownOrg = "";

async function showSetupLinks(/** @type {string} */ orgId) {
  shownOrg = orgId;
  // The link's URL is shown once, when it is made: not again on coming back.
  hideCreated();
  const { data: org } = await api("get", "/api/v1/orgs/{orgId}", { params: { orgId } });
  byId("setup-links-title").textContent = `Setup links of ${org.name}`;
  await loadLinks();
  return "view-setup-links";
}

route("/orgs/:orgId/setup-links", ({ orgId = "" }) => showSetupLinks(orgId), { operatorOnly: true });

function hideCreated() {
  byId("setup-link-new").hidden = true;
  inputById("setup-link-url").value = "";
  byId("setup-link-copied").textContent = "";
}

async function loadLinks() {
  const { data: links } = await api("get", "/api/v1/orgs/{orgId}/setup-links", { params: { orgId: shownOrg } });
  const body = /** @type {HTMLTableSectionElement} */ (byId("setup-links").querySelector("tbody"));
  const empty = el("tr");
  empty.append(el("td", "No setup links yet.", { colspan: "5", class: "muted" }));
  body.replaceChildren(...(links.length ? links.map(linkRow) : [empty]));
  labelCells(/** @type {HTMLTableElement} */ (byId("setup-links")));
}

/** A short name for a link: the end of its id (ids begin with their time, so links made together share a start; its secret is never shown again). */
const shortName = (/** @type {SetupLink} */ link) => link.id.slice(-8);

/** Where a link stands: revoked, used (its session may still be open), expired, or waiting to be opened. */
function stateOf(/** @type {SetupLink} */ link) {
  if (link.revokedAt) return { words: "revoked", at: link.revokedAt, open: false };
  if (link.usedAt) return { words: "opened", at: link.usedAt, open: Date.parse(link.expiresAt) > Date.now() };
  if (Date.parse(link.expiresAt) <= Date.now()) return { words: "expired", at: null, open: false };
  return { words: "not opened yet", at: null, open: true };
}

function linkRow(/** @type {SetupLink} */ link) {
  const row = el("tr");
  const name = shortName(link);
  const state = stateOf(link);
  /** @param {HTMLElement} content */
  const cell = (content) => {
    const td = el("td");
    td.append(content);
    return td;
  };
  const status = el("td", state.words);
  if (state.at) status.append(" ", timeOf(state.at));
  const actions = el("td", undefined, { class: "actions" });
  if (state.open) {
    const revoke = el("button", "Revoke", { type: "button", class: "secondary", "aria-label": `Revoke setup link ${name}` });
    confirmStep(revoke, {
      consequence: `The link ${name} stops working, and a session it opened ends at once.`,
      confirmLabel: `Yes, revoke link ${name}`,
      run: async () => {
        await api("delete", "/api/v1/orgs/{orgId}/setup-links/{id}", { params: { orgId: shownOrg, id: link.id } });
        await loadLinks();
      },
    });
    actions.append(revoke);
  }
  row.append(el("td", name, { class: "mono" }), cell(timeOf(link.createdAt)), cell(timeOf(link.expiresAt)), status, actions);
  return row;
}

byId("setup-link-create").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  act(/** @type {HTMLButtonElement} */ (form.querySelector("button")), async () => {
    const hours = Number(/** @type {HTMLSelectElement} */ (byId("setup-link-hours")).value);
    const { data: link } = await api("post", "/api/v1/orgs/{orgId}/setup-links", {
      params: { orgId: shownOrg },
      body: { expiresInHours: hours },
    });
    hideCreated();
    inputById("setup-link-url").value = link.url;
    byId("setup-link-new").hidden = false;
    await loadLinks();
    inputById("setup-link-url").select();
    byId("setup-link-copy").focus();
  });
});

const copy = /** @type {HTMLButtonElement} */ (byId("setup-link-copy"));
copy.addEventListener("click", () =>
  act(copy, async () => {
    const url = inputById("setup-link-url");
    const said = byId("setup-link-copied");
    try {
      await navigator.clipboard.writeText(url.value);
      said.textContent = "Copied.";
    } catch {
      // No clipboard for this page (a browser's permission): the link is selected for copying by hand.
      url.select();
      said.textContent = "Selected: copy it with Ctrl+C (⌘C on a Mac).";
    }
  }),
);
