// @ts-check
// An organisation's domains waiting for proof, on its page: each pending domain with the DNS TXT
// record to create and a "Check now" button; a delegated admin (organisation admin, setup link)
// adds domains here, pending until proven. The operator's domains are verified when added
// (console-orgs.js), so for the operator this lists only what delegated admins claimed.

import { access, api, byId, el, inputById, setStatus } from "./console-core.js";
import { refresh } from "./console-router.js";
import { act, confirmStep, timeOf } from "./console-ui.js";

/** @typedef {import("./api-client.js").AnswerTo<"/api/v1/orgs/{orgId}/domains", "get">[number]} DomainClaim */

/** The organisation whose pending domains are shown. */
let shown = /** @type {{ id: string; name: string } | undefined} */ (undefined);

/** Fills the section with the organisation's pending domains; it shows when there are any, or the caller may add one. */
export async function showDomainClaims(/** @type {{ id: string; name: string }} */ org) {
  shown = org;
  const { data: claims } = await api("get", "/api/v1/orgs/{orgId}/domains", { params: { orgId: org.id } });
  const pending = claims.filter((c) => c.status === "pending");
  const delegated = access.orgId !== undefined;
  byId("org-domain-claims").hidden = pending.length === 0 && !delegated;
  byId("org-domain-claim-add").hidden = !delegated;
  byId("org-domain-claim-list").replaceChildren(
    ...(pending.length ? pending.map((claim) => claimItem(org, claim)) : [el("li", "No domains waiting for proof.", { class: "muted" })]),
  );
}

/** A pending domain: the record to create, when it was last looked up, "Check now" and removal. */
function claimItem(/** @type {{ id: string; name: string }} */ org, /** @type {DomainClaim} */ claim) {
  const item = el("li", undefined, { class: "domain-claim" });
  const record = el("dl");
  for (const [term, value] of [
    ["Type", "TXT"],
    ["Name", claim.txtName],
    ["Value", claim.txtValue],
  ]) {
    record.append(el("dt", term), el("dd"));
    record.lastElementChild?.append(el("code", value));
  }
  const check = el("button", "Check now", { type: "button", "aria-label": `Check ${claim.domain} now` });
  check.addEventListener("click", () =>
    act(/** @type {HTMLButtonElement} */ (check), async () => {
      await api("post", "/api/v1/orgs/{orgId}/domains/{domain}/verify", { params: { orgId: org.id, domain: claim.domain } });
      // After the page is drawn again: drawing it clears the status line.
      await refresh();
      setStatus(`${claim.domain} is verified: new sign-ins with an address there go to ${org.name}.`);
    }),
  );
  const remove = el("button", "Remove", { type: "button", class: "secondary", "aria-label": `Remove pending domain ${claim.domain}` });
  confirmStep(/** @type {HTMLButtonElement} */ (remove), {
    consequence: `Withdraws the claim of ${claim.domain}; its TXT record proves nothing afterwards.`,
    confirmLabel: `Yes, remove ${claim.domain}`,
    run: async () => {
      await api("delete", "/api/v1/orgs/{orgId}/domains/{domain}", { params: { orgId: org.id, domain: claim.domain } });
      // After the page is drawn again: drawing it clears the status line.
      await refresh();
      setStatus(`${claim.domain} removed.`);
    },
  });
  const checked = el("p", "Last checked: ", { class: "muted" });
  checked.append(timeOf(claim.lastCheckedAt ?? null, "not yet"));
  item.append(
    el("strong", claim.domain),
    el("p", "Pending: create this DNS record at the domain's DNS host, then check it."),
    record,
    checked,
    check,
    " ",
    remove,
  );
  return item;
}

byId("org-domain-claim-add").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const domain = inputById("org-domain-claim-new");
  act(
    /** @type {HTMLButtonElement} */ (form.querySelector("button")),
    async () => {
      if (!shown) return;
      const added = domain.value.trim().toLowerCase();
      await api("post", "/api/v1/orgs/{orgId}/domains", { params: { orgId: shown.id }, body: { domain: added } });
      form.reset();
      // After the page is drawn again: drawing it clears the status line.
      await refresh();
      setStatus(`${added} added, pending: create its TXT record, then check it.`);
    },
    domain,
  );
});
