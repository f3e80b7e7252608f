/**
 * The demo's SAML 2.0 identity provider, on the same server and for the same users as the OpenID
 * Provider: metadata at /saml/metadata, SSO at /saml/sso (HTTP-Redirect binding). /saml/sso reads
 * the AuthnRequest and shows the same login form; a good login answers a page whose form POSTs
 * the signed SAMLResponse to the request's ACS URL (HTTP-POST binding), sent by a script file so
 * the page keeps a strict CSP. Any SP may ask (it is a stand-in for trying things out): the
 * response goes to the ACS URL the request names, for the audience the request's Issuer names.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Accounts } from "./accounts.ts";
import { readBody, send } from "./http-helpers.ts";
import { PAGE_HEADERS, type PageText, loginForm } from "./pages.ts";
import { makeSamlKeyPair, type SamlKeyPair } from "./saml-certificate.ts";
import { readRedirectAuthnRequest, SAML_POST_FORM_SCRIPT, samlIdpMetadataXml, samlPostFormHtml } from "./saml-request.ts";
import { NAMEID_PERSISTENT, samlResponseFields, samlResponseXml, signSamlElement } from "./saml-response.ts";

export interface SamlIdentityProvider {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly metadataUrl: string;
  /** The signing key and certificate (a restarted demo passes them back, so SPs keep trusting it). */
  readonly keyPair: SamlKeyPair;
  /** Answers the request when it is one of the IdP's paths; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> | false;
}

interface PendingRequest {
  readonly requestId: string;
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly relayState: string | undefined;
  readonly expires: number;
}

const LOGIN_PATH = /^\/saml\/login\/([A-Za-z0-9_-]+)$/;
const PENDING_TTL_MS = 10 * 60_000;
const MAX_PENDING = 1000;
const POST_PAGE_HEADERS = {
  ...PAGE_HEADERS,
  "content-security-policy": "default-src 'none'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export function samlIdentityProvider(o: {
  issuer: string;
  accounts: Accounts;
  pageText: PageText;
  keyPair?: SamlKeyPair;
}): SamlIdentityProvider {
  // Made when first needed: most users of this server (the service's tests) never ask for SAML.
  let madeKeyPair = o.keyPair;
  const keyPair = () => (madeKeyPair ??= makeSamlKeyPair("demo-saml-idp"));
  const entityId = `${o.issuer}/saml/metadata`;
  const ssoUrl = `${o.issuer}/saml/sso`;
  const pending = new Map<string, PendingRequest>();

  function remember(request: Omit<PendingRequest, "expires">): string {
    const now = Date.now();
    for (const [uid, entry] of pending) if (entry.expires < now || pending.size >= MAX_PENDING) pending.delete(uid);
    const uid = randomBytes(16).toString("base64url");
    pending.set(uid, { ...request, expires: now + PENDING_TTL_MS });
    return uid;
  }

  function sso(res: ServerResponse, url: URL): void {
    let request;
    try {
      request = readRedirectAuthnRequest(url);
    } catch (error) {
      send(res, 400, `not a SAML AuthnRequest: ${(error as Error).message}`);
      return;
    }
    const acsUrl = request.acsUrl;
    if (acsUrl === undefined || !/^https?:\/\//.test(acsUrl) || request.issuer === "") {
      send(res, 400, "the AuthnRequest must name its Issuer and an http(s) AssertionConsumerServiceURL");
      return;
    }
    const uid = remember({ requestId: request.id, spEntityId: request.issuer, acsUrl, relayState: request.relayState });
    send(res, 200, loginForm(o.pageText, `/saml/login/${uid}`, request.issuer), "text/html; charset=utf-8", PAGE_HEADERS);
  }

  async function login(req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
    const request = pending.get(uid);
    if (request === undefined || request.expires < Date.now()) {
      send(res, 400, "this sign-in expired or was already finished: start again from the application");
      return;
    }
    const body = new URLSearchParams(await readBody(req));
    const user = o.accounts.authenticate(body.get("login") ?? "", body.get("password") ?? "");
    if (user === undefined) {
      const html = loginForm(
        o.pageText,
        `/saml/login/${uid}`,
        request.spEntityId,
        "Sign-in failed: unknown user or wrong password.",
        body.get("login") ?? "",
      );
      send(res, 400, html, "text/html; charset=utf-8", PAGE_HEADERS);
      return;
    }
    pending.delete(uid);
    const fields = samlResponseFields({
      idpEntityId: entityId,
      sp: { entityId: request.spEntityId, acsUrl: request.acsUrl },
      requestId: request.requestId,
      nameId: user.sub,
      nameIdFormat: NAMEID_PERSISTENT,
      attributes: { email: [user.email], ...(user.name === undefined ? {} : { name: [user.name] }) },
    });
    const xml = signSamlElement(samlResponseXml(fields), fields.assertionId, keyPair());
    const html = samlPostFormHtml(request.acsUrl, Buffer.from(xml, "utf8").toString("base64"), request.relayState, "/saml/post.js");
    send(res, 200, html, "text/html; charset=utf-8", POST_PAGE_HEADERS);
  }

  return {
    entityId,
    ssoUrl,
    metadataUrl: entityId,
    get keyPair() {
      return keyPair();
    },
    handle(req, res, path) {
      if (path === "/saml/metadata" && req.method === "GET") {
        send(res, 200, samlIdpMetadataXml({ entityId, ssoUrl, certificates: [keyPair().certificatePem] }), "application/samlmetadata+xml");
        return Promise.resolve(true);
      }
      if (path === "/saml/sso" && req.method === "GET") {
        sso(res, new URL(req.url ?? "/", o.issuer));
        return Promise.resolve(true);
      }
      if (path === "/saml/post.js" && req.method === "GET") {
        send(res, 200, SAML_POST_FORM_SCRIPT, "text/javascript; charset=utf-8");
        return Promise.resolve(true);
      }
      const match = LOGIN_PATH.exec(path);
      if (match !== null && req.method === "POST") return login(req, res, match[1]!).then(() => true);
      return false;
    },
  };
}
