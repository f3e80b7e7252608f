// @ts-check
/* global document */
// What every part of the admin console shares: elements by id, building elements from data (never
// HTML), the admin API called as this page, and how a step's failure is shown.

import { ApiError, callApi } from "./api-client.js";

/** An organisation's provider, named for the routes under /api/v1/orgs/{orgId}/oauth-providers/{name}. */
/** @typedef {{ orgId: string; name: string }} ProviderRef */

/** @param {string} id */
export const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id */
export const inputById = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));

/** How this page talks to the admin API: the console's cookie (with the console header), or a setup session's bearer token. */
export const access = {
  setupSession: /** @type {string | undefined} */ (undefined),
  /** The one organisation this page may reach, for a setup link or an organisation admin. */
  orgId: /** @type {string | undefined} */ (undefined),
};

/** @param {string | undefined} [text] */
export const setError = (text) => (byId("error").textContent = text ?? "");
/** @param {string | undefined} [text] */
export const setStatus = (text) => (byId("status").textContent = text ?? "");

/**
 * An element with text and attributes; never HTML from data.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {string} [text] @param {Record<string, string>} [attributes]
 */
export function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** A table row of text cells. */
export function rowOf(/** @type {"th" | "td"} */ cell, /** @type {string[]} */ texts) {
  const row = el("tr");
  row.append(...texts.map((text) => el(cell, text)));
  return row;
}

/** A table with a header row and one row of text cells per entry. */
export function tableOf(/** @type {string[]} */ headings, /** @type {string[][]} */ rows) {
  const table = el("table");
  const head = el("thead");
  head.append(rowOf("th", headings));
  const body = el("tbody");
  body.append(...rows.map((texts) => rowOf("td", texts)));
  table.append(head, body);
  return table;
}

/** The console's session is gone (a 401 to its cookie): back to sign-in. */
class SignedOut extends Error {}

/**
 * Calls the admin API as this page: a setup link's session as a bearer token, or the console's
 * cookie with the console's header. A 401 to the cookie is `SignedOut`.
 * @type {typeof callApi}
 */
export const api = async (method, route, options = {}) => {
  try {
    return await callApi(method, route, { ...options, ...(access.setupSession ? { bearer: access.setupSession } : { console: true }) });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && !access.setupSession) throw new SignedOut(error.message, { cause: error });
    throw error;
  }
};

/** Whether a failure is the console's session being gone (a 401 to its cookie). */
export const isSignedOut = (/** @type {unknown} */ error) => error instanceof SignedOut;

/** What to do when the session is gone: set by the page (back to sign-in). */
export const onSignedOut = { run: () => {} };

/** Runs a step of the page; its failure is shown in words, and a lost session leads back to sign-in. */
export async function attempt(/** @type {() => Promise<unknown>} */ step) {
  setError("");
  try {
    await step();
  } catch (error) {
    if (error instanceof SignedOut) {
      onSignedOut.run();
      return;
    }
    setError(error instanceof Error ? error.message : String(error));
  } finally {
    setStatus("");
  }
}
