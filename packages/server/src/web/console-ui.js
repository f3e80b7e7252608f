// @ts-check
/* global document, HTMLButtonElement, HTMLElement */
// What the console's pages share in how they behave: times in the browser's local time with how
// long ago (or how soon) they are, a button that says it is busy while its call runs, a failure
// shown beside the field or button that caused it (not in a banner off-screen), a confirm step
// before a destructive action, and wide tables that scroll inside their own box.

import { ApiError } from "./api-client.js";
import { el, isSignedOut, onSignedOut } from "./console-core.js";

const LOCAL_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
/** @type {[Intl.RelativeTimeFormatUnit, number][]} each unit and its length in seconds, largest first */
const UNITS = [
  ["year", 365 * 86400],
  ["month", 30 * 86400],
  ["week", 7 * 86400],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];

/** How far `iso` is from now in words: "3 minutes ago", "in 2 days", "just now". */
export function relativeHint(/** @type {string} */ iso, now = Date.now()) {
  const seconds = (Date.parse(iso) - now) / 1000;
  for (const [unit, length] of UNITS) {
    if (Math.abs(seconds) >= length) return RELATIVE.format(Math.round(seconds / length), unit);
  }
  return "just now";
}

/**
 * A time as a `<time>`: the browser's local time with a relative hint ("7 Dec 2026, 18:55 (3
 * minutes ago)"), the exact ISO time as its `datetime` and tooltip; `never` when there is none.
 * @param {string | null | undefined} iso @param {string} [never]
 */
export function timeOf(iso, never = "never") {
  if (!iso || Number.isNaN(Date.parse(iso))) return el("span", never, { class: "muted" });
  const time = el("time", undefined, { datetime: iso, title: iso });
  time.append(el("span", LOCAL_TIME.format(new Date(iso)), { class: "when" }), " ", el("span", `(${relativeHint(iso)})`, { class: "ago" }));
  return time;
}

/** A table in a box that scrolls sideways by itself, so a narrow screen never scrolls the page. */
export function scrollBox(/** @type {HTMLElement} */ table) {
  const box = el("div", undefined, { class: "table-box" });
  box.append(table);
  return box;
}

/**
 * Names each cell of a stacking table (`table.stack`) after its column, for the narrow screen
 * where its rows show as cards (console.css): call it once its rows are in.
 */
export function labelCells(/** @type {HTMLTableElement} */ table) {
  const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent?.trim() ?? "");
  for (const row of table.querySelectorAll("tbody tr")) {
    [...row.children].forEach((cell, i) => {
      if (!cell.hasAttribute("colspan")) cell.setAttribute("data-label", headings[i] ?? "");
    });
  }
}

let problemCount = 0;

/** Removes the failure shown beside `control`, if any. */
export function clearProblem(/** @type {HTMLElement} */ control) {
  const id = control.dataset.problem;
  if (!id) return;
  document.getElementById(id)?.remove();
  const described = (control.getAttribute("aria-describedby") ?? "").split(" ").filter((d) => d && d !== id);
  if (described.length) control.setAttribute("aria-describedby", described.join(" "));
  else control.removeAttribute("aria-describedby");
  control.removeAttribute("aria-invalid");
  delete control.dataset.problem;
}

/** The words of a failure: the service's message, and its fix when the answer carries one. */
function wordsOf(/** @type {unknown} */ error) {
  const message = error instanceof Error ? error.message : String(error);
  const fix = error instanceof ApiError ? error.body?.fix : undefined;
  return typeof fix === "string" && fix && !message.includes(fix) ? [message, fix] : [message];
}

/**
 * Shows a failure right after the field or button that caused it, and ties it to that control
 * (`aria-describedby`), so it is read where the eye and the screen reader already are.
 */
export function showProblem(/** @type {HTMLElement} */ control, /** @type {unknown} */ error) {
  clearProblem(control);
  const id = `problem-${++problemCount}`;
  const [message, fix] = wordsOf(error);
  const problem = el("p", message, { id, class: "problem", role: "alert" });
  if (fix) problem.append(el("span", ` What to change: ${fix}`, { class: "fix" }));
  control.after(problem);
  control.dataset.problem = id;
  control.setAttribute("aria-describedby", [control.getAttribute("aria-describedby"), id].filter(Boolean).join(" "));
  if (!(control instanceof HTMLButtonElement)) control.setAttribute("aria-invalid", "true");
}

/**
 * Runs a step started by `button`: the button is busy (disabled, `aria-busy`) while it runs; a
 * failure is shown beside `near` (the field it is about; the button itself unless given); a lost
 * session leads back to sign-in. Answers whether the step succeeded.
 * @param {HTMLButtonElement} button @param {() => Promise<unknown>} step @param {HTMLElement | ((error: unknown) => HTMLElement)} [near]
 */
export async function act(button, step, near = button) {
  for (const control of button.form ? [...button.form.elements, button] : [button]) clearProblem(/** @type {HTMLElement} */ (control));
  if (near instanceof HTMLElement) clearProblem(near);
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    await step();
    return true;
  } catch (error) {
    if (isSignedOut(error)) onSignedOut.run();
    else showProblem(typeof near === "function" ? near(error) : near, error);
    return false;
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

/** The one confirm step open on the page: opening another closes it. */
let openConfirm = /** @type {{ box: HTMLElement; button: HTMLButtonElement } | undefined} */ (undefined);

function closeConfirm(focusBack = false) {
  if (!openConfirm) return;
  const { box, button } = openConfirm;
  openConfirm = undefined;
  box.remove();
  button.setAttribute("aria-expanded", "false");
  if (focusBack && button.isConnected) button.focus();
}

/** @typedef {{ consequence: string; confirmLabel: string; run: () => Promise<unknown> }} ConfirmedAction */

/**
 * Puts a confirm step before a destructive action: `button` opens, beside itself, what the action
 * does (`consequence`) with a button named `confirmLabel` that does it and one that cancels.
 * `action` may be a function, read at each click (for words that name what the page shows then).
 * @param {HTMLButtonElement} button @param {ConfirmedAction | (() => ConfirmedAction)} action
 */
export function confirmStep(button, action) {
  button.setAttribute("aria-expanded", "false");
  button.addEventListener("click", () => {
    if (openConfirm?.button === button) return closeConfirm(true);
    closeConfirm();
    const { consequence, confirmLabel, run } = typeof action === "function" ? action() : action;
    const box = el("div", undefined, { class: "confirm", role: "group", "aria-label": confirmLabel });
    const yes = el("button", confirmLabel, { type: "button", class: "danger" });
    const cancel = el("button", "Cancel", { type: "button", class: "secondary" });
    box.append(el("p", consequence), yes, " ", cancel);
    yes.addEventListener("click", () =>
      act(yes, async () => {
        await run();
        closeConfirm();
      }),
    );
    cancel.addEventListener("click", () => closeConfirm(true));
    button.after(box);
    button.setAttribute("aria-expanded", "true");
    openConfirm = { box, button };
    yes.focus();
  });
}
