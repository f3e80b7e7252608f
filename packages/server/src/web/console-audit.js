/* global URLSearchParams */
// The console's audit trail: an organisation's sign-in records, newest first, narrowed by outcome,
// provider, event and email, a page at a time; each failure with its reason and what to change.

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

function recordRow(r) {
  const row = rowOf("td", [r.createdAt, r.event, r.email ?? "-", r.provider ?? "-", r.outcome === "failure" ? "failed" : "succeeded"]);
  row.children[4].className = r.outcome === "failure" ? "fail" : "pass";
  const why = el("td", r.reason ?? r.error ?? "");
  if (r.fix) why.append(el("div", r.fix, { class: "fix" }));
  row.append(why);
  return row;
}

function emptyRow() {
  const row = el("tr");
  row.append(el("td", "Nothing recorded matches.", { colspan: "6", class: "muted" }));
  return row;
}

byId("audit-filter").addEventListener("submit", (event) => {
  event.preventDefault();
  attempt(() => loadPage(undefined));
});
byId("audit-more").addEventListener("click", () => attempt(() => loadPage(shown.nextCursor)));
