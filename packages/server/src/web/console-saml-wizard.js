// @ts-check
/* global location */
// The wizard's SAML 2.0 side, beside the OAuth presets on an organisation's page: an IdP preset
// (Entra ID, Okta, Google Workspace, AD FS) saying which value to copy where, the SP values to
// paste at the IdP (known from the organisation and the name before anything is saved), the IdP's
// metadata URL or XML, and just-in-time provisioning. Saving over a SAML provider of the same name
// asks first; a name an OAuth provider has is refused (409 PROVIDER_NAME_TAKEN) beside the name.

import { ApiError } from "./api-client.js";
import { api, byId, el } from "./console-core.js";
import { askFirst } from "./console-provider-page.js";
import { navigate, pathTo } from "./console-router.js";
import { inConsoleWords, spValues } from "./console-saml-form.js";
import { testSignInRedirectUri } from "./console-test-signin.js";
import { act } from "./console-ui.js";

/** @typedef {import("./api-client.js").AnswerTo<"/api/v1/saml-provider-presets", "get">} SamlPresets */

/** The presets are the service's code: read once. */
let presets = /** @type {SamlPresets} */ ([]);
let orgId = "";

const details = el("details", undefined, { id: "saml-wizard" });
const form = el("form", undefined, { "aria-label": "Add a SAML 2.0 provider" });
const preset = el("select", undefined, { id: "saml-wizard-preset" });
const presetHelp = el("div", undefined, { id: "saml-wizard-preset-help", class: "muted" });
const name = el("input", undefined, { id: "saml-wizard-name", required: "", pattern: "[a-z0-9][a-z0-9\\-]*", autocomplete: "off" });
const sp = el("div", undefined, { id: "saml-wizard-sp" });
const metadataUrl = el("input", undefined, { id: "saml-wizard-metadata-url", type: "url", autocomplete: "off" });
const metadataXml = el("textarea", undefined, { id: "saml-wizard-metadata-xml", rows: "3" });
const jit = el("input", undefined, { id: "saml-wizard-jit", type: "checkbox" });
const save = el("button", "Save SAML provider", { type: "submit" });

{
  const jitRow = el("div", undefined, { class: "check" });
  jitRow.append(jit, el("label", "Just-in-time (JIT) provisioning: create a user at their first sign-in", { for: jit.id }));
  form.append(
    el("label", "Identity provider (SAML 2.0)", { for: preset.id }),
    preset,
    presetHelp,
    el("label", "SAML provider name (letters, digits, dashes)", { for: name.id }),
    name,
    el("p", "Paste these at the IdP:"),
    sp,
    el("label", "IdP metadata URL", { for: metadataUrl.id }),
    metadataUrl,
    el("label", "IdP metadata XML (instead of a URL)", { for: metadataXml.id }),
    metadataXml,
    jitRow,
    save,
  );
  details.append(el("summary", "Add a SAML 2.0 provider"), form);
}

/** Readies the SAML wizard for an organisation: the presets, and the SP values its name will have. */
export async function prepareSamlWizard(/** @type {string} */ forOrg) {
  orgId = forOrg;
  if (!details.isConnected) byId("wizard").after(details);
  if (presets.length === 0) ({ data: presets } = await api("get", "/api/v1/saml-provider-presets"));
  if (preset.options.length === 0) preset.replaceChildren(...presets.map((p) => el("option", p.title, { value: p.name })));
  presetChosen();
  nameTyped();
}

function presetChosen() {
  const chosen = presets.find((p) => p.name === preset.value);
  const steps = el("ul", undefined, { class: "plain" });
  for (const { from, to } of chosen?.fieldsToCopy ?? []) steps.append(el("li", `${inConsoleWords(from)} → ${inConsoleWords(to)}`));
  presetHelp.replaceChildren(el("p", chosen ? `At ${chosen.title}: ${chosen.description}. Copy:` : ""), steps);
}

/** The SP values of the provider as named so far (the service derives them the same way). */
function nameTyped() {
  const base = `${location.origin}/api/v1/saml/${encodeURIComponent(orgId)}/${encodeURIComponent(name.value.trim() || "<name>")}`;
  sp.replaceChildren(spValues({ acsUrl: `${base}/acs`, spEntityId: `${base}/metadata`, spMetadataUrl: `${base}/metadata` }));
}

preset.addEventListener("change", presetChosen);
name.addEventListener("input", nameTyped);

/** The field a refused save names: the name's (taken), the metadata's, or the button. */
function fieldOf(/** @type {unknown} */ error) {
  if (error instanceof ApiError && (error.error === "PROVIDER_NAME_TAKEN" || /\bproviderName\b/.test(error.message))) return name;
  if (error instanceof ApiError && /idpMetadataXml/.test(error.message)) return metadataXml;
  if (error instanceof ApiError && /idpMetadata|metadata|give the IdP's values/i.test(error.message)) return metadataUrl;
  return save;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  act(
    save,
    async () => {
      const provider = { orgId, name: name.value.trim() };
      const { data: existing } = await api("get", "/api/v1/orgs/{orgId}/saml-providers", { params: { orgId } });
      const replacing = existing.some((p) => p.providerName === provider.name);
      if (
        replacing &&
        !(await askFirst(
          save,
          `A SAML provider named "${provider.name}" exists: saving replaces its settings, and if the IdP's entity ID changes, its identity links are dropped.`,
          `Replace ${provider.name}`,
        ))
      )
        return;
      const chosen = presets.find((p) => p.name === preset.value);
      const idp = metadataUrl.value.trim()
        ? { idpMetadataUrl: metadataUrl.value.trim() }
        : metadataXml.value.trim()
          ? { idpMetadataXml: metadataXml.value.trim() }
          : {};
      await api("put", "/api/v1/orgs/{orgId}/saml-providers/{name}", {
        params: provider,
        body: {
          ...idp,
          ...chosen?.defaults,
          redirectUris: [`${location.origin}/callback`, testSignInRedirectUri],
          enableJit: jit.checked,
        },
      });
      form.reset();
      details.open = false;
      navigate(pathTo("orgs", orgId, "saml-providers", provider.name));
    },
    fieldOf,
  );
});
