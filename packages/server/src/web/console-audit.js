// @ts-check
// The console's audit trail: an organisation's sign-in records and admin writes, newest first,
// narrowed by outcome, provider, event, email and actor, a page at a time; each admin write with
// who made it and what it changed, each sign-in step with the client's address and the redirect
// URI it tried, each failure with its reason and what to change (worded for the console).

import { api, attempt, byId, el, inputById } from "./console-core.js";
import { timeOf } from "./console-ui.js";

/** @typedef {import("./api-client.js").Schemas} Schemas */
/** @typedef {NonNullable<import("./api-client.js").QueryTo<"/api/v1/orgs/{orgId}/audit", "get">>} AuditQuery */

const PAGE = 25;
/** The organisation shown and where its next page starts. */
const shown = { orgId: "", nextCursor: /** @type {string | null} */ (null) };

const value = (/** @type {string} */ id) => inputById(id).value.trim();

/**
 * Fills the provider filter with the organisation's providers and shows the first page of the trail.
 * @param {string} orgId @param {string[]} providerNames
 */
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

/** Shows the page of the trail that starts at `cursor` (the first when undefined), as the filter narrows it. */
async function loadPage(/** @type {string | undefined} */ cursor) {
  /** @type {AuditQuery} */
  const query = { limit: String(PAGE) };
  const outcome = value("audit-outcome");
  if (outcome === "success" || outcome === "failure") query.outcome = outcome;
  for (const [name, id] of /** @type {const} */ ([
    ["provider", "audit-provider"],
    ["event", "audit-event"],
    ["email", "audit-email"],
    ["actor", "audit-actor"],
  ])) {
    if (value(id)) query[name] = value(id);
  }
  if (cursor) query.cursor = cursor;
  const { data } = await api("get", "/api/v1/orgs/{orgId}/audit", { params: { orgId: shown.orgId }, query });
  const body = /** @type {HTMLTableSectionElement} */ (byId("audit").querySelector("tbody"));
  const rows = data.records.map(recordRow);
  if (cursor) body.append(...rows);
  else body.replaceChildren(...(rows.length ? rows : [emptyRow()]));
  shown.nextCursor = data.nextCursor;
  byId("audit-more").hidden = data.nextCursor === null;
}

/** A value as a change shows it: strings bare, none as "-", anything else as JSON. */
const shownValue = (/** @type {unknown} */ v) => (v === null || v === undefined ? "-" : typeof v === "string" ? v : JSON.stringify(v));

/** What an admin write changed, one line a field: "field: before → after", or "field changed" for a secret. */
function changesCell(/** @type {Schemas["AuditRecord"]["changes"]} */ changes) {
  const cell = el("td");
  for (const c of changes ?? []) {
    const text = "changed" in c ? `${c.field} changed` : `${c.field}: ${shownValue(c.before)} → ${shownValue(c.after)}`;
    cell.append(el("div", text, { class: "change" }));
  }
  if (changes && changes.length === 0) cell.append(el("span", "no change", { class: "muted" }));
  return cell;
}

function recordRow(/** @type {Schemas["AuditRecord"]} */ r) {
  const outcome = r.outcome === "failure" ? "failed" : "succeeded";
  const row = el("tr");
  const when = el("td");
  when.append(timeOf(r.createdAt));
  row.append(when, ...[r.event, r.actor ?? "-", r.email ?? "-", r.provider ?? "-", outcome].map((text) => el("td", text)));
  row.children[5].className = r.outcome === "failure" ? "fail" : "pass";
  row.append(changesCell(r.changes), el("td", r.ip ?? "-"), el("td", r.redirectUri ?? "-"));
  const why = el("td", r.reason ?? r.error ?? "");
  if (r.fix) why.append(el("div", r.fix, { class: "fix" }));
  row.append(why);
  return row;
}

function emptyRow() {
  const row = el("tr");
  row.append(el("td", "Nothing recorded matches.", { colspan: "10", class: "muted" }));
  return row;
}

byId("audit-filter").addEventListener("submit", (event) => {
  event.preventDefault();
  attempt(() => loadPage(undefined));
});
byId("audit-more").addEventListener("click", () => attempt(() => loadPage(shown.nextCursor ?? undefined)));
