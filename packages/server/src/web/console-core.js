/* global document */
// What every part of the admin console shares: elements by id, building elements from data (never
// HTML), the admin API call with the page's credentials, and how a step's failure is shown.

export const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** How this page talks to the admin API: the console's cookie (with the console header), or a setup session's bearer token. */
export const access = {
  setupSession: /** @type {string | undefined} */ (undefined),
  /** The one organisation this page may reach, for a setup link or an organisation admin. */
  orgId: /** @type {string | undefined} */ (undefined),
};

export const setError = (text) => (byId("error").textContent = text ?? "");
export const setStatus = (text) => (byId("status").textContent = text ?? "");

/** An element with text and attributes; never HTML from data. */
export function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** A table row of text cells. */
export function rowOf(cell, texts) {
  const row = el("tr");
  row.append(...texts.map((text) => el(cell, text)));
  return row;
}

/** A table with a header row and one row of text cells per entry. */
export function tableOf(headings, rows) {
  const table = el("table");
  const head = el("thead");
  head.append(rowOf("th", headings));
  const body = el("tbody");
  body.append(...rows.map((texts) => rowOf("td", texts)));
  table.append(head, body);
  return table;
}

class Unauthorized extends Error {}

/** Calls the admin API; a 401 is `Unauthorized`, any other refusal an Error carrying the service's message. */
export async function api(method, path, body) {
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
  if (!response.ok) throw Object.assign(new Error(data?.message ?? `The service answered ${response.status}.`), { code: data?.error });
  return data;
}

/** What to do when the session is gone: set by the page (back to sign-in). */
export const onSignedOut = { run: () => {} };

/** Runs a step of the page; its failure is shown in words, and a lost session leads back to sign-in. */
export async function attempt(step) {
  setError("");
  try {
    await step();
  } catch (error) {
    if (error instanceof Unauthorized && !access.setupSession) {
      onSignedOut.run();
      return;
    }
    setError(error instanceof Error ? error.message : String(error));
  } finally {
    setStatus("");
  }
}

export const orgPath = (orgId) => `/api/v1/orgs/${encodeURIComponent(orgId)}`;
