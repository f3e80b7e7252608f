// @ts-check
// The operator's pages about the service itself: the console's sessions (ending one, or all),
// the signing keys of the service's own tokens (rotating them), and the settings in effect —
// never a secret's value, which the service does not send.

import { api, el } from "./console-core.js";
import { pageSection } from "./console-provider-page.js";
import { refresh, route } from "./console-router.js";
import { confirmStep, scrollBox, timeOf } from "./console-ui.js";

/** @typedef {import("./api-client.js").Schemas["ConsoleSession"]} ConsoleSession */

const sessions = pageSection("view-sessions", "Console sessions");
const keys = pageSection("view-keys", "Signing keys");
const settings = pageSection("view-settings", "Settings");

/** A table whose cells may hold elements (times, buttons). */
function tableOf(/** @type {string} */ label, /** @type {string[]} */ headings, /** @type {(string | Node)[][]} */ rows) {
  const table = el("table", undefined, { "aria-label": label });
  const head = el("tr");
  head.append(...headings.map((h) => el("th", h)));
  const body = el("tbody");
  for (const cells of rows) {
    const row = el("tr");
    for (const cell of cells) {
      const td = el("td");
      td.append(cell);
      row.append(td);
    }
    body.append(row);
  }
  const thead = el("thead");
  thead.append(head);
  table.append(thead, body);
  return scrollBox(table);
}

const KINDS = { operator: "Operator", "org-admin": "Organisation admin", "setup-link": "Setup link" };

/** Who a session is for, in words. */
const whose = (/** @type {ConsoleSession} */ s) =>
  s.kind === "operator" ? "the admin token" : s.kind === "org-admin" ? `user ${s.userId} of ${s.orgId}` : `a setup link of ${s.orgId}`;

/** Every live console session, each with a button that ends it, and one that ends them all. */
async function showSessions() {
  const { data } = await api("get", "/api/v1/console-sessions");
  const title = /** @type {HTMLElement} */ (sessions.querySelector("h1"));
  const intro = el(
    "p",
    "Everyone signed in to this console now, on every instance. Ending a session stops its cookie at once (a setup link's by revoking the link); ending your own signs you out.",
    { class: "muted" },
  );
  const rows = data.sessions.map((s, i) => {
    const end = el("button", "End", { type: "button", class: "secondary", "aria-label": `End session ${i + 1} (${KINDS[s.kind]})` });
    confirmStep(end, {
      consequence: `This ${KINDS[s.kind].toLowerCase()} session of ${whose(s)} ends at once.`,
      confirmLabel: `Yes, end session ${i + 1}`,
      run: async () => {
        await api("delete", "/api/v1/console-sessions/{id}", { params: { id: s.id } });
        await refresh();
      },
    });
    return [String(i + 1), KINDS[s.kind], whose(s), timeOf(s.createdAt), timeOf(s.expiresAt), end];
  });
  const all = el("button", "End all sessions", { type: "button", class: "danger" });
  confirmStep(all, {
    consequence: `Every console session ends at once (${data.sessions.length}, yours included: you sign in again), and every redeemed setup link is revoked.`,
    confirmLabel: "End every session",
    run: async () => {
      await api("delete", "/api/v1/console-sessions");
      await refresh();
    },
  });
  sessions.replaceChildren(
    title,
    intro,
    data.sessions.length
      ? tableOf("Console sessions", ["#", "Kind", "For", "Started", "Ends", ""], rows)
      : el("p", "No console sessions.", { class: "muted" }),
    el("p"),
    all,
  );
  return sessions.id;
}

/** The signing keys: the current one, the previous ones still published, and rotating. */
async function showKeys() {
  const { data } = await api("get", "/api/v1/keys");
  const title = /** @type {HTMLElement} */ (keys.querySelector("h1"));
  const intro = el(
    "p",
    "The keys the service signs its own tokens with (ES256). The current key signs new tokens; a previous key stays published until every token it signed has expired.",
    { class: "muted" },
  );
  const rows = data.map((k) => [k.current ? "Current" : "Previous", k.kid, k.alg, timeOf(k.createdAt), timeOf(k.retiredAt, "-")]);
  const rotate = el("button", "Rotate keys", { type: "button" });
  const outcome = el("p", undefined, { role: "status", class: "saved" });
  confirmStep(rotate, {
    consequence:
      "A new key signs new tokens from now on; the current one becomes previous and stays published, so signed-in users stay signed in.",
    confirmLabel: "Rotate now",
    run: async () => {
      const { data: rotated } = await api("post", "/api/v1/keys/rotate");
      await refresh();
      const shown = keys.querySelector(".saved");
      if (shown) shown.textContent = `Rotated: ${rotated.kid} signs new tokens.`;
    },
  });
  keys.replaceChildren(
    title,
    intro,
    tableOf("Signing keys", ["Key", "Key ID", "Algorithm", "Created", "Retired"], rows),
    el("p"),
    rotate,
    outcome,
  );
  return keys.id;
}

/** A setting's value in words: a secret only as set or not; a list joined; none as "not set". */
function settingValue(/** @type {unknown} */ value) {
  if (value === null || value === undefined || value === "") return "not set";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "none";
  if (typeof value === "object") return "set" in value && value.set === true ? "set (secret: not shown)" : "not set";
  return String(value);
}

/** The service's effective settings by their environment variable. */
async function showSettings() {
  const { data } = await api("get", "/api/v1/settings");
  const title = /** @type {HTMLElement} */ (settings.querySelector("h1"));
  const intro = el(
    "p",
    "What this instance runs with, defaults included, by environment variable. Secrets are shown only as set or not; passwords in URLs as ***. Change them in the service's environment and restart.",
    { class: "muted" },
  );
  const list = el("dl", undefined, { class: "settings", "aria-label": "Settings in effect" });
  for (const [name, value] of Object.entries(data).sort(([a], [b]) => a.localeCompare(b)))
    list.append(el("dt", name), el("dd", settingValue(value)));
  settings.replaceChildren(title, intro, list);
  return settings.id;
}

route("/sessions", showSessions, { operatorOnly: true });
route("/keys", showKeys, { operatorOnly: true });
route("/settings", showSettings, { operatorOnly: true });
