/**
 * An independent SAML 2.0 identity provider for tests, on loopback. It signs with its own code
 * (packages/demo-provider's saml-*.ts on xml-crypto; never the service's saml/ part), so a test
 * that passes proves the service accepts what a real IdP sends, and one that fails proves it
 * refuses what an attacker or a misconfigured IdP sends.
 *
 *   const idp = await startSamlIdp();
 *   idp.metadataUrl / idp.metadataXml() / idp.entityId / idp.ssoUrl / idp.keys[0].certificatePem
 *   idp.response({ sp, requestId, ...overrides })      → the form's base64 SAMLResponse
 *   idp.followSso(authorizationUrl)                    → what the ACS answered the auto-submitted form
 *
 * Every field of the response can be overridden (`fields`), the signed element chosen (`sign`),
 * the algorithm (`algorithm`), the signing key (`signingKey`), the assertion encrypted
 * (`encryptFor`), and the final XML rewritten (`tamper`) for wrapping and injection attacks.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import xmlEncryption from "xml-encryption";
import {
  NAMEID_EMAIL,
  readRedirectAuthnRequest,
  SAML_POST_FORM_SCRIPT,
  type ReceivedAuthnRequest,
  type SamlKeyPair,
  type SamlResponseFields,
  type SamlSignatureAlgorithm,
  makeSamlKeyPair,
  samlAssertionXml,
  samlIdpMetadataXml,
  samlPostFormHtml,
  samlResponseFields,
  samlResponseXml,
  signSamlElement,
} from "@pipeshub-auth/demo-provider";

export { makeSamlKeyPair, readRedirectAuthnRequest, type ReceivedAuthnRequest, type SamlKeyPair, type SamlResponseFields };
export { NAMEID_EMAIL, NAMEID_PERSISTENT, redirectSignatureValid, SAML_ASSERTION_NS, SAML_PROTOCOL_NS } from "@pipeshub-auth/demo-provider";

/** The SP a response is for: its entity ID (the audience) and ACS URL (destination and recipient). */
export interface SamlIdpAudience {
  readonly spEntityId: string;
  readonly acsUrl: string;
}

export interface SamlIdpResponseOptions {
  readonly sp: SamlIdpAudience;
  /** The AuthnRequest answered; undefined: an unsolicited (IdP-initiated) response. */
  readonly requestId?: string | undefined;
  /** Any field of the response; an explicit `undefined` leaves it out. */
  readonly fields?: Partial<SamlResponseFields>;
  /** Which elements carry a signature (default: the assertion, as most IdPs do). */
  readonly sign?: "assertion" | "response" | "both" | "none";
  readonly algorithm?: SamlSignatureAlgorithm;
  /** Default: the IdP's first key. */
  readonly signingKey?: SamlKeyPair;
  /** Encrypt the (signed) assertion for this SP certificate (PEM): an EncryptedAssertion. */
  readonly encryptFor?: string;
  /** Rewrites the final XML (after signing), e.g. to wrap, move or inject. */
  readonly tamper?: (xml: string) => string;
}

export interface SamlIdpUser {
  readonly nameId: string;
  readonly nameIdFormat: string;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
}

export interface SamlIdp {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly metadataUrl: string;
  /** The signing keys the metadata publishes (first signs); push or replace for a rollover. */
  keys: SamlKeyPair[];
  /** Who /sso signs in (default: saml-user@example.com, emailAddress NameID, an `email` attribute). */
  user: SamlIdpUser;
  /** Extra options for the responses /sso sends (e.g. to make the IdP misbehave in an end-to-end test). */
  ssoResponseOptions: Omit<SamlIdpResponseOptions, "sp" | "requestId">;
  /** The AuthnRequests /sso received, oldest first. */
  readonly requests: ReceivedAuthnRequest[];
  metadataXml(): string;
  /** The fields of a good response (before overrides), for tests that want to shift one value. */
  defaultFields(sp: SamlIdpAudience, requestId: string | undefined): SamlResponseFields;
  responseXml(options: SamlIdpResponseOptions): Promise<string>;
  /** The base64 value of the form's SAMLResponse field. */
  response(options: SamlIdpResponseOptions): Promise<string>;
  /** POSTs a SAMLResponse to an ACS like the auto-submitting form (redirects not followed). */
  post(acsUrl: string, samlResponse: string, relayState?: string): Promise<Response>;
  /**
   * What a browser does with an authorization URL pointing here: GET /sso (the IdP reads the
   * AuthnRequest and answers its form), then POST the form to the request's ACS URL.
   */
  followSso(authorizationUrl: string): Promise<Response>;
  close(): Promise<void>;
}

const encrypt = promisify(xmlEncryption.encrypt) as (content: string, options: xmlEncryption.EncryptOptions) => Promise<string>;

export async function startSamlIdp(options: { keys?: SamlKeyPair[]; user?: SamlIdpUser } = {}): Promise<SamlIdp> {
  let server: Server;
  const base = await new Promise<string>((resolve) => {
    server = createServer((req, res) => void handle(req.url ?? "/", res));
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
  const idp: SamlIdp = {
    entityId: `${base}/saml/metadata`,
    ssoUrl: `${base}/saml/sso`,
    metadataUrl: `${base}/saml/metadata`,
    keys: options.keys ?? [makeSamlKeyPair("test-idp")],
    user: options.user ?? { nameId: "saml-user@example.com", nameIdFormat: NAMEID_EMAIL, attributes: { email: ["saml-user@example.com"] } },
    ssoResponseOptions: {},
    requests: [],
    metadataXml: () =>
      samlIdpMetadataXml({ entityId: idp.entityId, ssoUrl: idp.ssoUrl, certificates: idp.keys.map((key) => key.certificatePem) }),
    defaultFields: (sp, requestId) =>
      samlResponseFields({ idpEntityId: idp.entityId, sp: { entityId: sp.spEntityId, acsUrl: sp.acsUrl }, requestId, ...idp.user }),
    async responseXml(o) {
      const fields: SamlResponseFields = { ...idp.defaultFields(o.sp, o.requestId), ...o.fields };
      const key = o.signingKey ?? idp.keys[0]!;
      const sign = o.sign ?? "assertion";
      let assertion = samlAssertionXml(fields);
      if (sign === "assertion" || sign === "both") assertion = signSamlElement(assertion, fields.assertionId, key, o.algorithm);
      if (o.encryptFor !== undefined) {
        const encrypted = await encrypt(assertion, {
          rsa_pub: o.encryptFor,
          pem: o.encryptFor,
          encryptionAlgorithm: "http://www.w3.org/2009/xmlenc11#aes256-gcm",
          keyEncryptionAlgorithm: "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
        });
        assertion = `<saml:EncryptedAssertion>${encrypted}</saml:EncryptedAssertion>`;
      }
      let xml = samlResponseXml(fields, assertion);
      if (sign === "response" || sign === "both") xml = signSamlElement(xml, fields.responseId, key, o.algorithm);
      return o.tamper === undefined ? xml : o.tamper(xml);
    },
    response: async (o) => Buffer.from(await idp.responseXml(o), "utf8").toString("base64"),
    post: (acsUrl, samlResponse, relayState) =>
      fetch(acsUrl, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ SAMLResponse: samlResponse, ...(relayState === undefined ? {} : { RelayState: relayState }) }),
      }),
    async followSso(authorizationUrl) {
      const page = await fetch(authorizationUrl, { redirect: "manual" });
      const html = await page.text();
      if (page.status !== 200) throw new Error(`the test IdP refused the AuthnRequest: ${page.status} ${html}`);
      const field = (name: string) =>
        new RegExp(`name="${name}" value="([^"]*)"`)
          .exec(html)?.[1]
          ?.replace(/&quot;/g, '"')
          .replace(/&lt;/g, "<")
          .replace(/&amp;/g, "&");
      const action = /action="([^"]*)"/
        .exec(html)![1]!
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, "<")
        .replace(/&amp;/g, "&");
      return idp.post(action, field("SAMLResponse")!, field("RelayState"));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  async function handle(path: string, res: ServerResponse): Promise<void> {
    const url = new URL(path, base);
    try {
      if (url.pathname === "/saml/metadata") {
        res.writeHead(200, { "content-type": "application/samlmetadata+xml" }).end(idp.metadataXml());
      } else if (url.pathname === "/saml/post.js") {
        res.writeHead(200, { "content-type": "text/javascript" }).end(SAML_POST_FORM_SCRIPT);
      } else if (url.pathname === "/saml/sso") {
        const request = readRedirectAuthnRequest(url);
        idp.requests.push(request);
        if (request.acsUrl === undefined) throw new Error("the AuthnRequest names no AssertionConsumerServiceURL");
        const sp = { spEntityId: request.issuer, acsUrl: request.acsUrl };
        const samlResponse = await idp.response({ ...idp.ssoResponseOptions, sp, requestId: request.id });
        res
          .writeHead(200, { "content-type": "text/html; charset=utf-8" })
          .end(samlPostFormHtml(sp.acsUrl, samlResponse, request.relayState, "/saml/post.js"));
      } else {
        res.writeHead(404).end();
      }
    } catch (error) {
      res.writeHead(400, { "content-type": "text/plain" }).end(error instanceof Error ? error.message : String(error));
    }
  }
  return idp;
}
