// @ts-check
/* global document, history, location, window */
// The console's pages and their addresses: `/admin#/orgs/<id>/users` and the like. Each page
// module registers its addresses with `route(pattern, render)`, so a page is added without editing
// a switch; the address decides the page, so reload and back/forward keep your place. A page the
// session may not see (an operator's page, or another organisation, for an organisation admin or
// a setup-link session) leads to the session's home instead.

import { access, attempt, byId } from "./console-core.js";

/** A page's values from its address: `/orgs/:orgId` read at `#/orgs/o1` is `{ orgId: "o1" }`. */
/** @typedef {Record<string, string>} RouteParams */
/**
 * Fills a page for its address and answers the id of its section (an element of `<main>`).
 * @typedef {(params: RouteParams) => Promise<string> | string} Render
 */
/** @typedef {{ operatorOnly?: boolean }} RouteOptions */
/** @typedef {{ segments: string[]; render: Render; operatorOnly: boolean }} Route */

/** @type {Route[]} */
const routes = [];

/**
 * Registers a page's address. `pattern` is a path of segments, `:name` standing for a value,
 * e.g. "/orgs/:orgId/users". `operatorOnly`: an organisation admin or a setup-link session is
 * sent home instead (the API would refuse them anyway).
 * @param {string} pattern @param {Render} render @param {RouteOptions} [options]
 */
export function route(pattern, render, options = {}) {
  routes.push({ segments: pattern.split("/").filter(Boolean), render, operatorOnly: options.operatorOnly ?? false });
}

/** The address of a page, each value encoded: `pathTo("orgs", id, "users")` is `#/orgs/<id>/users`. */
export const pathTo = (/** @type {string[]} */ ...segments) => `#/${segments.map(encodeURIComponent).join("/")}`;

/** A segment of an address as its value; a malformed escape is kept as typed (it then names no page). */
function decoded(/** @type {string} */ segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The route an address names, with its values; undefined when none does. */
function match(/** @type {string} */ hash) {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  for (const r of routes) {
    if (r.segments.length !== parts.length) continue;
    /** @type {RouteParams} */
    const params = {};
    const fits = r.segments.every((segment, i) => {
      const part = decoded(/** @type {string} */ (parts[i]));
      if (segment.startsWith(":")) params[segment.slice(1)] = part;
      return segment.startsWith(":") || segment === part;
    });
    if (fits) return { route: r, params };
  }
  return undefined;
}

/** Whether this session may open the page: scoped sessions see their own organisation's pages, not the operator's. */
function allowed(/** @type {Route} */ r, /** @type {RouteParams} */ params) {
  if (access.orgId === undefined) return true;
  return !r.operatorOnly && (params.orgId === undefined || params.orgId === access.orgId);
}

/** Where this session starts: every organisation for an operator, its own for anyone else. */
export const homePath = () => (access.orgId === undefined ? pathTo("orgs") : pathTo("orgs", access.orgId));

/** Shows one section of `<main>`, hides the others, names the tab after its heading, and (`focus`) moves focus to that heading. */
export function showPage(/** @type {string} */ id, focus = true) {
  for (const section of document.querySelectorAll("main > section")) /** @type {HTMLElement} */ (section).hidden = section.id !== id;
  const heading = byId(id).querySelector("h1");
  document.title = `${heading?.textContent || "Admin console"} · pipeshub-auth`;
  if (focus) heading?.focus();
}

/** Counts navigations: a page whose data arrives after the next navigation began is not shown. */
let navigation = 0;

/** Shows the page of the current address (home for an unknown or forbidden one). */
async function render(focus = true) {
  const found = match(location.hash);
  if (!found || !allowed(found.route, found.params)) {
    history.replaceState(null, "", homePath());
    if (!match(location.hash)) return;
    return render(focus);
  }
  const mine = ++navigation;
  markNavigation(found.params);
  await attempt(async () => {
    const page = await found.route.render(found.params);
    if (mine === navigation) showPage(page, focus);
  });
}

/** Goes to a page: a new entry in the history, so back returns here. */
export function navigate(/** @type {string} */ path) {
  if (location.hash === path) return void render();
  location.hash = path;
}

/** Shows the current page again with fresh data, focus staying where it is (after a change made on it). */
export const refresh = () => render(false);

let following = false;

/** Starts following the address (once, however often the session begins): the current page now, and each one the address moves to. */
export function startRouting() {
  if (!following) window.addEventListener("hashchange", () => void render());
  following = true;
  return render();
}

/** Whether the page at `hash` is `path` or a page under it (`#/orgs/o1/providers/okta` is under `#/orgs/o1`). */
const isWithin = (/** @type {string} */ hash, /** @type {string} */ path) => hash === path || hash.startsWith(`${path}/`);

/**
 * The navigation: each link shows when its page exists and this session may open it, the
 * organisation's links point at the organisation shown, and in each navigation the link of the
 * current page (or of the nearest page it is under) says so.
 */
function markNavigation(/** @type {RouteParams} */ params) {
  byId("org-nav").hidden = params.orgId === undefined;
  for (const nav of document.querySelectorAll("nav")) {
    /** @type {HTMLAnchorElement | undefined} */
    let current;
    for (const link of nav.querySelectorAll("a[data-path]")) {
      const a = /** @type {HTMLAnchorElement} */ (link);
      const template = a.dataset.path ?? "";
      if (params.orgId !== undefined) a.href = template.replace(":orgId", encodeURIComponent(params.orgId));
      else if (!template.includes(":orgId")) a.href = template;
      const href = a.getAttribute("href") ?? "";
      const target = match(href);
      a.hidden = target === undefined || !allowed(target.route, target.params) || href.includes(":");
      a.removeAttribute("aria-current");
      if (!a.hidden && isWithin(location.hash, href) && href.length > (current?.getAttribute("href")?.length ?? 0)) current = a;
    }
    current?.setAttribute("aria-current", "page");
  }
  byId("console-nav").hidden = false;
}

/** Hides the navigation (signed out, or on a page outside the console's pages). */
export function hideNavigation() {
  byId("console-nav").hidden = true;
  byId("org-nav").hidden = true;
}
