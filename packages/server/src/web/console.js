// @ts-check
/* global history, location */
// The admin console: organisations, their providers, the provider doctor, test sign-ins, health
// over time, change events and the audit trail, on the admin API. An operator signs in with the
// admin token once (the service answers an HttpOnly cookie); an organisation admin arrives from
// the sign-in page with the same kind of cookie, for their organisation only; a setup link's
// holder arrives at /admin/setup#<token>, redeemed once for the same kind of cookie.
// Plain browser JavaScript modules, no dependencies, type-checked by `npm run typecheck`
// (src/web/tsconfig.json).

import { ApiError, callApi } from "./api-client.js";
import { showAudit } from "./console-audit.js";
import { access, api, attempt, byId, el, inputById, onSignedOut, setError } from "./console-core.js";
import { showDomainClaims } from "./console-domain-claims.js";
import { manageOrganisation } from "./console-orgs.js";
import "./console-setup-links.js";
import "./console-users.js";
import { providerRow, runDoctor } from "./console-provider.js";
import "./console-provider-page.js";
import "./console-saml-page.js";
import "./console-service-pages.js";
import { hideNavigation, route, showPage, startRouting } from "./console-router.js";
import { finishTestSignInHere, TEST_SIGNIN_PATH } from "./console-test-signin.js";
import { labelCells, timeOf } from "./console-ui.js";
import { prepareWizard, wireWizard } from "./console-wizard.js";
import { prepareSamlWizard } from "./console-saml-wizard.js";

/** @typedef {import("./api-client.js").Schemas["ProviderEvent"]["changes"][number]} ProviderChange */

// Signed out, the address stays: signing in again shows the page it names.
onSignedOut.run = () => {
  hideNavigation();
  showPage("view-sign-in");
  byId("sign-out").hidden = true;
};

async function showOrg(/** @type {string} */ orgId) {
  const params = { orgId };
  const [
    { data: org },
    { data: providers },
    { data: samlProviders },
    {
      data: { events },
    },
  ] = await Promise.all([
    api("get", "/api/v1/orgs/{orgId}", { params }),
    api("get", "/api/v1/orgs/{orgId}/oauth-providers", { params }),
    api("get", "/api/v1/orgs/{orgId}/saml-providers", { params }),
    api("get", "/api/v1/orgs/{orgId}/events", { params, query: { limit: "20" } }),
  ]);
  byId("org-title").textContent = org.name;
  byId("org-domains").textContent = org.domains.length ? `Domains: ${org.domains.join(", ")}` : "No domains";
  manageOrganisation(org);
  await showDomainClaims(org);
  byId("panel").replaceChildren();
  byId("providers")
    .querySelector("tbody")
    ?.replaceChildren(...[...providers, ...samlProviders].map((provider) => providerRow(orgId, provider)));
  labelCells(/** @type {HTMLTableElement} */ (byId("providers")));
  byId("events").replaceChildren(
    ...(events.length
      ? events.map((e) => {
          const item = el("li");
          item.append(timeOf(e.at), `  ${e.provider}: ${e.changes.map(describeChange).join("; ")}`);
          return item;
        })
      : [el("li", "No changes seen.")]),
  );
  await Promise.all([prepareWizard(orgId), prepareSamlWizard(orgId)]);
  return "view-org";
}

/** An organisation's audit trail, its provider filter listing the organisation's providers. */
async function showAuditPage(/** @type {string} */ orgId) {
  const [{ data: providers }, { data: samlProviders }] = await Promise.all([
    api("get", "/api/v1/orgs/{orgId}/oauth-providers", { params: { orgId } }),
    api("get", "/api/v1/orgs/{orgId}/saml-providers", { params: { orgId } }),
  ]);
  await showAudit(
    orgId,
    [...providers, ...samlProviders].map((p) => p.providerName),
  );
  return "view-audit";
}

route("/orgs/:orgId", ({ orgId = "" }) => showOrg(orgId));
route("/orgs/:orgId/audit", ({ orgId = "" }) => showAuditPage(orgId));

const describeChange = (/** @type {ProviderChange} */ c) =>
  c.added || c.removed
    ? `${c.field} +${c.added?.length ?? 0} −${c.removed?.length ?? 0}`
    : `${c.field}: ${c.before ?? "none"} → ${c.after ?? "none"}`;

byId("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  attempt(async () => {
    const input = inputById("admin-token");
    const token = input.value;
    input.value = "";
    // The admin token itself, not the console's cookie: a refusal is said, not a lost session.
    await callApi("post", "/admin/session", { body: { token } });
    await enter();
  });
});

byId("sign-out").addEventListener("click", () =>
  attempt(async () => {
    await api("delete", "/admin/session");
    access.orgId = undefined;
    onSignedOut.run();
  }),
);

wireWizard(async (provider) => {
  showPage(await showOrg(provider.orgId), false);
  await runDoctor(provider);
});

const SETUP_SESSION_GONE =
  "No setup link's session here: it ended (the link expired or was revoked), or the link was opened without its secret. Ask the operator who sent it for a new setup link.";

/** After the console's cookie is set: an operator sees every organisation, an organisation admin their own. */
async function enter() {
  let session;
  try {
    ({ data: session } = await callApi("get", "/admin/session"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      onSignedOut.run();
      // A setup link's holder has no admin token: say what ended and what to do.
      if (location.pathname === "/admin/setup") setError(error.body?.message.includes("setup link") ? error.message : SETUP_SESSION_GONE);
      return;
    }
    // Any other failure: go on as the operator; the next call says what is wrong.
    session = /** @type {const} */ ({ kind: "operator" });
  }
  byId("sign-out").hidden = false;
  if (session.kind !== "operator") access.orgId = session.orgId;
  // An organisation admin tests sign-ins as themselves unless they say otherwise.
  if (session.kind === "org-admin") inputById("test-signin-email").value = session.email;
  await startRouting();
}

/**
 * A setup link's holder: the link's secret redeemed once for the console's HttpOnly cookie, so a
 * reload (without the secret, which left the address bar) keeps them in until the link ends.
 */
async function redeemSetupLink() {
  const token = location.hash.slice(1);
  if (token) {
    // The link's secret leaves the address bar at once; it works once anyway.
    history.replaceState(null, "", location.pathname);
    await callApi("post", "/admin/session", { body: { setupLink: token } });
  }
  await enter();
}

attempt(async () => {
  if (location.pathname === TEST_SIGNIN_PATH) return finishTestSignInHere(showPage);
  // A page's address (#/orgs/…) is not a link's secret: the link was redeemed before this reload.
  if (location.pathname === "/admin/setup" && !location.hash.startsWith("#/")) return redeemSetupLink();
  await enter();
});
