// @ts-check
// An organisation's users (#/orgs/<id>/users, the operator's): found by email or name a page at
// a time, each with their role, status, identity links and last sign-in; disabling one (which
// ends their sign-ins), enabling them again, making them an admin or a member, and ending all
// their sessions, each through the admin API.

import { api, byId, el, inputById } from "./console-core.js";
import { route } from "./console-router.js";
import { act, labelCells, timeOf } from "./console-ui.js";

/** @typedef {import("./api-client.js").AnswerTo<"/api/v1/orgs/{orgId}/users", "get">[number]} ListedUser */
/** @typedef {NonNullable<import("./api-client.js").QueryTo<"/api/v1/orgs/{orgId}/users", "get">>} UsersQuery */

const PAGE = 25;
/** The organisation shown, the search it was shown for, and where its next page starts. */
const shown = { orgId: "", q: "", nextCursor: /** @type {string | null} */ (null) };

const body = () => /** @type {HTMLTableSectionElement} */ (byId("users").querySelector("tbody"));

async function showUsers(/** @type {string} */ orgId) {
  if (shown.orgId !== orgId) inputById("user-q").value = "";
  shown.orgId = orgId;
  const { data: org } = await api("get", "/api/v1/orgs/{orgId}", { params: { orgId } });
  byId("users-title").textContent = `Users of ${org.name}`;
  await loadPage(undefined);
  return "view-users";
}

route("/orgs/:orgId/users", ({ orgId = "" }) => showUsers(orgId), { operatorOnly: true });

/** Shows the page of users that starts at `cursor` (the first when undefined), narrowed by the search. */
async function loadPage(/** @type {string | undefined} */ cursor) {
  shown.q = inputById("user-q").value.trim();
  /** @type {UsersQuery} */
  const query = { limit: String(PAGE) };
  if (shown.q) query.q = shown.q;
  if (cursor) query.cursor = cursor;
  const { data: users, headers } = await api("get", "/api/v1/orgs/{orgId}/users", { params: { orgId: shown.orgId }, query });
  const rows = users.map(userRow);
  if (cursor) body().append(...rows);
  else body().replaceChildren(...(rows.length ? rows : [emptyRow()]));
  labelCells(/** @type {HTMLTableElement} */ (byId("users")));
  shown.nextCursor = headers.get("x-next-cursor");
  byId("users-more").hidden = shown.nextCursor === null;
}

function emptyRow() {
  const row = el("tr");
  row.append(el("td", shown.q ? `No user's email or name contains “${shown.q}”.` : "No users yet.", { colspan: "7", class: "muted" }));
  return row;
}

/** A user's row: who they are, their standing, and the buttons that change it. */
function userRow(/** @type {ListedUser} */ user) {
  const row = el("tr");
  const status = el("td", user.status, { class: user.status === "disabled" ? "fail" : "" });
  const identities = user.identities.map((i) => i.provider).join(", ");
  const lastSignIn = el("td");
  lastSignIn.append(timeOf(user.lastSignInAt));
  row.append(
    el("td", user.email),
    el("td", user.fullName ?? "-"),
    el("td", user.role),
    status,
    el("td", identities || "none", { class: identities ? "" : "muted" }),
    lastSignIn,
    actionsCell(user),
  );
  return row;
}

/** A button whose visible words are short and whose name says whom it acts on (unique on the page). */
const button = (/** @type {string} */ text, /** @type {string} */ name, secondary = true) =>
  el("button", text, { type: "button", "aria-label": name, ...(secondary && { class: "secondary" }) });

function actionsCell(/** @type {ListedUser} */ user) {
  const cell = el("td", undefined, { class: "actions" });
  const disabled = user.status === "disabled";
  const toggle = button(disabled ? "Enable" : "Disable", `${disabled ? "Enable" : "Disable"} ${user.email}`, false);
  toggle.addEventListener("click", () => change(user, toggle, { status: disabled ? "active" : "disabled" }));
  const admin = user.role === "admin";
  const role = button(admin ? "Make member" : "Make admin", `Make ${user.email} ${admin ? "a member" : "an admin"}`);
  role.addEventListener("click", () => change(user, role, { role: admin ? "member" : "admin" }));
  const end = button("End sessions", `End sessions of ${user.email}`);
  end.addEventListener("click", () => endSessions(user, end));
  cell.append(toggle, role, end);
  return cell;
}

/**
 * Changes a user's status or role; their row then shows the answer, and focus stays on the same
 * button (now saying the opposite), so the change can be undone from where it was made.
 * @param {ListedUser} user @param {HTMLButtonElement} clicked @param {{ status?: "active" | "disabled"; role?: "admin" | "member" }} change
 */
function change(user, clicked, change) {
  act(clicked, async () => {
    const { data } = await api("patch", "/api/v1/orgs/{orgId}/users/{userId}", {
      params: { orgId: shown.orgId, userId: user.id },
      body: change,
    });
    const row = /** @type {HTMLTableRowElement} */ (clicked.closest("tr"));
    const index = [...row.querySelectorAll("button")].indexOf(clicked);
    const updated = userRow({ ...user, ...data });
    row.replaceWith(updated);
    labelCells(/** @type {HTMLTableElement} */ (byId("users")));
    updated.querySelectorAll("button")[index]?.focus();
    const words =
      change.status === "disabled" ? "disabled: their sign-ins ended" : change.status === "active" ? "enabled" : `now ${data.role}`;
    note(updated, `${user.email} ${words}.`);
  });
}

/** Ends every sign-in of a user without disabling them, and says how many there were. */
function endSessions(/** @type {ListedUser} */ user, /** @type {HTMLButtonElement} */ clicked) {
  act(clicked, async () => {
    const { data } = await api("delete", "/api/v1/orgs/{orgId}/users/{userId}/sessions", {
      params: { orgId: shown.orgId, userId: user.id },
    });
    const row = /** @type {HTMLTableRowElement} */ (clicked.closest("tr"));
    note(row, `${data.ended} ${data.ended === 1 ? "sign-in" : "sign-ins"} of ${user.email} ended; they may sign in again.`);
  });
}

/** What an action on a row did, said beside its buttons (and announced). */
function note(/** @type {HTMLTableRowElement} */ row, /** @type {string} */ text) {
  const cell = /** @type {HTMLElement} */ (row.lastElementChild);
  cell.querySelector(".note")?.remove();
  cell.append(el("p", text, { class: "note", role: "status" }));
}

byId("user-search").addEventListener("submit", (event) => {
  event.preventDefault();
  const search = /** @type {HTMLButtonElement} */ (byId("user-search").querySelector("button"));
  act(search, () => loadPage(undefined), inputById("user-q"));
});
const more = /** @type {HTMLButtonElement} */ (byId("users-more"));
more.addEventListener("click", () => act(more, () => loadPage(shown.nextCursor ?? undefined)));
