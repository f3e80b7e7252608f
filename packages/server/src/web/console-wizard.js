// @ts-check
/* global confirm, location */
// The console's provider wizard: a preset, its options, the client's id and secret, and the
// redirect URIs to register at the provider; saving asks first before replacing a provider, and a
// refusal is shown beside the field it names.

import { ApiError } from "./api-client.js";
import { api, byId, el, inputById, setStatus } from "./console-core.js";
import { act } from "./console-ui.js";
import { testSignInRedirectUri } from "./console-test-signin.js";

/** @typedef {import("./console-core.js").ProviderRef} ProviderRef */
/** @typedef {import("./api-client.js").AnswerTo<"/api/v1/provider-presets", "get">} Presets */

/** The redirect URIs a provider added here must know: the sign-in page's callback, and the console's for test sign-ins. */
const redirectUris = [`${location.origin}/callback`, testSignInRedirectUri];
/** The presets are the service's code: read once. */
let presets = /** @type {Presets} */ ([]);

const presetSelect = () => /** @type {HTMLSelectElement} */ (byId("wizard-preset"));

/** Readies the wizard for an organisation: the presets, and the redirect URIs to register. */
export async function prepareWizard(/** @type {string} */ orgId) {
  if (presets.length === 0) ({ data: presets } = await api("get", "/api/v1/provider-presets"));
  presetSelect().replaceChildren(...presets.map((p) => el("option", p.title, { value: p.name })));
  byId("wizard-redirect").replaceChildren(...redirectUris.map((uri) => el("li", uri)));
  byId("wizard-form").dataset.orgId = orgId;
  presetChosen();
}

function presetChosen() {
  const preset = presets.find((p) => p.name === presetSelect().value);
  byId("wizard-preset-help").textContent = preset?.description ?? "";
  byId("wizard-options").replaceChildren(
    ...(preset?.options ?? []).flatMap((option) => {
      const id = `wizard-option-${option.name}`;
      const input = el("input", undefined, { id, "data-option": option.name, placeholder: option.example });
      if (option.required) input.setAttribute("required", "");
      return [el("label", `${option.description}${option.required ? "" : " (optional)"}`, { for: id }), input];
    }),
  );
}

/**
 * Whether to go on saving over the provider `name`: a provider of that name is replaced, and if
 * the replacement changes its issuer, token endpoint or subject claim, its users' identity links
 * are dropped (the preset decides those, so the console cannot tell beforehand): ask first.
 */
async function replacementConfirmed(/** @type {ProviderRef} */ { orgId, name }) {
  // The list, not the provider itself: a new name would be a 404 the page logs as an error.
  const { data: providers } = await api("get", "/api/v1/orgs/{orgId}/oauth-providers", { params: { orgId } });
  return (
    !providers.some((p) => p.providerName === name) ||
    confirm(
      `A provider named "${name}" exists and will be replaced. If its issuer, token endpoint or subject claim change, its identity links are dropped: its users link again at their next sign-in. Replace it?`,
    )
  );
}

/** Saves the provider the wizard describes; `saved` then shows it. */
async function saveFromWizard(/** @type {(provider: ProviderRef) => Promise<void>} */ saved) {
  const form = /** @type {HTMLFormElement} */ (byId("wizard-form"));
  const value = (/** @type {string} */ id) => inputById(id).value.trim();
  /** @type {Record<string, string>} */
  const presetOptions = {};
  for (const input of form.querySelectorAll("input")) {
    const option = input.dataset.option;
    if (option && input.value.trim()) presetOptions[option] = input.value.trim();
  }
  /** @type {ProviderRef} */
  const provider = { orgId: form.dataset.orgId ?? "", name: value("wizard-name") };
  if (!(await replacementConfirmed(provider))) return;
  setStatus(`Saving ${provider.name}…`);
  try {
    await api("put", "/api/v1/orgs/{orgId}/oauth-providers/{name}", {
      params: provider,
      body: {
        preset: value("wizard-preset"),
        presetOptions,
        clientId: value("wizard-client-id"),
        ...(value("wizard-client-secret") && { clientSecret: value("wizard-client-secret") }),
        redirectUris,
      },
    });
  } catch (error) {
    refused = fieldNamedBy(error, form);
    throw error;
  } finally {
    setStatus("");
  }
  form.reset();
  /** @type {HTMLDetailsElement} */ (byId("wizard")).open = false;
  await saved(provider);
}

/** The field a refused save names, when it names one: its words are shown beside it. */
let refused = /** @type {HTMLElement | undefined} */ (undefined);

/** The wizard's field a refusal's message names: a preset's option, the client's id or secret, the name. */
function fieldNamedBy(/** @type {unknown} */ error, /** @type {HTMLFormElement} */ form) {
  if (!(error instanceof ApiError)) return undefined;
  const fields = [
    ...[...form.querySelectorAll("input[data-option]")].map((input) => [
      /** @type {HTMLInputElement} */ (input).dataset.option ?? "",
      input,
    ]),
    ["clientId", byId("wizard-client-id")],
    ["clientSecret", byId("wizard-client-secret")],
    ["providerName", byId("wizard-name")],
  ];
  const found = fields.find(([name]) => name && new RegExp(`\\b${name}\\b`).test(error.message));
  return found ? /** @type {HTMLElement} */ (found[1]) : undefined;
}

/** The wizard's preset choice and its form; `saved` shows the provider once saved. A refusal is shown beside the field it names. */
export function wireWizard(/** @type {(provider: ProviderRef) => Promise<void>} */ saved) {
  presetSelect().addEventListener("change", presetChosen);
  const form = /** @type {HTMLFormElement} */ (byId("wizard-form"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const submit = /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]"));
    refused = undefined;
    act(
      submit,
      () => saveFromWizard(saved),
      () => refused ?? submit,
    );
  });
}
