// @ts-check
/* global document, location, sessionStorage, URLSearchParams */
// What every step of the sign-in page shares: its views, its words for a failure, what it keeps in
// the tab (sessionStorage) between the steps, and starting over.

import { ApiError } from "./api-client.js";

/** The sign-in under way while the browser is at the provider (sessionStorage). */
export const PENDING = "pipeshub-auth.pending";
/** The tokens of the person signed in in this tab (sessionStorage). */
export const TOKENS = "pipeshub-auth.tokens";

/**
 * @typedef {{ state: string; sessionToken: string; email: string; provider: string; redirectUri: string; orgName?: string; next?: "admin"; method?: "oauth" | "samlSso" }} Pending
 * @typedef {{ accessToken: string; refreshToken: string; orgName?: string }} Tokens
 * @typedef {{ email: string; provider: string }} Retry the email and provider to sign in again with, as another account
 */

export const publicUrl = document.querySelector('meta[name="public-url"]')?.getAttribute("content") || location.origin;
export const redirectUri = `${publicUrl}/callback`;

/** What the steps share while the page is open. */
export const page = {
  /** Where to go once signed in: "admin" (the console) when the page was opened as /?next=admin. */
  next: /** @type {"admin" | undefined} */ (new URLSearchParams(location.search).get("next") === "admin" ? "admin" : undefined),
  /** After an email mismatch: the email and provider to sign in again with, as another account. */
  anotherAccount: /** @type {Retry | undefined} */ (undefined),
};

/** @param {string} id */
export const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id */
export const inputById = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
/** @param {string} id */
export const buttonById = (id) => /** @type {HTMLButtonElement} */ (document.getElementById(id));

const views = ["view-email", "view-providers", "view-working", "view-signed-in"];

/** Shows one view and moves focus to its heading, so keyboard and screen-reader users follow. */
export function show(/** @type {string} */ view, { focus = true } = {}) {
  for (const id of views) byId(id).hidden = id !== view;
  if (focus) byId(view).querySelector("h1")?.focus();
}

/** @param {string | undefined} text */
export function setError(text) {
  byId("error").textContent = text ?? "";
  if (text) byId("status").textContent = "";
}

/** @param {string | undefined} text */
export function setStatus(text) {
  byId("status").textContent = text ?? "";
}

/** A failure this page words itself (the service's own come as ApiErrors). */
export class Problem extends Error {}

/** A failure in words: the service's AuthError message, or our own sentence; never JSON. */
export function explain(/** @type {unknown} */ error) {
  if (error instanceof Problem) return error.message;
  if (error instanceof ApiError) {
    if (error.status === 0) return "The sign-in service could not be reached. Check your connection and try again.";
    return error.body ? error.message : `The sign-in service answered with status ${error.status}. Try again.`;
  }
  return "Something went wrong in this page. Reload it and try again.";
}

/**
 * What this tab keeps under `key`, or undefined when it is missing or unreadable. Only this page
 * writes it, but fields are still checked where they matter.
 * @template T
 * @param {string} key
 * @returns {Partial<T> | undefined}
 */
export function readJson(key) {
  try {
    const value = sessionStorage.getItem(key);
    return value ? JSON.parse(value) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Back to the email step, with a failure or a status to show, and maybe the offer to use another account.
 * @param {{ error?: string; status?: string; retry?: Retry }} [outcome]
 */
export function startOver({ error, status, retry } = {}) {
  sessionStorage.removeItem(PENDING);
  setError(error);
  setStatus(status);
  page.anotherAccount = retry;
  byId("another-account").hidden = !retry;
  show("view-email", { focus: false });
  byId("email").focus();
}
