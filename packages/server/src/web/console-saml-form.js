// @ts-check
/* global HTMLTextAreaElement, navigator */
// A SAML provider's settings as a form, built from the same field list as an OAuth provider's
// (console-provider-form.js): the IdP's values one way (its metadata URL, its metadata XML, or its
// entity ID, SSO URL and certificates), then ours. Read back into the body of
// PUT /api/v1/orgs/{orgId}/saml-providers/{name}; and the SP values the IdP needs, each with a
// copy button.

import { el } from "./console-core.js";
import { bodyOf } from "./console-provider-form.js";

/** @typedef {import("./console-provider-form.js").Setting} Setting */
/** @typedef {import("./api-client.js").AnswerTo<"/api/v1/orgs/{orgId}/saml-providers/{name}", "get">} SamlProviderView */
/** @typedef {NonNullable<import("./api-client.js").Operation<"/api/v1/orgs/{orgId}/saml-providers/{name}", "put">["requestBody"]>["content"]["application/json"]} SamlProviderBody */

/** @type {Setting[]} in the order the form shows them */
export const SAML_SETTINGS = [
  {
    field: "idpMetadataUrl",
    label: "IdP metadata URL",
    kind: "url",
    help: "Where the IdP publishes its metadata (Entra ID: App Federation Metadata Url; Okta: Metadata URL). Read at each save and re-read by the watch, so a certificate rollover needs no edit here. With it, the fields below up to Redirect URIs are ignored.",
  },
  {
    field: "idpMetadataXml",
    label: "IdP metadata XML",
    kind: "lines",
    help: "Without a metadata URL: the IdP's metadata document, pasted. Without either, give the three values below.",
  },
  { field: "idpEntityId", label: "IdP entity ID", kind: "text", help: "The IdP's entity ID (its Issuer)." },
  { field: "idpSsoUrl", label: "IdP SSO URL", kind: "url", help: "The IdP's single sign-on URL, HTTP-Redirect binding." },
  {
    field: "idpCertificates",
    label: "IdP certificates (PEM)",
    kind: "lines",
    help: "The IdP's signing certificates, PEM, one after the other (two during a rollover). Only their fingerprints are shown back, so a save without metadata needs them pasted again.",
  },
  {
    field: "redirectUris",
    label: "Redirect URIs",
    kind: "lines",
    help: "One a line: every URI the application (and this console's test sign-ins) is sent back to with the code.",
  },
  {
    field: "enableJit",
    label: "Just-in-time (JIT) provisioning",
    kind: "check",
    help: "Create a user at their first sign-in when none has their email.",
  },
  {
    field: "emailAttribute",
    label: "Email attribute",
    kind: "text",
    help: "The attribute holding the email; empty: a NameID of emailAddress format.",
  },
  {
    field: "subjectAttribute",
    label: "Subject attribute",
    kind: "text",
    help: "The attribute that identifies a user for good; empty: a persistent NameID.",
  },
  {
    field: "clockSkewSeconds",
    label: "Clock skew (seconds)",
    kind: "text",
    help: "How far the IdP's clock may be from ours (default 60).",
  },
  {
    field: "allowIdpInitiated",
    label: "Allow IdP-initiated sign-ins",
    kind: "check",
    help: "Accept responses that answer no request of ours (started from the IdP's app list). Off, a replayed or injected response is refused.",
  },
  { field: "allowSha1", label: "Allow SHA-1", kind: "check", help: "Accept SHA-1 signatures: only for an IdP that signs no other way." },
  {
    field: "signAuthnRequests",
    label: "Sign requests",
    kind: "check",
    help: "Sign AuthnRequests with a key the service keeps; its certificate is in the SP metadata.",
  },
  {
    field: "linkExistingUsers",
    label: "Link existing users",
    kind: "check",
    operatorOnly: true,
    help: "Let this provider link users who already sign in elsewhere (never an admin who has an identity).",
  },
];

/** The PEM certificates in a text, each whole; other text between them is dropped. */
const certificatesIn = (/** @type {string} */ text) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];

/**
 * The PUT body the form holds: the IdP's values the one way given (a metadata URL first, then
 * XML, then the values), then every other setting shown.
 * @param {HTMLFormElement} form @param {string} prefix @param {Setting[]} settings
 * @returns {SamlProviderBody}
 */
export function samlBodyOf(form, prefix, settings) {
  const body = /** @type {Record<string, unknown>} */ (bodyOf(form, prefix, settings));
  const raw = (/** @type {string} */ field) => {
    const input = form.querySelector(`#${prefix}-${field}`);
    return input instanceof HTMLTextAreaElement ? input.value.trim() : "";
  };
  delete body.idpMetadataXml;
  delete body.idpCertificates;
  if (body.idpMetadataUrl !== undefined || raw("idpMetadataXml")) {
    delete body.idpEntityId;
    delete body.idpSsoUrl;
    if (body.idpMetadataUrl === undefined) body.idpMetadataXml = raw("idpMetadataXml");
  } else {
    const pems = certificatesIn(raw("idpCertificates"));
    if (pems.length) body.idpCertificates = pems;
    else if (raw("idpCertificates")) body.idpCertificates = [raw("idpCertificates")];
  }
  if (body.clockSkewSeconds !== undefined) body.clockSkewSeconds = Number(body.clockSkewSeconds);
  return /** @type {SamlProviderBody} */ (body);
}

/** The SP values to copy into the IdP, each with a button that copies it. */
export function spValues(/** @type {{ acsUrl: string; spEntityId: string; spMetadataUrl: string }} */ sp) {
  const list = el("dl", undefined, { class: "sp-values" });
  /** @type {[string, string][]} */
  const values = [
    ["ACS URL (Reply URL, Single sign-on URL)", sp.acsUrl],
    ["SP entity ID (Identifier, Audience URI)", sp.spEntityId],
    ["SP metadata URL", sp.spMetadataUrl],
  ];
  for (const [label, value] of values) {
    const copy = el("button", "Copy", { type: "button", class: "secondary", "aria-label": `Copy ${label.replace(/ \(.*/, "")}` });
    copy.addEventListener("click", () => {
      void navigator.clipboard.writeText(value).then(() => (copy.textContent = "Copied"));
    });
    const value_ = el("dd");
    value_.append(el("code", value), " ", copy);
    list.append(el("dt", label), value_);
  }
  return list;
}

/** A preset's hint in the console's words: the API's field names become the form's labels. */
export const inConsoleWords = (/** @type {string} */ text) =>
  text
    .replace(/\bspEntityId \(this provider's view\)/g, "SP entity ID (shown here)")
    .replace(/\bacsUrl \(this provider's view\)/g, "ACS URL (shown here)")
    .replace(/\bidpMetadataUrl\b/g, "IdP metadata URL")
    .replace(/\bidpMetadataXml\b/g, "IdP metadata XML")
    .replace(/\bemailAttribute\b/g, "Email attribute")
    .replace(/\bsubjectAttribute\b/g, "Subject attribute");
