// @ts-check
// The operator's organisations: the list with a form to create one (#/orgs), and on an
// organisation's page its name, its email domains (adding one, removing one with what that does)
// and deleting it, after a confirm step. Each through the admin API the SDK and CLI use.

import { ApiError } from "./api-client.js";
import { access, api, byId, el, inputById, setStatus } from "./console-core.js";
import { navigate, pathTo, refresh, route } from "./console-router.js";
import { act, confirmStep } from "./console-ui.js";

/** @typedef {import("./api-client.js").AnswerTo<"/api/v1/orgs/{orgId}", "get">} Organisation */

/** The list of organisations, each a link to its page. */
async function showOrgs() {
  const { data: orgs } = await api("get", "/api/v1/orgs");
  const list = byId("org-list");
  list.replaceChildren(
    ...orgs.map((org) => {
      const item = el("li");
      item.append(el("a", org.name, { href: pathTo("orgs", org.id) }), el("span", `  ${org.domains.join(", ")}`, { class: "muted" }));
      return item;
    }),
  );
  if (orgs.length === 0) list.append(el("li", "No organisations yet: create the first below."));
  return "view-orgs";
}

route("/orgs", showOrgs, { operatorOnly: true });

/** Domains as typed: separated by commas, semicolons or spaces, lower case, no empties. */
const domainsOf = (/** @type {string} */ text) =>
  text
    .split(/[\s,;]+/)
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);

/** The field a refusal of a new organisation is about: a domain's (claimed, or not a domain name) or the name's. */
function createField(/** @type {unknown} */ error) {
  const domains = inputById("org-create-domains");
  const name = inputById("org-create-name");
  if (error instanceof ApiError && (error.error === "CONFLICT" || /domains/.test(error.message))) return domains;
  if (error instanceof ApiError && /\bname\b/.test(error.message)) return name;
  return /** @type {HTMLButtonElement} */ (byId("org-create").querySelector("button"));
}

byId("org-create").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const button = /** @type {HTMLButtonElement} */ (form.querySelector("button"));
  act(
    button,
    async () => {
      const name = inputById("org-create-name").value.trim();
      const domains = domainsOf(inputById("org-create-domains").value);
      const { data: org } = await api("post", "/api/v1/orgs", { body: { name, domains } });
      form.reset();
      setStatus(`Created ${org.name}.`);
      navigate(pathTo("orgs", org.id));
    },
    createField,
  );
});

/** The organisation the management section acts on (its page is the one shown). */
let managed = /** @type {Organisation | undefined} */ (undefined);

/**
 * Fills the organisation page's section for its name, domains and deletion: the operator's
 * alone, hidden for an organisation admin or a setup-link session (the API refuses them).
 */
export function manageOrganisation(/** @type {Organisation} */ org) {
  const section = byId("org-manage");
  section.hidden = access.orgId !== undefined;
  if (section.hidden) return;
  const sameOrg = managed?.id === org.id;
  managed = org;
  if (!sameOrg) inputById("org-rename-name").value = org.name;
  byId("org-domain-list").replaceChildren(
    ...(org.domains.length ? org.domains.map((domain) => domainItem(org, domain)) : [el("li", "No domains.", { class: "muted" })]),
  );
}

/** A domain with its removal, which first says which sign-ins stop going to the organisation. */
function domainItem(/** @type {Organisation} */ org, /** @type {string} */ domain) {
  const item = el("li");
  const remove = el("button", "Remove", { type: "button", class: "secondary", "aria-label": `Remove domain ${domain}` });
  confirmStep(remove, {
    consequence:
      `New people signing in with an address at ${domain} will no longer be sent to ${org.name} by their domain ` +
      `(unless it is the only organisation). Users ${org.name} already has keep their accounts and still sign in to it.`,
    confirmLabel: `Yes, remove ${domain}`,
    run: async () => {
      await api("delete", "/api/v1/orgs/{orgId}/domains/{domain}", { params: { orgId: org.id, domain } });
      setStatus(`${domain} removed from ${org.name}.`);
      await refresh();
      inputById("org-domain-new").focus();
    },
  });
  item.append(el("span", domain), " ", remove);
  return item;
}

byId("org-rename").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const name = inputById("org-rename-name");
  act(
    /** @type {HTMLButtonElement} */ (form.querySelector("button")),
    async () => {
      if (!managed) return;
      const { data: org } = await api("patch", "/api/v1/orgs/{orgId}", {
        params: { orgId: managed.id },
        body: { name: name.value.trim() },
      });
      setStatus(`Renamed to ${org.name}.`);
      await refresh();
    },
    name,
  );
});

byId("org-domain-add").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const domain = inputById("org-domain-new");
  act(
    /** @type {HTMLButtonElement} */ (form.querySelector("button")),
    async () => {
      if (!managed) return;
      const added = domain.value.trim().toLowerCase();
      await api("post", "/api/v1/orgs/{orgId}/domains", { params: { orgId: managed.id }, body: { domain: added } });
      form.reset();
      setStatus(`${added} added: new sign-ins with an address there go to ${managed.name}.`);
      await refresh();
    },
    domain,
  );
});

confirmStep(/** @type {HTMLButtonElement} */ (byId("org-delete")), () => {
  const name = managed?.name ?? "the organisation";
  return {
    consequence:
      `Deletes ${name} with its domains, providers, users, identity links, sign-in steps and setup links; ` +
      `its users are signed out at their next refresh. Its audit trail is kept. This cannot be undone.`,
    confirmLabel: `Yes, delete ${name}`,
    run: async () => {
      if (!managed) return;
      await api("delete", "/api/v1/orgs/{orgId}", { params: { orgId: managed.id } });
      setStatus(`${name} deleted.`);
      managed = undefined;
      navigate(pathTo("orgs"));
    },
  };
});
