// @ts-check
/* global HTMLElement, HTMLInputElement, HTMLSelectElement, HTMLTextAreaElement */
// An OAuth provider's settings as a form: every setting a field labelled as the service's fixes
// name it in the console ("Providers › okta › Client secret", domain/fix-wording.ts), read back
// into the body of PUT /api/v1/orgs/{orgId}/oauth-providers/{name}; and a refusal's message
// shown beside the field it names, in the form's words. (A SAML provider's form sits beside this
// one, built the same way from its own fields.)

import { ApiError } from "./api-client.js";
import { el } from "./console-core.js";

/** @typedef {import("./api-client.js").AnswerTo<"/api/v1/orgs/{orgId}/oauth-providers/{name}", "get">} ProviderView */
/** @typedef {NonNullable<import("./api-client.js").Operation<"/api/v1/orgs/{orgId}/oauth-providers/{name}", "put">["requestBody"]>["content"]["application/json"]} ProviderBody */
/**
 * One setting of the form: its name in the API, its label (the console's name for it), its kind,
 * and what it does.
 * @typedef {{ field: string; label: string; kind: "text" | "url" | "secret" | "lines" | "check" | "method"; help?: string; operatorOnly?: boolean }} Setting
 */

/** @type {Setting[]} in the order the form shows them */
export const OAUTH_SETTINGS = [
  { field: "clientId", label: "Client ID", kind: "text", help: "The client registered at the provider." },
  {
    field: "clientSecret",
    label: "Client secret",
    kind: "secret",
    help: "Write-only. Type a new secret to replace the stored one; leave empty to keep it.",
  },
  {
    field: "nextClientSecret",
    label: "Next client secret",
    kind: "secret",
    help: "For a rotation: the secret the provider will switch to. Sign-ins fall back to it; promote it once the provider has switched.",
  },
  {
    field: "issuer",
    label: "Issuer URL",
    kind: "url",
    help: "OpenID Connect: the endpoints come from its discovery document. Keycloak: its address, then /realms/<realm>; Entra ID: login.microsoftonline.com/<tenant ID>/v2.0, over HTTPS. Empty for a plain OAuth 2.0 provider, with its endpoints below.",
  },
  { field: "authorizationUrl", label: "Authorization endpoint", kind: "url", help: "Only without an issuer, or to override discovery." },
  { field: "tokenEndpoint", label: "Token endpoint", kind: "url", help: "Only without an issuer, or to override discovery." },
  { field: "userInfoEndpoint", label: "Userinfo endpoint", kind: "url", help: "A plain OAuth 2.0 provider's user API, or an override." },
  { field: "jwksUri", label: "JWKS URI", kind: "url", help: "The key set ID tokens are verified with, when not discovered." },
  {
    field: "emailsEndpoint",
    label: "Email list endpoint",
    kind: "url",
    help: "A GitHub-style list of the user's emails: the verified primary one is used.",
  },
  { field: "scope", label: "Scope", kind: "text", help: 'The scopes sign-ins request, e.g. "openid email profile".' },
  {
    field: "redirectUris",
    label: "Redirect URIs",
    kind: "lines",
    help: "One a line: every URI the application (and this console's test sign-ins) sends back to.",
  },
  {
    field: "tokenEndpointAuthMethod",
    label: "Client authentication",
    kind: "method",
    help: "How the client proves itself at the token endpoint.",
  },
  {
    field: "enableJit",
    label: "Just-in-time (JIT) provisioning",
    kind: "check",
    help: "Create a user at their first sign-in when none has their email.",
  },
  { field: "trustEmail", label: "Trust email", kind: "check", help: "Accept the provider's email without it being asserted as verified." },
  {
    field: "requirePkce",
    label: "Require PKCE",
    kind: "check",
    help: "Refuse sign-ins that did not start at this service (state and PKCE).",
  },
  {
    field: "subjectClaim",
    label: "Subject claim",
    kind: "text",
    help: "The claim that identifies a user for good (default sub; Entra ID: oid).",
  },
  {
    field: "emailVerifiedClaim",
    label: "Email-verified claim",
    kind: "text",
    help: "The claim whose true means verified (default email_verified).",
  },
  {
    field: "linkExistingUsers",
    label: "Link existing users",
    kind: "check",
    operatorOnly: true,
    help: "Let this provider link users who already sign in elsewhere, e.g. to move the organisation to it (never an admin who has an identity).",
  },
];

const idOf = (/** @type {string} */ prefix, /** @type {Setting} */ s) => `${prefix}-${s.field}`;

/**
 * The fields of `settings` for a form whose ids start with `prefix`, filled from `provider` (a
 * secret never is: only whether one is stored). `operator`: the operator's fields too.
 * @param {string} prefix @param {Setting[]} settings @param {ProviderView | undefined} provider @param {boolean} operator
 */
export function settingFields(prefix, settings, provider, operator) {
  const values = /** @type {Record<string, unknown>} */ (provider ?? {});
  return settings
    .filter((s) => operator || !s.operatorOnly)
    .map((s) => {
      const id = idOf(prefix, s);
      const help = el("p", s.help ?? "", { id: `${id}-help`, class: "help muted" });
      const value = values[s.field];
      /** @type {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} */
      let input;
      if (s.kind === "check") {
        input = el("input", undefined, { id, type: "checkbox", "aria-describedby": help.id });
        input.checked = value === true;
        const row = el("div", undefined, { class: "check" });
        row.append(input, el("label", s.label, { for: id }), help);
        return row;
      }
      if (s.kind === "lines") {
        input = el("textarea", undefined, { id, rows: "3", "aria-describedby": help.id });
        input.value = Array.isArray(value) ? value.join("\n") : "";
      } else if (s.kind === "method") {
        input = el("select", undefined, { id, "aria-describedby": help.id });
        input.append(
          el("option", "client_secret_basic (HTTP Basic)", { value: "client_secret_basic" }),
          el("option", "client_secret_post (in the body)", { value: "client_secret_post" }),
        );
        input.value = typeof value === "string" ? value : "client_secret_basic";
      } else {
        const type = s.kind === "secret" ? "password" : s.kind === "url" ? "url" : "text";
        input = el("input", undefined, { id, type, autocomplete: "off", "aria-describedby": help.id });
        if (typeof value === "string") input.value = value;
        if (s.kind === "secret" && provider) {
          const stored = values[`${s.field}Set`] === true;
          help.textContent = `${stored ? "A secret is stored." : "None is stored."} ${s.help ?? ""}`;
        }
      }
      const block = el("div", undefined, { class: "field" });
      block.append(el("label", s.label, { for: id }), input, help);
      return block;
    });
}

/**
 * The PUT body the form's fields hold: every setting shown (empty text: none), secrets only when
 * typed (omitted keeps the stored ones).
 * @param {HTMLFormElement} form @param {string} prefix @param {Setting[]} settings
 * @returns {ProviderBody}
 */
export function bodyOf(form, prefix, settings) {
  /** @type {Record<string, unknown>} */
  const body = {};
  for (const s of settings) {
    const input = form.querySelector(`#${idOf(prefix, s)}`);
    if (input instanceof HTMLInputElement && s.kind === "check") body[s.field] = input.checked;
    else if (input instanceof HTMLTextAreaElement)
      body[s.field] = input.value
        .split(/\s*\n\s*/)
        .map((line) => line.trim())
        .filter(Boolean);
    else if (input instanceof HTMLInputElement || input instanceof HTMLSelectElement) {
      const value = input.value.trim();
      if (value) body[s.field] = value;
    }
  }
  return /** @type {ProviderBody} */ (body);
}

/** Where a provider's sign-ins' accounts live: its identity links survive a save only while this stays (admin/providers.ts). */
export const subjectNamespace = (/** @type {{ issuer?: string; tokenEndpoint?: string; subjectClaim?: string }} */ s) =>
  `${s.issuer ?? s.tokenEndpoint ?? ""}${s.subjectClaim && s.subjectClaim !== "sub" ? `#${s.subjectClaim}` : ""}`;

/** The settings' API names as words of a message: "clientSecret", "body.issuer". */
const named = (/** @type {string} */ field) => new RegExp(`\\b(?:body[./])?${field}\\b`);

/**
 * A refusal of a save, in the form's words, and the field it is about: the service names a
 * setting by its API name ("clientSecret is required…"); the form says "Client secret is
 * required…", shows it beside that field, and what to change there ("Providers › okta › Client
 * secret"). Undefined field: the refusal names none.
 * @param {unknown} error @param {HTMLFormElement} form @param {string} prefix @param {Setting[]} settings @param {string} place "Providers › okta"
 */
export function refusalInForm(error, form, prefix, settings, place) {
  if (!(error instanceof ApiError) || !error.body) return { error, field: undefined };
  let first = /** @type {{ at: number; setting: Setting } | undefined} */ (undefined);
  for (const setting of settings) {
    const at = error.message.search(named(setting.field));
    if (at >= 0 && (!first || at < first.at)) first = { at, setting };
  }
  const field = first && form.querySelector(`#${idOf(prefix, first.setting)}`);
  if (!first || !(field instanceof HTMLElement)) return { error, field: undefined };
  let message = error.message;
  for (const s of settings) message = message.replace(new RegExp(named(s.field).source, "g"), s.label);
  const fix = `${place} › ${first.setting.label}`;
  return { error: new ApiError(message, error.status, { ...error.body, message, fix }), field };
}
