/* global URLSearchParams */
// The console's audit trail: an organisation's sign-in records and admin writes, newest first,
// narrowed by outcome, provider, event, email and actor, a page at a time; each admin write with
// who made it and what it changed, each failure with its reason and what to change.

import { api, attempt, byId, el, orgPath, rowOf } from "./console-core.js";

const PAGE = 25;
/** The organisation shown and where its next page starts. */
const shown = { orgId: "", nextCursor: /** @type {string | null} */ (null) };

const value = (id) => /** @type {HTMLInputElement} */ (byId(id)).value.trim();

/** Fills the provider filter with the organisation's providers and shows the first page of the trail. */
export async function showAudit(orgId, providerNames) {
  if (shown.orgId !== orgId) {
    /** @type {HTMLFormElement} */ (byId("audit-filter")).reset();
  }
  const select = /** @type {HTMLSelectElement} */ (byId("audit-provider"));
  const chosen = select.value;
  select.replaceChildren(el("option", "Any", { value: "" }), ...providerNames.map((name) => el("option", name, { value: name })));
  select.value = providerNames.includes(chosen) ? chosen : "";
  shown.orgId = orgId;
  await loadPage(undefined);
}

async function loadPage(cursor) {
  const query = new URLSearchParams({ limit: String(PAGE) });
  for (const [name, id] of [
    ["outcome", "audit-outcome"],
    ["provider", "audit-provider"],
    ["event", "audit-event"],
    ["email", "audit-email"],
    ["actor", "audit-actor"],
  ]) {
    if (value(id)) query.set(name, value(id));
  }
  if (cursor) query.set("cursor", cursor);
  const { records, nextCursor } = await api("GET", `${orgPath(shown.orgId)}/audit?${query}`);
  const body = byId("audit").querySelector("tbody");
  const rows = records.map(recordRow);
  if (cursor) body.append(...rows);
  else body.replaceChildren(...(rows.length ? rows : [emptyRow()]));
  shown.nextCursor = nextCursor;
  byId("audit-more").hidden = nextCursor === null;
}

/** A value as a change shows it: strings bare, none as "-", anything else as JSON. */
const shownValue = (v) => (v === null || v === undefined ? "-" : typeof v === "string" ? v : JSON.stringify(v));

/** What an admin write changed, one line a field: "field: before → after", or "field changed" for a secret. */
function changesCell(changes) {
  const cell = el("td");
  for (const c of changes ?? []) {
    const text = c.changed ? `${c.field} changed` : `${c.field}: ${shownValue(c.before)} → ${shownValue(c.after)}`;
    cell.append(el("div", text, { class: "change" }));
  }
  if (changes && changes.length === 0) cell.append(el("span", "no change", { class: "muted" }));
  return cell;
}

function recordRow(r) {
  const outcome = r.outcome === "failure" ? "failed" : "succeeded";
  const row = rowOf("td", [r.createdAt, r.event, r.actor ?? "-", r.email ?? "-", r.provider ?? "-", outcome]);
  row.children[5].className = r.outcome === "failure" ? "fail" : "pass";
  row.append(changesCell(r.changes));
  const why = el("td", r.reason ?? r.error ?? "");
  if (r.fix) why.append(el("div", r.fix, { class: "fix" }));
  row.append(why);
  return row;
}

function emptyRow() {
  const row = el("tr");
  row.append(el("td", "Nothing recorded matches.", { colspan: "8", class: "muted" }));
  return row;
}

byId("audit-filter").addEventListener("submit", (event) => {
  event.preventDefault();
  attempt(() => loadPage(undefined));
});
byId("audit-more").addEventListener("click", () => attempt(() => loadPage(shown.nextCursor)));
